"""A claim takes its use under the promotion's terms as they stand at that moment, not as the
claim first read them: staff lifting or setting the limit, or switching it off, is honoured. Real
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


async def test_a_claim_honours_terms_changed_while_it_ran(
    runtime: Runtime, admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("needs a second writer while the claim's transaction is open")
    promotion_id = await welcome(admin, uses=1)

    def staff_sets(**values: object) -> Callable[[], Coroutine[Any, Any, None]]:
        async def staff() -> None:
            async with runtime.engine.begin() as conn:
                await conn.execute(
                    update(Promotion).where(Promotion.id == promotion_id).values(**values)
                )

        return staff

    path = f"/operators/acme/promotions/{promotion_id}"
    for player, change, result, after in (
        ("p1", {"uses_left": None}, "success", (None, True)),  # read 1; staff lift the limit
        ("p2", {"uses_left": 0}, "promotion_no_uses_left", (0, True)),  # read unlimited; stop
        ("p3", {"is_active": False}, "promotion_not_available", (None, False)),  # switched off
    ):
        if player == "p3":
            await admin.call("PATCH", path, {"usesLeft": None})
        hook = between_read_and_take(runtime, staff_sets(**change))
        try:
            assert await claim(client, operator, player) == result, change
        finally:
            event.remove(runtime.engine.sync_engine, "before_cursor_execute", hook)
        shown = await admin.call("GET", path)
        assert (shown["usesLeft"], shown["isActive"]) == after, change
