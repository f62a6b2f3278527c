"""The back office's pages. Each reads through the admin API's own route functions and use
cases, so a page shows exactly what the API answers; changes go to the admin API from the
page's script, with the session cookie and its CSRF token."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from coffer.api.admin import audit as admin_audit
from coffer.api.admin import catalog as admin_catalog
from coffer.api.admin import limits as admin_limits
from coffer.api.admin import operators as admin_operators
from coffer.api.admin import players as admin_players
from coffer.api.admin import shipping as admin_shipping
from coffer.api.admin import webhooks as admin_webhooks
from coffer.api.deps import DbSession
from coffer.catalog import browse as listing
from coffer.kit.db import utcnow
from coffer.kit.errors import UnknownPlayer
from coffer.ledger import balances
from coffer.staff.players import ATTENTION
from coffer.web.admin.render import OperatorPage, StaffDep, page
from coffer.webhooks.outbox import EVENT_TYPES

router = APIRouter(tags=["back office"], include_in_schema=False)
Cursor = Annotated[str | None, Query(max_length=200)]
ShippingState = Literal["pending", "shipped", "delivered", "cancelled"]
SHIPPING_STATES: tuple[ShippingState, ...] = ("pending", "shipped", "delivered", "cancelled")


def dumped(model: Any) -> Any:
    """An API answer as the JSON the API would send (camelCase)."""
    return model.model_dump(mode="json", by_alias=True)


@router.get("/admin", response_model=None)
async def home(
    request: Request, who: StaffDep, session: DbSession, cursor: Cursor = None
) -> Response:
    """A global admin picks an operator; an operator's staff go straight to theirs."""
    found = dumped(await admin_operators.list_operators(who.principal, session, 50, cursor))
    listed = found["operators"]
    if who.principal.operator_id is not None and len(listed) == 1:
        return RedirectResponse(f"/admin/o/{listed[0]['slug']}", status_code=303)
    context = {"operators": listed, "next": found["cursor"]["next"]}
    return page(request, "operators.html", who, context)


@router.get("/admin/o/{slug}", response_class=HTMLResponse)
async def operator_page(
    request: Request, who: StaffDep, operator: OperatorPage, session: DbSession, keys: Cursor = None
) -> HTMLResponse:
    """Settings, keys (newest first, a page at a time) and currencies of one operator."""
    shown = dumped(await admin_operators.get_operator(operator, session))
    listed = dumped(await admin_operators.list_keys(operator, session, 50, keys))
    context = {"operator": shown, "keys": listed["keys"], "nextKeys": listed["cursor"]["next"],
               "slug": operator.slug, "tab": "settings"}  # fmt: skip
    return page(request, "operator.html", who, context)


@router.get("/admin/o/{slug}/items", response_class=HTMLResponse)
async def items_page(
    request: Request,
    who: StaffDep,
    operator: OperatorPage,
    session: DbSession,
    cursor: Cursor = None,
) -> HTMLResponse:
    """The items, oldest first, a page at a time by cursor; the form to add one."""
    found = await listing.items_after(session, operator.id, cursor, 50)
    shown = [dumped(admin_catalog.item_out(item)) for item in found.rows]
    currencies = dumped(await admin_operators.get_operator(operator, session))["currencies"]
    context = {"items": shown, "next": found.next_cursor, "currencies": currencies}
    return page(request, "items.html", who, {**context, "slug": operator.slug, "tab": "items"})


@router.get("/admin/o/{slug}/boxes", response_class=HTMLResponse)
async def boxes_page(
    request: Request,
    who: StaffDep,
    operator: OperatorPage,
    session: DbSession,
    cursor: Cursor = None,
) -> HTMLResponse:
    """The boxes with their live version; the form to start one."""
    found = await listing.boxes_after(session, operator.id, cursor, 50)
    shown = [dumped(admin_catalog.box_brief(box)) for box in found.rows]
    context = {"boxes": shown, "next": found.next_cursor, "slug": operator.slug, "tab": "boxes"}
    return page(request, "boxes.html", who, context)


@router.get("/admin/o/{slug}/boxes/{box_id}", response_class=HTMLResponse)
async def box_page(
    request: Request, who: StaffDep, operator: OperatorPage, session: DbSession, box_id: int
) -> HTMLResponse:
    """The box editor: the draft's prizes, live odds, RTP and house edge, save and publish."""
    box = dumped(await admin_catalog.get_box(box_id, operator, session))
    live = await listing.live_prizes(session, operator.id, box_id)
    catalog = await listing.items_after(session, operator.id, None, 1000)
    items = [dumped(admin_catalog.item_out(item)) for item in catalog.rows]
    shown = dumped(await admin_operators.get_operator(operator, session))
    context = {"box": box, "live": live, "items": items, "currencies": shown["currencies"]}
    return page(request, "box.html", who, {**context, "slug": operator.slug, "tab": "boxes"})


