"""Service settings, read once from the environment (prefix ``COFFER_``)."""

from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coffer.kit.logs import LogFormat

MIN_AUDIT_DAYS = 90


class Settings(BaseSettings):
    """Everything an operator may set; the defaults run the embedded SQLite service."""

    model_config = SettingsConfigDict(env_prefix="COFFER_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./coffer.db"
    database_pool_size: int = Field(
        default=20,
        ge=1,
        le=500,
        description="Database connections each process keeps open; a request holds one only "
        "while its transaction runs, never across a wallet call.",
    )
    admin_token: str | None = None
    secret_key: str | None = Field(
        default=None, description="Fernet key that encrypts stored secrets."
    )
    secret_key_file: str = "./coffer.key"  # noqa: S105 - a path, not a secret
    body_limit_bytes: int = Field(default=64 * 1024, ge=1024)
    admin_body_limit_bytes: int = Field(
        default=4 * 1024 * 1024, ge=1024, description="Admin bodies: a 10,000-prize box is ~300 KB."
    )
    signature_window_seconds: int = Field(default=300, ge=1)
    wallet_timeout_ms: int = Field(default=2000, ge=100)
    wallet_retries: int = Field(default=2, ge=0, le=10)
    access_log: bool = Field(
        default=False, description="Log one line per request (coffer serve turns it on)."
    )
    log_format: LogFormat = Field(
        default="auto",
        description="Log lines as `text` or `json` (one object per line, with the request id); "
        "`auto` is text in a terminal, JSON otherwise.",
    )
    background_jobs: bool = Field(
        default=True,
        description="Run the worker (resolver, webhooks, expiry) inside the server process; "
        "turn off when separate `coffer worker` processes run.",
    )
    resolver_interval_s: float = Field(default=2.0, gt=0)
    webhook_interval_s: float = Field(default=1.0, gt=0)
    webhook_batch: int = Field(default=50, ge=1, le=1000)
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=60)
    webhook_retry_hours: float = Field(
        default=24.0, gt=0, description="Retry a webhook this long, then mark it failed."
    )
    expiry_interval_s: float = Field(default=60.0, gt=0)
    expiry_batch: int = Field(default=500, ge=1, le=10_000)
    webhook_retention_days: int = Field(
        default=30,
        ge=1,
        description="Delivered webhook events and their attempts are pruned this many days after "
        "delivery; pending and failed events never are.",
    )
    session_retention_days: int = Field(
        default=30,
        ge=1,
        description="Player-app sessions, launches and server sessions are pruned this many days "
        "after they end or expire.",
    )
    audit_retention_days: int = Field(
        default=1825,
        description="Audit entries are pruned this many days after they were written (at least "
        "90). Money records (rounds, wallet instructions, ledger postings) are never pruned.",
    )
    retention_batch: int = Field(
        default=500, ge=1, le=10_000, description="Rows deleted per short transaction."
    )
    retention_interval_s: float = Field(default=3600.0, gt=0)
    wallet_attention_hours: float = Field(
        default=24.0,
        gt=0,
        description="An instruction still unresolved this long is flagged for staff (and still "
        "retried).",
    )
    egress_allow: str = Field(
        default="",
        description="Comma list of hosts, addresses or ranges (10.0.0.0/8) outbound calls may "
        "reach although internal; everything loopback, private or link-local is refused else.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark the back office's cookies Secure even when the request arrived over "
        "plain HTTP (TLS ended at a proxy uvicorn does not trust).",
    )
    rate_limits: bool = Field(
        default=True, description="Count requests per caller in the database and answer 429."
    )
    rate_limit_s2s_per_minute: int = Field(default=6000, ge=1, description="Per S2S key.")
    rate_limit_play_per_minute: int = Field(default=300, ge=1, description="Per player session.")
    rate_limit_admin_per_minute: int = Field(default=1200, ge=1, description="Per admin token.")
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str | None = Field(
        default=None,
        description="The address players reach Coffer at (https://coffer.casino.example); "
        "launch URLs are built from it, never from a request's Host. Default http://HOST:PORT.",
    )

    @field_validator("audit_retention_days")
    @classmethod
    def _audit_kept_long_enough(cls, days: int) -> int:
        """The audit log answers for money and personal data: it is kept at least 90 days."""
        if days < MIN_AUDIT_DAYS:
            raise ValueError(
                f"COFFER_AUDIT_RETENTION_DAYS is {days}; the audit log must be kept at least "
                f"{MIN_AUDIT_DAYS} days"
            )
        return days

    @property
    def base_url(self) -> str:
        """Where players reach this deployment: the configured public URL, else HOST:PORT."""
        return self.public_base_url or f"http://{self.host}:{self.port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """One settings object per process; tests build their own instead."""
    return Settings()
