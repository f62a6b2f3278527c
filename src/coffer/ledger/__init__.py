"""Virtual currencies kept inside Coffer (SPEC §12): an append-only double-entry ledger."""
