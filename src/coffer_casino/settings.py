"""Settings of the reference casino, read from the environment (prefix ``CASINO_``)."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

WALLET_PATH = "/casino/wallet"
WEBHOOK_PATH = "/casino/webhooks"


class CasinoSettings(BaseSettings):
    """Where the casino keeps its books and the secret it shares with Coffer."""

    model_config = SettingsConfigDict(env_prefix="CASINO_", extra="ignore")

    outbound_secret: SecretStr | None = Field(
        default=None, description="The operator's outbound secret (whsec_…) from Coffer."
    )
    database_path: str = "./casino.db"
    host: str = "127.0.0.1"
    port: int = 8100
    signature_window_seconds: int = Field(default=300, ge=1)
    admin_loopback_only: bool = Field(
        default=True, description="Serve the back-office endpoints to loopback clients only."
    )

    coffer_url: str | None = Field(
        default=None, description="Coffer's base URL, for the lobby's launches (S2S)."
    )
    coffer_key_id: str | None = Field(default=None, description="The operator's S2S key id.")
    coffer_key_secret: SecretStr | None = Field(default=None, description="Its S2S secret.")
    lobby_player: str = Field(default="u_8431", description="The player the lobby plays as.")

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the casino's own SQLite file."""
        return f"sqlite+aiosqlite:///{self.database_path}"

    def secret(self) -> str:
        """The outbound secret, refusing to run without one: an unsigned wallet is no wallet."""
        if self.outbound_secret is None or not self.outbound_secret.get_secret_value():
            raise ValueError(
                "the casino needs the operator's outbound secret (CASINO_OUTBOUND_SECRET)"
            )
        return self.outbound_secret.get_secret_value()
