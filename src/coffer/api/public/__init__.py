"""The public surface: health checks and fairness snapshots, no authentication."""

from coffer.api.errors import ENVELOPE

ERRORS = ENVELOPE  # errors in the SPEC §3 envelope