@router.get("/admin/o/{slug}/webhooks", response_class=HTMLResponse)
async def webhooks_page(
    request: Request,
    who: StaffDep,
    operator: OperatorPage,
    session: DbSession,
    status: Literal["pending", "delivered", "failed"] | None = None,
    kind: Annotated[str | None, Query(alias="type", max_length=40)] = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    """Webhook events newest first, filtered by status and type, with their attempts."""
    known = kind if kind in EVENT_TYPES else None
    found = await admin_webhooks.list_events(operator, session, status, known, None, 50, cursor)
    shown = dumped(found)
    filters = {"status": status, "type": known, "types": EVENT_TYPES}
    context = {"events": shown["events"], "next": shown["cursor"]["next"], **filters}
    return page(
        request, "webhooks.html", who, {**context, "slug": operator.slug, "tab": "webhooks"}
    )


@router.get("/admin/o/{slug}/shipping", response_class=HTMLResponse)
async def shipping_page(
    request: Request,
    who: StaffDep,
    operator: OperatorPage,
    session: DbSession,
    state: ShippingState | None = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    """The shipping board: one column per state, the newest 50 of each; a column's older
    orders page by cursor on their own."""
    columns, more = {}, {}
    for shown in (state,) if state else SHIPPING_STATES:
        found = dumped(await admin_shipping.list_orders(operator, session, shown, cursor, 50))
        columns[shown], more[shown] = found["orders"], found["cursor"]["next"]
    context = {"columns": columns, "more": more, "slug": operator.slug, "tab": "shipping"}
    return page(request, "shipping.html", who, context)


@router.get("/admin/o/{slug}/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request,
    who: StaffDep,
    operator: OperatorPage,
    session: DbSession,
    cursor: Cursor = None,
) -> HTMLResponse:
    """Who changed what, newest first."""
    found = await admin_audit.audit_log(operator, session, 50, cursor)
    context = {"entries": found["entries"], "next": found["cursor"]["next"]}
    return page(request, "audit.html", who, {**context, "slug": operator.slug, "tab": "audit"})


@router.get("/admin/o/{slug}/players", response_class=HTMLResponse)
async def players_page(
    request: Request,
    who: StaffDep,
    operator: OperatorPage,
    session: DbSession,
    external_id: Annotated[str | None, Query(alias="externalId", max_length=128)] = None,
    vault: Cursor = None,
    rounds: Cursor = None,
    instructions: Cursor = None,
    postings: Cursor = None,
) -> HTMLResponse:
    """Find a player: vault, rounds, wallet instructions (those needing a person first),
    each a page at a time; virtual-currency balances, limits and self-exclusion."""
    context: dict[str, Any] = {"slug": operator.slug, "tab": "players", "externalId": external_id}
    if external_id:
        try:
            cursors = (vault, rounds, instructions, postings)
            context |= await _player(session, operator, external_id.strip(), cursors)
        except UnknownPlayer as exc:
            context["missing"] = exc.message
        await session.commit()  # reading a balance writes its regeneration (SPEC §12)
    return page(request, "players.html", who, context)


async def _player(
    session: Any, operator: Any, external_id: str, cursors: tuple[str | None, ...]
) -> dict[str, Any]:
    vault, rounds, instructions, older = cursors
    picture = await admin_players.get_player(
        external_id, operator, session, 50, vault, rounds, instructions
    )
    urgent = picture["needsAttention"]
    listed = {i["id"] for i in urgent}
    shown = [*urgent, *(i for i in picture["walletInstructions"] if i["id"] not in listed)]
    standing = dumped(await admin_limits.get_limits(external_id, operator, session))
    found = await balances.balances(session, operator, external_id, utcnow())
    money = [{"currency": b.currency, "balanceMinor": b.balance_minor} for b in found]
    await session.flush()  # the regeneration just written shows among the postings
    postings = await admin_players.player_postings(external_id, operator, session, 20, older)
    return {"player": picture, "instructions": shown, "standing": standing,
            "balances": money, "postings": postings, "attention": ATTENTION}  # fmt: skip


@router.get("/admin/o/{slug}/webhooks/{event_id}", response_class=HTMLResponse)
async def webhook_page(
    request: Request,
    who: StaffDep,
    operator: OperatorPage,
    session: DbSession,
    event_id: Annotated[str, Path(max_length=40)],
) -> HTMLResponse:
    """One event: its exact payload and every delivery attempt."""
    event = dumped(await admin_webhooks.get_event(event_id, operator, session))
    context = {"event": event, "slug": operator.slug, "tab": "webhooks"}
    return page(request, "webhook.html", who, context)
