"""A purchase's steps run by hand, to stop it at a chosen point (a crash, a race)."""

from coffer.api.s2s.purchase_bodies import PurchaseRequest
from coffer.operators.models import Operator
from coffer.rounds import buying, settling, steps
from coffer.rounds.commands import Purchase
from coffer.runtime import Runtime
from coffer.seamless.client import WalletRequest
from coffer.seamless.service import Send
from tests.support.shop import PLAYER, Shop


def request(shop: Shop, client_action_id: str, version: int) -> Purchase:
    """The body ``shop.buy`` sends, parsed as the route parses it."""
    return PurchaseRequest.model_validate(
        {
            "playerExternalId": PLAYER,
            "gameKey": "mystery_box",
            "clientActionId": client_action_id,
            "reels": [{"reelIndex": 0, "boxVersionId": version}],
        }
    ).command()


async def first_transaction(
    runtime: Runtime, shop: Shop, body: Purchase
) -> tuple[Send[steps.Outcome], WalletRequest, str]:
    """The purchase's first transaction committed: the pending round and its debit exist."""
    async with runtime.sessions() as session:
        operator = await session.get(Operator, shop.operator.operator_id)
        assert operator is not None
        bought = await buying.write_round(session, runtime.gateway, operator, body)
        step = await settling.debit(session, runtime.gateway, bought)
        await session.commit()
    assert isinstance(step, Send)
    assert step.request.round_public_id is not None
    return step, step.request, step.request.round_public_id
