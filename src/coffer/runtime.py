"""What every entry point needs: settings, engine, session factory and the secret box."""

from dataclasses import dataclass, replace

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from coffer.kit.db import make_engine, make_sessionmaker
from coffer.kit.secrets import SecretBox, load_secret_box
from coffer.kit.settings import Settings
from coffer.seamless.client import WalletClient


@dataclass
class Runtime:
    """Built once per process (app, CLI command or worker) and closed at its end."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    secrets: SecretBox
    wallet: WalletClient
    # Webhooks get a pool of their own: a slow receiver must not hold connections wallet calls need.
    webhook_http: httpx.AsyncClient

    @classmethod
    def from_settings(cls, settings: Settings) -> "Runtime":
        engine = make_engine(settings.database_url)
        return cls.build(settings, engine, load_secret_box(settings))

    @classmethod
    def build(cls, settings: Settings, engine: AsyncEngine, secrets: SecretBox) -> "Runtime":
        """Assemble a runtime around an engine (tests pass one with their own pool)."""
        http = httpx.AsyncClient(limits=httpx.Limits(max_connections=100))
        wallet = WalletClient(http, settings.wallet_retries)
        hooks = httpx.AsyncClient(limits=httpx.Limits(max_connections=settings.webhook_batch))
        return cls(settings, engine, make_sessionmaker(engine), secrets, wallet, hooks)

    async def close(self) -> None:
        await self.wallet.http.aclose()
        await self.webhook_http.aclose()
        await self.engine.dispose()

    def with_settings(self, **changes: object) -> "Runtime":
        """The same engine, secrets and clients under changed settings (tests, benchmarks)."""
        return replace(self, settings=self.settings.model_copy(update=changes))
