"""S2S virtual-currency balances (SPEC §12): read them, and post changes with a key."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field, StrictInt, StringConstraints, field_validator

from coffer.api.deps import DbSession, S2SOperator
from coffer.api.openapi import errors_for
from coffer.api.s2s.signed import SignedRoute
from coffer.kit.db import utcnow
from coffer.kit.schemas import ApiModel, PlayerExternalId, SafeText
from coffer.ledger import balances
from coffer.ledger.balances import Balance, Change

router = APIRouter(
    prefix="/api/s2s/virtual-currencies", tags=["s2s: virtual currencies"], route_class=SignedRoute
)


class BalanceOut(ApiModel):
    currency: str
    balance_minor: int
    decimals: int


class BalanceList(ApiModel):
    balances: list[BalanceOut]


class PostingIn(ApiModel):
    """Credit (amountMinor > 0) or debit (< 0) a player once per idempotency key."""

    player_external_id: PlayerExternalId
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,8}$")]
    amount_minor: Annotated[StrictInt, Field(ge=-(10**15), le=10**15)]
    idempotency_key: Annotated[SafeText, StringConstraints(min_length=1, max_length=80)]
    reason: Annotated[SafeText, StringConstraints(min_length=1, max_length=40)] = "operator"

    @field_validator("amount_minor")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("must not be 0: a posting moves something")
        return value


def balance_out(found: Balance) -> BalanceOut:
    return BalanceOut(
        currency=found.currency, balance_minor=found.balance_minor, decimals=found.decimals
    )


@router.get("/balances", responses=errors_for(401, 403, 422))
async def read_balances(
    operator: S2SOperator,
    session: DbSession,
    player_external_id: Annotated[PlayerExternalId, Query(alias="playerExternalId")],
) -> BalanceList:
    """The player's balance in each of the operator's virtual currencies."""
    found = await balances.balances(session, operator, player_external_id, utcnow())
    await session.commit()  # an opened account or a regeneration is kept
    return BalanceList(balances=[balance_out(b) for b in found])


@router.post("/postings", responses=errors_for(401, 403, 404, 409, 422))
async def post_change(body: PostingIn, operator: S2SOperator, session: DbSession) -> BalanceOut:
    """Apply the change once; a repeat of the key answers the same balance and moves nothing.
    A debit past the balance is INSUFFICIENT_FUNDS and moves nothing."""
    asked = Change(
        body.player_external_id, body.currency, body.amount_minor, body.idempotency_key, body.reason
    )
    found = await balances.change(session, operator, asked, utcnow())
    await session.commit()
    return balance_out(found)
