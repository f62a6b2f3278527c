"""What every entry point needs: settings, engine, session factory and the secret box."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from coffer.db import make_engine, make_sessionmaker
from coffer.secrets_store import SecretBox, load_secret_box
from coffer.settings import Settings


@dataclass
class Runtime:
    """Built once per process (app, CLI command or worker) and closed at its end."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    secrets: SecretBox

    @classmethod
    def from_settings(cls, settings: Settings) -> "Runtime":
        engine = make_engine(settings.database_url)
        return cls(settings, engine, make_sessionmaker(engine), load_secret_box(settings))

    async def close(self) -> None:
        await self.engine.dispose()
