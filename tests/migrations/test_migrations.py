"""The Alembic migrations and the SQLAlchemy models describe the same schema, on each database."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from coffer.migrate import compare_type
from coffer.models import Base
from coffer.runtime import Runtime


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": compare_type})
    return list(compare_metadata(context, Base.metadata))


async def test_models_and_migrations_agree(runtime: Runtime) -> None:
    async with runtime.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


async def test_downgrade_to_base_and_upgrade_again(runtime: Runtime) -> None:
    import asyncio

    from alembic import command

    from coffer.migrate import alembic_config, upgrade_to_head

    url = runtime.settings.database_url
    await runtime.engine.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
    await asyncio.to_thread(upgrade_to_head, url)
    async with runtime.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []
