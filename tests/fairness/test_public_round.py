"""GET /fairness/rounds/{publicId}: a round's draw in public, and it agrees with coffer verify."""

import httpx

from coffer.fairness.verify import verify_draw
from tests.rounds.test_fair_draws import three_prize_version
from tests.support.shop import PLAYER, Shop, body_of, shop

__all__ = ["shop"]


async def test_a_round_shows_its_commitment_then_its_revealed_seed_and_verifies(
    shop: Shop, client: httpx.AsyncClient
) -> None:
    version = await three_prize_version(shop)
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    reels = [{"reelIndex": k, "boxVersionId": version} for k in range(3)]
    bought = body_of(await shop.buy("fair-1", reels=reels))["round"]
    before = (await client.get(f"/fairness/rounds/{bought['publicId']}")).json()["round"]
    assert before["serverSeed"] is None  # committed, not yet revealed
    assert before["serverSeedHash"] == bought["fairness"]["serverSeedHash"]
    assert "playerExternalId" not in before
    assert "betMinor" not in before
    await shop.operator.s2s.post(
        "/api/s2s/fairness/rotate", {"playerExternalId": PLAYER, "clientActionId": "reveal"}
    )
    shown = (await client.get(f"/fairness/rounds/{bought['publicId']}")).json()["round"]
    assert shown["serverSeed"] is not None
    snapshot = (await client.get(shown["reels"][0]["snapshotUrl"])).json()
    verified = verify_draw(
        snapshot, shown["serverSeed"], shown["clientSeed"], shown["nonce"], len(shown["reels"])
    )
    assert [v.ticket for v in verified] == [r["ticket"] for r in shown["reels"]]
    assert [v.prize_id for v in verified] == [r["prizeId"] for r in shown["reels"]]
    assert [v.item_id for v in verified] == [r["prize"]["itemId"] for r in bought["reels"]]


async def test_an_unknown_round_is_not_found(client: httpx.AsyncClient) -> None:
    missing = await client.get("/fairness/rounds/r_01J0000000000000000000000X")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "ROUND_NOT_FOUND"
