"""The shared base for request and response bodies: camelCase on the wire."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer, StringConstraints
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """camelCase JSON, snake_case Python, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", from_attributes=True
    )


def iso_z(value: datetime) -> str:
    """ISO-8601 UTC with a trailing Z, as the SPEC writes times."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


UtcTime = Annotated[datetime, PlainSerializer(iso_z, return_type=str)]


def not_null(value: object) -> object:
    """PATCH may omit a field but may not null one that the resource always has."""
    if value is None:
        raise ValueError("may be omitted but not null")
    return value


def clean_text(value: str) -> str:
    """Refuse NUL and lone surrogates, which PostgreSQL text and UTF-8 cannot store."""
    if any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in value):
        raise ValueError("must not contain NUL characters or unpaired surrogates")
    return value


SafeText = Annotated[str, AfterValidator(clean_text)]
PlayerExternalId = Annotated[
    str, StringConstraints(min_length=1, max_length=128), AfterValidator(clean_text)
]
