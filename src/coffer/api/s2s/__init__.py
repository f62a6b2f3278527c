"""The server-to-server surface (SPEC §1): HMAC-signed routes under /api/s2s."""

from coffer.api.errors import ENVELOPE

ERRORS = ENVELOPE  # errors in the SPEC §3 envelope
