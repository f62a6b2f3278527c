"""The API description's purchase answers are the real ones: each model validates, field for
field (unknown fields refused), what the purchase, prepay and cancel answer."""

from coffer.api.s2s.purchase_answers import HeldAnswer, RefundedAnswer, SettledAnswer
from coffer.runtime import Runtime
from tests.support.shop import PLAYER, Shop, body_of, shop

__all__ = ["shop"]
CANCEL = "/api/s2s/cancel"


async def test_the_documented_answers_are_the_answers(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 5_000)
    settled = body_of(await shop.buy("settle-1"))
    assert SettledAnswer.model_validate(settled).round.status == "settled"
    held = body_of(await shop.buy("prepay-1", mode="prepay"))
    assert HeldAnswer.model_validate(held).round.status == "held"
    cancel = {"playerExternalId": PLAYER, "roundPublicId": held["round"]["publicId"]}
    refunded = body_of(await shop.operator.s2s.post(CANCEL, cancel))
    assert RefundedAnswer.model_validate(refunded).round.refunded_minor == 500
    document = (await shop.admin.client.get("/openapi.json")).json()
    purchase = document["paths"]["/api/s2s/purchase"]["post"]["responses"]
    assert purchase["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "SettledAnswer"
    )
