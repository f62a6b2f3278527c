"""CLI for operators, S2S keys, currencies and admin tokens (the admin API's equivalents)."""

import json
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog import rates
from coffer.cli.support import console, run_unit
from coffer.operators import service
from coffer.operators.schemas import OperatorCreate, OperatorUpdate
from coffer.runtime import Runtime

GLOBAL = service.AdminPrincipal(operator_id=None)
SlugOption = Annotated[str, typer.Option("--operator", "-o", help="The operator's slug.")]

operator_app = typer.Typer(
    help="Create, update and list operators (tenants).", no_args_is_help=True
)
key_app = typer.Typer(help="Create and revoke S2S signing keys.", no_args_is_help=True)
currency_app = typer.Typer(help="Set the currencies an operator accepts.", no_args_is_help=True)


@operator_app.command("create")
def operator_create(
    slug: Annotated[str, typer.Option(help="URL-safe id, e.g. 'acme'.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    base_currency: Annotated[str, typer.Option(help="ISO-4217 code, e.g. EUR.")] = "EUR",
    wallet_url: Annotated[str | None, typer.Option(help="The operator's wallet RPC URL.")] = None,
    webhook_url: Annotated[str | None, typer.Option(help="Where webhooks are POSTed.")] = None,
) -> None:
    """Create an operator and print its outbound secret (shown once)."""
    try:
        data = OperatorCreate(
            slug=slug,
            name=name,
            base_currency=base_currency.upper(),
            wallet_url=wallet_url,
            webhook_url=webhook_url,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc

    async def work(session: AsyncSession, runtime: Runtime) -> tuple[int, str]:
        operator, secret = await service.create_operator(
            session, runtime.secrets, data, runtime.egress
        )
        return operator.id, secret

    operator_id, secret = run_unit(work)
    console.print(f"operator [bold]{slug}[/bold] created (operatorId {operator_id})")
    console.print(f"outbound secret (shown once): [bold]{secret}[/bold]")


@operator_app.command("update")
def operator_update(
    operator: SlugOption,
    allowed_origin: Annotated[
        list[str] | None,
        typer.Option(help="An origin that may frame the player app (repeat; replaces the list)."),
    ] = None,
    theme: Annotated[
        str | None,
        typer.Option(help='The app theme as JSON, e.g. \'{"primary": "#0b6e4f"}\' (replaces it).'),
    ] = None,
    max_reels: Annotated[int | None, typer.Option(help="Reels per open, 1-10.")] = None,
    session_idle_minutes: Annotated[
        int | None, typer.Option(help="A player session ends after this long idle.")
    ] = None,
    session_max_minutes: Annotated[
        int | None, typer.Option(help="A player session ends this long after it began.")
    ] = None,
) -> None:
    """Change the player app settings of an operator (only what is given)."""
    sent = {
        "allowed_origins": allowed_origin,
        "theme": None if theme is None else _json(theme, "--theme"),
        "max_reels": max_reels,
        "session_idle_minutes": session_idle_minutes,
        "session_max_minutes": session_max_minutes,
    }
    try:
        data = OperatorUpdate.model_validate({k: v for k, v in sent.items() if v is not None})
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc

    async def work(session: AsyncSession, runtime: Runtime) -> None:
        await service.vet_update(GLOBAL, data, runtime.egress)
        found = await service.operator_for(session, GLOBAL, operator)
        await service.update_operator(session, found, data)

    run_unit(work)
    console.print(f"operator [bold]{operator}[/bold] updated")


def _json(text: str, option: str) -> object:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{option} must be JSON: {exc}") from exc


@operator_app.command("list")
def operator_list() -> None:
    """List operators with their base currency and status."""

    async def work(session: AsyncSession, _runtime: Runtime) -> list[tuple[int, str, str, str]]:
        found = await service.list_operators(session, GLOBAL)
        return [(o.id, o.slug, o.base_currency, o.status) for o in found]

    for operator_id, slug, currency, status in run_unit(work):
        console.print(f"{operator_id:>5}  {slug:<24} {currency}  {status}")


@key_app.command("create")
def key_create(
    operator: SlugOption, label: Annotated[str, typer.Option(help="A note.")] = ""
) -> None:
    """Create an S2S key and print its id and secret (the secret is shown once)."""

    async def work(session: AsyncSession, runtime: Runtime) -> tuple[str, str]:
        found = await service.operator_for(session, GLOBAL, operator)
        key, secret = await service.create_key(session, runtime.secrets, found, label)
        return key.key_id, secret

    key_id, secret = run_unit(work)
    console.print(f"key id: [bold]{key_id}[/bold]\nsecret (shown once): [bold]{secret}[/bold]")


@key_app.command("revoke")
def key_revoke(
    operator: SlugOption, key_id: Annotated[str, typer.Argument(help="The igk_… key id.")]
) -> None:
    """Revoke a key; requests signed with it are refused from now on."""

    async def work(session: AsyncSession, _runtime: Runtime) -> None:
        found = await service.operator_for(session, GLOBAL, operator)
        await service.revoke_key(session, found, key_id)

    run_unit(work)
    console.print(f"key {key_id} revoked")


@currency_app.command("set")
def currency_set(
    operator: SlugOption,
    code: Annotated[str, typer.Option(help="ISO-4217 code.")],
    rate: Annotated[str, typer.Option(help="1 unit = RATE base units, e.g. 0.92.")],
    digits: Annotated[int | None, typer.Option(help="Minor digits (default: ISO).")] = None,
) -> None:
    """Accept a currency at a rate to the operator's base currency."""

    async def work(session: AsyncSession, _runtime: Runtime) -> None:
        found = await service.operator_for(session, GLOBAL, operator)
        await rates.set_rate(session, found, code.upper(), rate, digits)

    run_unit(work)
    console.print(f"{code.upper()} set at {rate}")


def admin_token(
    operator: Annotated[
        str | None, typer.Option("--operator", "-o", help="Limit the token to one operator.")
    ] = None,
    label: Annotated[str, typer.Option(help="A note.")] = "",
) -> None:
    """Create an admin API token (global, or for one operator) and print it once."""

    async def work(session: AsyncSession, _runtime: Runtime) -> str:
        found = None if operator is None else await service.operator_for(session, GLOBAL, operator)
        return await service.create_admin_token(session, found, label)

    token = run_unit(work)
    console.print(f"admin token (shown once): [bold]{token}[/bold]")
