"""The shared base for request and response bodies: camelCase on the wire."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

# The largest integer every JSON reader keeps exact (JavaScript's Number.MAX_SAFE_INTEGER): ids
# and counts above it would be rounded by a browser, and OpenAPI tools show 2**63 - 1 as 9.22e18.
JSON_SAFE_MAX = 2**53 - 1


class ApiModel(BaseModel):
    """camelCase JSON, snake_case Python, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", from_attributes=True
    )


class PageCursor(ApiModel):
    """Opaque keyset cursors: pass one back as ``?cursor=``; null when there is no such page."""

    next: str | None
    prev: str | None


def iso_z(value: datetime) -> str:
    """ISO-8601 UTC with a trailing Z, as the SPEC writes times."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


UtcTime = Annotated[datetime, PlainSerializer(iso_z, return_type=str)]


def not_null(value: object) -> object:
    """PATCH may omit a field but may not null one that the resource always has."""
    if value is None:
        raise ValueError("may be omitted but not null")
    return value


# A field PATCH names only to refuse: hidden from the API description, and never set.
Unchangeable = SkipJsonSchema[object]


def unchangeable(reasons: dict[str, str]) -> Callable[[object, ValidationInfo], object]:
    """A before-validator for ``Unchangeable`` fields: the reason, not a bare "extra input"."""

    def refuse(_value: object, info: ValidationInfo) -> object:
        reason = reasons.get(info.field_name or "", "it is fixed when created")
        raise PydanticCustomError("unchangeable", "cannot be changed: {reason}", {"reason": reason})

    return refuse


# NUL and lone surrogates cannot be stored (PostgreSQL text, UTF-8); other control characters
# have no place in a name, an address or an id and hide what a reader sees.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Refuse control characters (NUL included) and unpaired surrogates."""
    if _UNSAFE.search(value):
        raise ValueError("must not contain control characters (NUL, tab, newline…) or surrogates")
    return value


SafeText = Annotated[str, AfterValidator(clean_text)]
PlayerExternalId = Annotated[
    str, StringConstraints(min_length=1, max_length=128), AfterValidator(clean_text)
]
