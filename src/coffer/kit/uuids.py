"""Integer ids shown as UUIDs (RFC 9562 version 8) where a vendor's API wants a UUID.

The id sits in the low 62 bits and a kind tag in the high 48, so the UUID decodes back to the
row without a lookup table, and an inventory id never decodes as a ledger account.
"""

import uuid

VERSION_8 = 0x8 << 76
VARIANT = 0b10 << 62
LOW_62 = (1 << 62) - 1


def to_uuid(kind: int, row_id: int) -> str:
    """The UUID of row ``row_id`` of kind ``kind`` (0 < kind < 2**48)."""
    return str(uuid.UUID(int=(kind << 80) | VERSION_8 | VARIANT | (row_id & LOW_62)))


def from_uuid(kind: int, text: str) -> int | None:
    """The row id of a UUID made by ``to_uuid`` for ``kind``; None for any other text."""
    try:
        value = uuid.UUID(text).int
    except ValueError:
        return None
    if value >> 80 != kind or value & ~((kind << 80) | VERSION_8 | VARIANT | LOW_62):
        return None
    if (value >> 76) & 0xF != 8 or (value >> 62) & 0b11 != 0b10:
        return None
    return value & LOW_62
