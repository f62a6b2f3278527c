"""The one canonical JSON encoding: snapshot hashes, request hashes and verifiers must agree."""

import json
from typing import Any


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 as is: the same value always gives the same bytes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def compact_json(obj: Any) -> str:
    """Keys in the order given, no spaces: stored answers and event bodies keep their shape."""
    return json.dumps(obj, separators=(",", ":"))
