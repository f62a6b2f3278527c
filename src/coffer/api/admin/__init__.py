"""The admin surface (SPEC §13): bearer-token routes under /api/admin."""

from coffer.api.errors import ENVELOPE

ERRORS = ENVELOPE  # errors in the SPEC §3 envelope
