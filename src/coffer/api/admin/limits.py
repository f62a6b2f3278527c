"""Admin: responsible play. A player's limits and self-exclusion, and the kill switches."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import Field, StringConstraints

from coffer.api.deps import Admin, AdminOperator, DbSession
from coffer.api.openapi import errors_for
from coffer.api.params import BoxId
from coffer.kit.schemas import ApiModel, PlayerExternalId, SafeText, UtcTime
from coffer.limits import service
from coffer.limits.service import Limits, Standing
from coffer.staff import switches

router = APIRouter(prefix="/api/admin/operators/{slug}", tags=["admin: responsible play"])
ExternalId = Annotated[PlayerExternalId, Path(alias="externalId")]
Minor = Annotated[int, Field(ge=0, le=10**15)]
Reason = Annotated[SafeText, StringConstraints(max_length=500)]


class LimitsBody(ApiModel):
    """Every limit at once (an absent or null one is no limit); spend in the base currency."""

    spend_per_day_minor: Minor | None = Field(
        None, description="Most real money the player may spend per UTC day (null: no limit)."
    )
    spend_per_week_minor: Minor | None = Field(
        None, description="Most real money per ISO week, Monday to Sunday UTC (null: no limit)."
    )
    opens_per_day: Annotated[int, Field(ge=0, le=10**9)] | None = Field(
        None, description="Most boxes opened per UTC day, every reel counting (null: no limit)."
    )
    self_excluded_until: UtcTime | None = Field(
        None, description="No purchases until this time (null: not self-excluded)."
    )


class PeriodOut(ApiModel):
    period: str = Field(description="day (UTC) or week (ISO, from Monday UTC).")
    starts_on: str = Field(description="The period's first day.")
    resets_at: UtcTime = Field(description="When the period's usage starts again from zero.")
    spent_minor: int = Field(
        description="Real money spent in the period, base-currency minor units."
    )
    opens: int = Field(description="Boxes opened in the period.")


class StandingOut(ApiModel):
    """The limits, the current UTC day's and ISO week's usage, and the base currency."""

    limits: LimitsBody = Field(description="The limits in force.")
    usage: list[PeriodOut] = Field(description="The current day's and week's usage.")
    currency: str = Field(description="The base currency the spend limits are in.")

    @classmethod
    def of(cls, found: Standing) -> "StandingOut":
        return cls(
            limits=LimitsBody.model_validate(found.limits),
            usage=[
                PeriodOut(
                    period=u.period,
                    starts_on=u.starts_on.isoformat(),
                    resets_at=u.resets_at,
                    spent_minor=u.spent_minor,
                    opens=u.opens,
                )
                for u in found.usage
            ],
            currency=found.currency,
        )


class SwitchBody(ApiModel):
    purchases_paused: bool = Field(description="True stops new purchases; false resumes them.")
    reason: Reason = Field("", description="Why, for the audit log.")


class SwitchOut(ApiModel):
    purchases_paused: bool = Field(description="Whether new purchases are refused now.")


def _request_id(request: Request) -> str | None:
    found: str | None = getattr(request.state, "request_id", None)
    return found


@router.get("/players/{externalId}/limits", responses=errors_for(401, 403, 404))
async def get_limits(
    external_id: ExternalId, operator: AdminOperator, session: DbSession
) -> StandingOut:
    """The player's limits and what today and this week have used of them."""
    return StandingOut.of(await service.standing(session, operator, external_id))


@router.put("/players/{externalId}/limits", responses=errors_for(401, 403, 404, 422))
async def put_limits(
    external_id: ExternalId,
    body: LimitsBody,
    principal: Admin,
    operator: AdminOperator,
    session: DbSession,
    request: Request,
) -> StandingOut:
    """Replace the limits; checked inside every later purchase's transaction. Audited."""
    limits = Limits(
        body.spend_per_day_minor,
        body.spend_per_week_minor,
        body.opens_per_day,
        body.self_excluded_until,
    )
    found = await service.set_limits(
        session, operator, external_id, limits, principal.actor, _request_id(request)
    )
    await session.commit()
    return StandingOut.of(found)


@router.put("/kill-switch", responses=errors_for(401, 403, 404, 422))
async def operator_switch(
    body: SwitchBody,
    principal: Admin,
    operator: AdminOperator,
    session: DbSession,
    request: Request,
) -> SwitchOut:
    """Pause or resume every new purchase of the operator (GAME_DISABLED while paused)."""
    change = (principal.actor, body.reason, _request_id(request))
    paused = await switches.pause_operator(session, operator, body.purchases_paused, change)
    await session.commit()
    return SwitchOut(purchases_paused=paused)


@router.put("/boxes/{boxId}/kill-switch", responses=errors_for(401, 403, 404, 422))
async def box_switch(
    box_id: BoxId,
    body: SwitchBody,
    principal: Admin,
    operator: AdminOperator,
    session: DbSession,
    request: Request,
) -> SwitchOut:
    """Pause or resume new purchases of one box; its held rounds still open."""
    change = (principal.actor, body.reason, _request_id(request))
    paused = await switches.pause_box(session, operator, box_id, body.purchases_paused, change)
    await session.commit()
    return SwitchOut(purchases_paused=paused)
