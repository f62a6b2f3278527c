"""One PlayFab call as its handlers see it, and how a handler reads its body."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ConfigDict, ValidationError

from coffer.api.playfab import Failure
from coffer.runtime import Runtime

M = TypeVar("M", bound=BaseModel)
MAX_DETAILS = 20


class Body(BaseModel):
    """A PlayFab request body: PascalCase names as PlayFab spells them; others are ignored
    (``TitleId``, ``CustomTags``)."""

    model_config = ConfigDict(extra="ignore")


@dataclass(frozen=True)
class Call:
    """One PlayFab call: its JSON body and where it came in."""

    runtime: Runtime
    body: dict[str, Any]
    request: Request

    def parse(self, model: type[M]) -> M:
        """The body as ``model``, or PlayFab's InvalidParams with each field's complaint."""
        try:
            return model.model_validate(self.body)
        except ValidationError as exc:
            details: dict[str, list[str]] = {}
            for error in exc.errors()[:MAX_DETAILS]:
                field = ".".join(str(part) for part in error["loc"]) or "body"
                details.setdefault(field, []).append(error["msg"])
            raise Failure("InvalidParams", 1000, "Invalid input parameters", 400, details) from exc


Handler = Callable[[Call], Awaitable[dict[str, Any]]]
