"""The shared kit every layer may use: database plumbing, errors, money, settings, secrets and
small generic helpers (canonical JSON, cursors, backoff, background loops)."""
