"""Encryption of stored secrets (S2S key secrets, outbound secrets, server seeds) at rest."""

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from coffer.kit.settings import Settings

OPENED_CACHE_SIZE = 4096


class SecretBox:
    """Encrypts and decrypts short secrets with the service's Fernet key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        self._key = key
        self._opened: dict[str, str] = {}

    def derive(self, purpose: str) -> str:
        """A secret that only this key makes, the same every time for ``purpose``."""
        digest = hmac.new(self._key, purpose.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def open(self, token: str) -> str:
        """The plaintext of a sealed secret. Every purchase opens its key's secret, the outbound
        secret and the player's server seed; a sealed token never changes, so each is
        decrypted once per process (the cache is emptied when full)."""
        found = self._opened.get(token)
        if found is None:
            found = self._decrypt(token)
            if len(self._opened) >= OPENED_CACHE_SIZE:
                self._opened.clear()
            self._opened[token] = found
        return found

    def open_recent(self, token: str, max_age_s: int) -> str | None:
        """A sealed value no older than ``max_age_s``, else None (a browser cookie: never
        cached, since it expires)."""
        try:
            return self._fernet.decrypt(token.encode("ascii"), ttl=max_age_s).decode("utf-8")
        except (InvalidToken, UnicodeError):
            return None

    def _decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise RuntimeError(
                "A stored secret cannot be decrypted: COFFER_SECRET_KEY (or the key file) is "
                "not the key this database was written with."
            ) from exc


def load_secret_box(settings: Settings) -> SecretBox:
    """Use COFFER_SECRET_KEY, else the key file, creating it (mode 0600) on first run."""
    if settings.secret_key:
        return SecretBox(settings.secret_key.encode("ascii"))
    path = Path(settings.secret_key_file)
    if not path.exists():
        key = Fernet.generate_key()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
    return SecretBox(path.read_bytes().strip())


def token_hash(token: str) -> str:
    """Bearer tokens are stored only as their SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_secret(prefix: str, nbytes: int = 32) -> str:
    """A random URL-safe secret with a readable prefix."""
    return f"{prefix}{secrets.token_urlsafe(nbytes)}"
