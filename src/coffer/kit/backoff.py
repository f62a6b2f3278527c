"""Capped exponential backoff for everything retried in the background (wallet, webhooks)."""

from datetime import timedelta

MAX_BACKOFF_S = 3600


def backoff(failures: int, jitter: float = 0.0) -> timedelta:
    """1 s after the first failure, then 2 s, 4 s … capped at 1 h; ``jitter`` trims up to 20%."""
    seconds = min(2 ** min(max(failures - 1, 0), 12), MAX_BACKOFF_S)
    return timedelta(seconds=seconds * (1 - 0.2 * jitter))
