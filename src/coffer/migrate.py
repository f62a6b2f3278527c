"""Alembic, driven from code: the migrations ship inside the package."""

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["database_url"] = database_url
    return config


def upgrade_to_head(database_url: str) -> None:
    """Apply every migration not yet applied; safe to run on every start."""
    command.upgrade(alembic_config(database_url), "head")


def current_revision(database_url: str) -> None:
    """Print the revision the database is at."""
    command.current(alembic_config(database_url), verbose=False)
