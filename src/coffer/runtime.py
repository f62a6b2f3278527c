"""The composition root: settings, engine, sessions, secrets and the clients, wired once.

Features never see this object; each entry point hands them what they need: the seamless
``Gateway``, the webhook ``Courier``, a session, the secret box.
"""

import asyncio
from dataclasses import dataclass, replace

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from coffer.inventory import service as inventory
from coffer.kit.db import make_engine, make_sessionmaker
from coffer.kit.egress import EgressPolicy, guarded_client
from coffer.kit.secrets import SecretBox, load_secret_box
from coffer.kit.settings import Settings
from coffer.rounds import service as rounds
from coffer.seamless.client import WalletClient
from coffer.seamless.service import Completion, Gateway
from coffer.webhooks.delivery import Courier, Delivered

# Who finishes each kind of wallet instruction, and who hears of each delivered event.
WALLET_HANDLERS: dict[str, Completion] = {**rounds.WALLET_HANDLERS, **inventory.WALLET_HANDLERS}
WEBHOOK_HANDLERS: dict[str, Delivered] = dict(inventory.WEBHOOK_HANDLERS)


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
    egress: EgressPolicy
    # SQLite allows one writer: the money path's write transactions take turns here (FIFO).
    writer: asyncio.Lock | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Runtime":
        engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
        return cls.build(settings, engine, load_secret_box(settings))

    @classmethod
    def build(cls, settings: Settings, engine: AsyncEngine, secrets: SecretBox) -> "Runtime":
        """Assemble a runtime around an engine (tests pass one with their own pool)."""
        egress = EgressPolicy.allowing(settings.egress_allow.split(","))
        wallet = WalletClient(guarded_client(egress, 100), settings.wallet_retries)
        hooks = guarded_client(egress, settings.webhook_batch)
        writer = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        sessions = make_sessionmaker(engine)
        return cls(settings, engine, sessions, secrets, wallet, hooks, egress, writer)

    @property
    def gateway(self) -> Gateway:
        """The seamless wallet as features see it."""
        settings = self.settings
        return Gateway(
            self.sessions,
            self.wallet,
            self.secrets,
            settings.wallet_timeout_ms,
            settings.wallet_retries,
            WALLET_HANDLERS,
            self.writer,
        )

    @property
    def courier(self) -> Courier:
        """The webhook worker's view of this process."""
        settings = self.settings
        return Courier(
            self.sessions,
            self.webhook_http,
            self.secrets,
            settings.webhook_batch,
            settings.webhook_timeout_s,
            settings.webhook_retry_hours,
            WEBHOOK_HANDLERS,
        )

    async def close(self) -> None:
        await self.wallet.http.aclose()
        await self.webhook_http.aclose()
        await self.engine.dispose()

    def with_settings(self, **changes: object) -> "Runtime":
        """The same engine, secrets and clients under changed settings (tests, benchmarks)."""
        return replace(self, settings=self.settings.model_copy(update=changes))
