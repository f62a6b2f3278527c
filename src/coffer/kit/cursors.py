"""Opaque keyset cursors: base64url JSON naming where the next page starts, checked on the way in.

A cursor is only ever one this API handed out; anything else (bad base64, other keys, a bound
outside 64-bit ids) is a ``cursor`` validation error, never a query.
"""

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from coffer.kit.errors import ValidationFailed

MAX_ID = 2**63 - 1
NOT_OURS = {"cursor": "not a cursor this API returned"}


def encode_cursor(payload: Mapping[str, Any], *, padded: bool = False, spaced: bool = False) -> str:
    """``padded``/``spaced`` keep the history cursor's first format, so its answers never change."""
    separators = (", ", ": ") if spaced else (",", ":")
    text = base64.urlsafe_b64encode(json.dumps(payload, separators=separators).encode()).decode()
    return text if padded else text.rstrip("=")


def decode_cursor(text: str, choices: Mapping[str, tuple[str, ...] | None]) -> dict[str, Any]:
    """The cursor's fields: each key of ``choices`` must be present, an id or one of its strings."""
    try:
        raw = base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())
        data = json.loads(raw)
    except (ValueError, binascii.Error) as exc:
        raise ValidationFailed(fields=NOT_OURS) from exc
    if not isinstance(data, dict) or set(data) != set(choices):
        raise ValidationFailed(fields=NOT_OURS)
    for key, allowed in choices.items():
        value = data[key]
        if allowed is None and not (type(value) is int and 0 <= value <= MAX_ID):
            raise ValidationFailed(fields=NOT_OURS)
        if allowed is not None and value not in allowed:
            raise ValidationFailed(fields=NOT_OURS)
    return data


Direction = Literal["next", "prev"]


@dataclass(frozen=True)
class Keyset:
    """``next``: rows with id < ``id``; ``prev``: rows with id > ``id``."""

    direction: Direction
    id: int


def encode_keyset(direction: Direction, row_id: int) -> str:
    return encode_cursor({"dir": direction, "id": row_id})


def decode_keyset(text: str) -> Keyset:
    """A ``next``/``prev`` cursor back; anything else is a ``cursor`` validation error."""
    data = decode_cursor(text, {"dir": ("next", "prev"), "id": None})
    return Keyset(data["dir"], data["id"])
