"""Every reel of real purchases, recomputed from the revealed seed by an independent SPEC §10.

Nothing here imports Coffer's fairness code: the draw is written again from the SPEC's formula,
so a fixed or wrong server seed, a nonce off by one, or a mirrored prize pick fails this test.
The box has three prizes of unequal weight, so the pick matters; each reel's stored ticket is
read back from the database and compared too.
"""

import hashlib

from sqlalchemy import select

from coffer.rounds.models import Round, RoundReel
from coffer.runtime import Runtime
from tests.support.fairness import spec_pick, spec_tickets
from tests.support.shop import PLAYER, Shop, body_of, shop

__all__ = ["shop"]
ROUNDS = 12  # 36 draws: all on the 70% prize has odds 0.7^36, about 3e-6
REELS = 3


async def three_prize_version(shop: Shop) -> int:
    admin, slug = shop.admin, shop.operator.slug
    items = []
    for name, value in [("Common", 100), ("Rare", 400), ("Epic", 2000)]:
        body = {"name": name, "type": "physical", "valueMinor": value, "currency": "EUR"}
        items.append(
            (await admin.call("POST", f"/operators/{slug}/items", body, expect=201))["itemId"]
        )
    # Sort indexes against id order, so a pick in prizeId order would differ from the SPEC's.
    prizes = [
        {"itemId": items[0], "weight": 70_000, "sortIndex": 2},
        {"itemId": items[1], "weight": 25_000, "sortIndex": 1},
        {"itemId": items[2], "weight": 5_000, "sortIndex": 0},
    ]
    box = await admin.call(
        "POST",
        f"/operators/{slug}/boxes",
        {"name": "Tri", "slug": "tri", "priceMinor": 500, "currency": "EUR", "prizes": prizes},
        expect=201,
    )
    published = await admin.call(
        "POST", f"/operators/{slug}/boxes/{box['boxId']}/publish", expect=201
    )
    return int(published["boxVersionId"])


async def test_every_reel_is_the_spec_draw_of_the_revealed_seed(
    shop: Shop, runtime: Runtime
) -> None:
    version = await three_prize_version(shop)
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    reels = [{"reelIndex": k, "boxVersionId": version} for k in range(REELS)]
    rounds = [body_of(await shop.buy(f"fair-{n}", reels=reels))["round"] for n in range(ROUNDS)]
    rotated = body_of(
        await shop.operator.s2s.post(
            "/api/s2s/fairness/rotate", {"playerExternalId": PLAYER, "clientActionId": "reveal"}
        )
    )["revealed"]
    seed = rotated["serverSeed"]
    assert hashlib.sha256(seed.encode()).hexdigest() == rotated["serverSeedHash"]
    snapshot = (
        await shop.operator.s2s.client.get(f"/fairness/box-version/{version}/snapshot")
    ).json()
    total = sum(p["weight"] for p in snapshot["prizes"])
    stored = await stored_tickets(runtime)
    picked: set[int] = set()
    for n, round_ in enumerate(rounds):
        fairness = round_["fairness"]
        assert fairness["serverSeedHash"] == rotated["serverSeedHash"]
        assert fairness["nonce"] == n  # one nonce per round, from 0, none skipped
        tickets = spec_tickets(seed, fairness["clientSeed"], n, REELS, total)
        assert stored[round_["publicId"]] == tickets
        for reel, ticket in zip(round_["reels"], tickets, strict=True):
            expected = spec_pick(snapshot["prizes"], ticket)
            assert reel["prize"]["itemId"] == expected["itemId"], (n, reel, ticket)
            picked.add(expected["itemId"])
    assert len(picked) >= 2  # the draws exercised more than one prize


async def stored_tickets(runtime: Runtime) -> dict[str, list[int]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(Round.public_id, RoundReel.ticket)
            .join(RoundReel, RoundReel.round_id == Round.id)
            .order_by(Round.id, RoundReel.reel_index)
        )
        found: dict[str, list[int]] = {}
        for public_id, ticket in rows:
            assert ticket is not None
            found.setdefault(public_id, []).append(ticket)
    return found


def test_the_independent_draw_matches_the_spec_vector() -> None:
    """The SPEC's own test vector, so this file's formula is right before it judges Coffer's."""
    tickets = spec_tickets("a" * 64, "client-seed", 1, 3, 100_000)
    assert tickets == [27897, 54016, 61375]
    prizes = [
        {"prizeId": 1, "sortIndex": 0, "weight": 5000},
        {"prizeId": 2, "sortIndex": 1, "weight": 25000},
        {"prizeId": 3, "sortIndex": 2, "weight": 70000},
    ]
    assert [spec_pick(prizes, t)["prizeId"] for t in tickets] == [2, 3, 3]
