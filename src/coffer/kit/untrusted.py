"""Text from the outside world (a wallet's or a receiver's answer), made safe to store.

Whatever an answer contains is kept, bounded: NUL (which PostgreSQL text refuses) and unpaired
surrogates (which UTF-8 cannot encode) are escaped, and an over-long value is cut, ending in a
short hash of the whole value so two long values that share their start still differ.
"""

import hashlib

HASH_MARK = "…#sha256:"


def escaped(text: str) -> str:
    """NUL as ``\\x00`` and surrogates as ``\\udXXX``; everything else as it came."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return safe.replace("\x00", "\\x00")


def bounded(text: str, limit: int) -> str:
    """``escaped(text)``, at most ``limit`` characters; a cut one ends in a hash of the whole."""
    safe = escaped(text)
    if len(safe) <= limit:
        return safe
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    tail = f"{HASH_MARK}{digest[: max(8, min(64, limit // 3))]}"
    return safe[: max(0, limit - len(tail))] + tail


def bounded_or_none(text: str | None, limit: int) -> str | None:
    return None if text is None else bounded(text, limit)
