"""The shared base for request and response bodies: camelCase on the wire."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer
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
