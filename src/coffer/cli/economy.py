"""``coffer economy``: item definitions (coupons too), loots and promotion codes from the shell.

Items and loots take the admin API's JSON body (``--file item.json``, or ``-`` for stdin), so a
definition moves between the API, files and this command unchanged.
"""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api.admin.catalog import item_out
from coffer.api.admin.loot import loot_out
from coffer.catalog import items, loots
from coffer.catalog import prices as price_options
from coffer.catalog.loot_schemas import LootIn
from coffer.catalog.schemas import ItemCreate
from coffer.cli.operators import GLOBAL, SlugOption
from coffer.cli.support import console, run_unit
from coffer.operators import service
from coffer.orders import promotions
from coffer.orders.promotions import PromotionSpec
from coffer.runtime import Runtime

economy_app = typer.Typer(
    help="Game items, loots and promotions (SPEC §12, §14).", no_args_is_help=True
)
FileOption = Annotated[str, typer.Option("--file", help="The admin API's JSON body; - for stdin.")]


Body = TypeVar("Body", bound=BaseModel)


def _body(model: type[Body], source: str) -> Body:
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    try:
        return model.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        console.print(f"[red]{source} is not a valid body[/red]: {exc}")
        raise typer.Exit(2) from exc


@economy_app.command("item")
def create_item(operator: SlugOption, file: FileOption) -> None:
    """Create an item (stackable, consumable, expiring, a coupon, a bundle…) from JSON."""
    body = _body(ItemCreate, file)

    async def work(session: AsyncSession, _runtime: Runtime) -> dict[str, Any]:
        found = await service.operator_for(session, GLOBAL, operator)
        return item_out(await items.create_item(session, found, body)).model_dump(by_alias=True)

    made = run_unit(work)
    console.print(f"item {made['itemId']} ({made['name']}) created for {operator}")


@economy_app.command("loot")
def create_loot(operator: SlugOption, file: FileOption) -> None:
    """Create a loot (a bundle of items and currency amounts, with prices) from JSON."""
    body = _body(LootIn, file)

    async def work(session: AsyncSession, _runtime: Runtime) -> dict[str, Any]:
        found = await service.operator_for(session, GLOBAL, operator)
        return loot_out(await loots.create_loot(session, found, body)).model_dump(by_alias=True)

    made = run_unit(work)
    console.print(f"loot {made['lootId']} ({made['name']}) created, etag {made['vendorEtag']}")


@economy_app.command("promotion")
def create_promotion(
    operator: SlugOption,
    code: Annotated[str, typer.Option(help="What players type, e.g. WELCOME.")],
    loot: Annotated[int, typer.Option(help="The loot a claim fills.")],
    uses: Annotated[
        int | None, typer.Option(min=1, help="Claims in all; unlimited if unset.")
    ] = None,
    expires: Annotated[
        datetime | None, typer.Option(help="UTC end, e.g. 2027-01-31T00:00:00")
    ] = None,
) -> None:
    """Create a promotion code: each player claims it once, while uses last."""
    until = expires.replace(tzinfo=expires.tzinfo or UTC) if expires else None
    spec = PromotionSpec(code, loot, uses, None, until)

    async def work(session: AsyncSession, _runtime: Runtime) -> None:
        found = await service.operator_for(session, GLOBAL, operator)
        await promotions.define_promotion(session, found, spec)

    run_unit(work)
    console.print(f"promotion {code} created for loot {loot}")


@economy_app.command("list")
def list_economy(operator: SlugOption) -> None:
    """The operator's loots and promotion codes."""

    async def work(session: AsyncSession, _runtime: Runtime) -> tuple[list[Any], list[Any]]:
        found = await service.operator_for(session, GLOBAL, operator)
        return await loots.list_loots(session, found), await promotions.list_promotions(
            session, found
        )

    found_loots, found_promotions = run_unit(work)
    table = Table("loot", "name", "etag", "contents", "prices", "active")
    for loot in found_loots:
        contents = ", ".join(f"{c['quantity']} x item {c['itemId']}" for c in loot.contents)
        prices = " or ".join(
            " + ".join(f"{price} of item {item}" for item, price in option.items())
            for option in price_options.options(loot.prices)
        )
        table.add_row(
            str(loot.id), loot.name, loots.etag(loot), contents, prices or "—", str(loot.is_active)
        )
    console.print(table)
    promos = Table("code", "loot", "uses left", "expires")
    for promo in found_promotions:
        left = "∞" if promo.uses_left is None else str(promo.uses_left)
        promos.add_row(promo.code, str(promo.loot_id), left, str(promo.expires_at or "—"))
    console.print(promos)
