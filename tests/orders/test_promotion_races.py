"""A claim counts against the promotion's limit as it stands when the claim takes its use, not
as the claim first read it: staff lifting or setting the limit meanwhile is honoured. Real
concurrent connections on PostgreSQL (SQLite lets one writer at a time in, so no such race)."""

from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
from sqlalchemy import event, update
from sqlalchemy.util import await_only

from coffer.orders.models import Promotion
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.orders.test_promotion_edits import claim, welcome
from tests.support.api import AdminApi


def between_read_and_take(
    runtime: Runtime, staff: Callable[[], Coroutine[Any, Any, None]]
) -> Callable[..., None]:
    """Run ``staff`` on its own connection just before a claim's UPDATE of promotions."""
    fired: list[bool] = []

    def hook(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE PROMOTIONS") and not fired:
            fired.append(True)
            await_only(staff())

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", hook)
    return hook


async def test_a_claim_honours_a_limit_changed_while_it_ran(
    runtime: Runtime, admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("needs a second writer while the claim's transaction is open")
    promotion_id = await welcome(admin, uses=1)

    def set_uses(value: int | None) -> Callable[[], Coroutine[Any, Any, None]]:
        async def staff() -> None:
            async with runtime.engine.begin() as conn:
                await conn.execute(
                    update(Promotion).where(Promotion.id == promotion_id).values(uses_left=value)
                )

        return staff

    hook = between_read_and_take(runtime, set_uses(None))  # the claim read 1; staff lift it
    try:
        assert await claim(client, operator, "p1") == "success"
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", hook)
    path = f"/operators/acme/promotions/{promotion_id}"
    assert (await admin.call("GET", path))["usesLeft"] is None
    hook = between_read_and_take(runtime, set_uses(0))  # the claim read unlimited; staff stop it
    try:
        assert await claim(client, operator, "p2") == "promotion_no_uses_left"
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", hook)
    assert (await admin.call("GET", path))["usesLeft"] == 0
