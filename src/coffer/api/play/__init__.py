"""The player app's API (SPEC §11): /api/play/*, authenticated by a session bearer token."""

from coffer.api.errors import ENVELOPE

ERRORS = ENVELOPE  # errors in the SPEC §3 envelope
