"""The player app under concurrency, through real concurrent requests (SPEC §11)."""

import asyncio

import httpx
from sqlalchemy import func, select

from coffer.play.models import PlaySession
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.play.test_play_api import launch, sword_reel
from tests.play.test_sessions import framed, init, launch_token
from tests.support.shop import PLAYER, Shop, shop

__all__ = ["framed", "shop"]


async def test_one_launch_token_starts_one_session_whoever_races(
    framed: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    token = await launch_token(framed)
    answers = await asyncio.gather(*(init(client, token) for _ in range(8)))
    assert sorted(a.status_code for a in answers) == [200] + [409] * 7
    async with runtime.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(PlaySession)) == 1


async def test_concurrent_opens_take_each_free_open_once(
    shop: Shop, client: httpx.AsyncClient
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    app = await launch(
        shop, client, target={"boxId": shop.sword_box}, funding="operator", fundingRounds=2
    )
    opens = await asyncio.gather(
        *(
            app.post("/rounds/open", {"clientActionId": f"race-{n}", "reels": sword_reel(shop)})
            for n in range(6)
        )
    )
    assert all(o.status_code == 200 for o in opens), [o.text for o in opens]
    fundings = sorted(o.json()["round"]["funding"] for o in opens)
    assert fundings == ["operator"] * 2 + ["player"] * 4
    assert shop.casino.balance(PLAYER) == 10_000 - 4 * 500
