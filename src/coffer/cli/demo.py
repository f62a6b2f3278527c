"""Demo data for ``coffer serve --demo``: one operator, a small catalog, fresh credentials."""

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog import boxes, items, publish
from coffer.catalog.models import Box, Item
from coffer.catalog.schemas import BoxCreate, ItemCreate, PrizeIn
from coffer.cli.support import announce, console, run_unit
from coffer.kit.db import insert_ignoring_conflict, utcnow
from coffer.kit.secrets import token_hash
from coffer.kit.settings import Settings
from coffer.operators import service as operators
from coffer.operators.models import AdminToken, ApiKey, Operator
from coffer.operators.schemas import OperatorCreate
from coffer.play.launches import LaunchCommand, mint
from coffer.runtime import Runtime
from coffer_casino.settings import WALLET_PATH, WEBHOOK_PATH
from coffer_casino.wallet import Casino

DEMO_SLUG = "demo"
DEMO_LABEL = "demo (coffer serve --demo)"
IMG = "https://picsum.photos/seed/{}/256/256"

ITEMS: list[dict[str, object]] = [
    {
        "name": "Golden Sword",
        "type": "physical",
        "value_minor": 320,
        "cashback_bps": 2500,
        "shippable": True,
    },
    {
        "name": "Wireless Headphones",
        "type": "physical",
        "value_minor": 8999,
        "cashback_minor": 6000,
        "shippable": True,
    },
    {
        "name": "Retro Sneakers",
        "type": "physical",
        "value_minor": 12000,
        "cashback_bps": 7000,
        "shippable": True,
    },
    {"name": "€25 Gift Card", "type": "digital", "value_minor": 2500, "cashback_minor": 2250},
    {"name": "Indie Game Key", "type": "digital", "value_minor": 1999, "cashback_bps": 5000},
    {"name": "10 Free Spins", "type": "bonus", "value_minor": 200},
    {"name": "Deposit Match 50%", "type": "bonus", "value_minor": 500},
]


DEMO_PLAYER = "u_8431"
DEMO_BALANCES = {"EUR": 100_00, "USD": 100_00, "GBP": 100_00}


@dataclass(frozen=True)
class DemoCredentials:
    """What a newcomer needs to call the demo operator."""

    key_id: str
    secret: str
    admin_token: str | None
    created_catalog: bool
    outbound_secret: str
    launch_url: str | None = None


async def _seed_catalog(session: AsyncSession, operator: Operator) -> None:
    made: list[Item] = []
    for spec in ITEMS:
        data = ItemCreate.model_validate(
            {**spec, "currency": "EUR", "image_url": IMG.format(len(made))}
        )
        made.append(await items.create_item(session, operator, data))
    ids = [item.id for item in made]
    starter = BoxCreate(
        name="Starter Box",
        slug="starter",
        price_minor=500,
        currency="EUR",
        prizes=[
            PrizeIn(item_id=ids[0], weight=70_000),
            PrizeIn(item_id=ids[4], weight=7_000),
            PrizeIn(item_id=ids[5], weight=20_000),
            PrizeIn(cash_minor=1000, weight=2_900),
            PrizeIn(item_id=ids[1], weight=100),
        ],
        custom_attributes={"theme": "green"},
    )
    tech = BoxCreate(
        name="Tech Box",
        slug="tech",
        price_minor=2500,
        currency="EUR",
        prizes=[
            PrizeIn(item_id=ids[3], weight=40_000),
            PrizeIn(item_id=ids[6], weight=45_000),
            PrizeIn(item_id=ids[1], weight=9_000),
            PrizeIn(item_id=ids[2], weight=1_500),
            PrizeIn(cash_minor=10_000, weight=500),
        ],
        custom_attributes={"theme": "blue"},
    )
    for box in (starter, tech):
        view = await boxes.create_box(session, operator, box)
        await publish.publish(session, operator, view.box.id)


async def seed(
    session: AsyncSession, runtime: Runtime, casino_url: str | None = None
) -> DemoCredentials:
    """Create the demo operator and catalog once; every run prints the same demo credentials."""
    operator = (
        await session.execute(select(Operator).where(Operator.slug == DEMO_SLUG))
    ).scalar_one_or_none()
    created = operator is None
    if operator is None:
        data = OperatorCreate(slug=DEMO_SLUG, name="Demo Casino", base_currency="EUR")
        operator, _ = await operators.create_operator(
            session, runtime.secrets, data, runtime.egress
        )
        await operators.put_currency(session, operator, "USD", "0.92", None)
        await operators.put_currency(session, operator, "GBP", "1.17", None)
        await _seed_catalog(session, operator)
    if casino_url is not None:
        operator.wallet_url = f"{casino_url}{WALLET_PATH}"
        operator.webhook_url = f"{casino_url}{WEBHOOK_PATH}"
        if casino_url not in (operator.allowed_origins or []):  # the lobby frames the app
            operator.allowed_origins = [*(operator.allowed_origins or []), casino_url]
    key_id, secret = await _demo_key(session, runtime, operator)
    token = await _demo_admin_token(session, runtime)
    outbound = runtime.secrets.open(operator.outbound_secret_sealed)
    launch_url = None
    if casino_url is not None:
        launch_url = await _demo_launch(session, runtime, operator, casino_url)
    return DemoCredentials(key_id, secret, token, created, outbound, launch_url)


async def _demo_key(session: AsyncSession, runtime: Runtime, operator: Operator) -> tuple[str, str]:
    """The demo's live S2S key (made on the first run): a second run prints the same one, so
    a server another run started keeps working."""
    found = await session.scalar(
        select(ApiKey)
        .where(ApiKey.operator_id == operator.id, ApiKey.label == DEMO_LABEL)
        .where(ApiKey.revoked_at.is_(None))
        .order_by(ApiKey.id.desc())
    )
    if found is not None:
        return found.key_id, runtime.secrets.open(found.secret_sealed)
    key, secret = await operators.create_key(session, runtime.secrets, operator, DEMO_LABEL)
    return key.key_id, secret


async def _demo_admin_token(session: AsyncSession, runtime: Runtime) -> str | None:
    """A global admin token derived from the secret key, so every run prints the same one
    (None when COFFER_ADMIN_TOKEN is set); a new one only if staff revoked it."""
    if runtime.settings.admin_token:
        return None
    token = "cat_demo_" + runtime.secrets.derive("coffer demo admin token")
    row = {"operator_id": None, "token_hash": token_hash(token), "label": DEMO_LABEL,
           "created_at": utcnow()}  # fmt: skip
    await session.execute(insert_ignoring_conflict(session, AdminToken, row, ["token_hash"]))
    revoked = await session.scalar(
        select(AdminToken.revoked_at).where(AdminToken.token_hash == token_hash(token))
    )
    if revoked is not None:  # staff revoked it: a fresh token, never the revoked one
        return await operators.create_admin_token(session, None, DEMO_LABEL)
    return token


async def _demo_launch(
    session: AsyncSession, runtime: Runtime, operator: Operator, casino_url: str
) -> str:
    """A launch of the first live box for the demo player, framed by the casino's lobby."""
    first = await session.scalar(
        select(Box.id)
        .where(Box.operator_id == operator.id, Box.is_active)
        .where(Box.current_version_id.is_not(None))
        .order_by(Box.id)
    )
    command = LaunchCommand(
        DEMO_PLAYER, "mystery_box", target_box_id=first, parent_origin=casino_url
    )
    minted = await mint(session, operator, command, runtime.settings.base_url, utcnow())
    return minted.launch_url


def seed_and_print(
    base_url: str, casino_url: str | None = None, settings: Settings | None = None
) -> DemoCredentials:
    """Seed, then print the base URL and credentials a newcomer copies."""
    creds = run_unit(lambda session, runtime: seed(session, runtime, casino_url), settings)
    what = "created" if creds.created_catalog else "already there; its demo credentials again"
    token = creds.admin_token or "(COFFER_ADMIN_TOKEN from your environment)"
    console.print(f"\n[bold green]Coffer demo[/bold green] — operator '{DEMO_SLUG}' {what}")
    console.print(f"  base URL     {base_url}")
    console.print(f"  S2S key id   {creds.key_id}")
    console.print(f"  S2S secret   {creds.secret}")
    console.print(f"  admin token  {token}")
    console.print(f"  back office  {base_url}/admin  (sign in with the admin token)")
    console.print(f"  API docs     {base_url}/docs\n")
    if casino_url is not None:
        console.print(f"  casino       {casino_url}{WALLET_PATH} (player {DEMO_PLAYER})")
        lobby = f"{casino_url}/casino/lobby"
        console.print(f"  [bold]lobby[/bold]        {lobby}  (the player app in an iframe)")
        if creds.launch_url:
            console.print(f"  launch URL   {creds.launch_url}  (one use, 60 s)", soft_wrap=True)
    exports = f"COFFER_KEY_ID={creds.key_id} COFFER_SECRET={creds.secret}"
    if creds.admin_token:
        exports += f" COFFER_ADMIN_TOKEN={creds.admin_token}"
    console.print(f"  export {exports}\n", soft_wrap=True)
    return creds


async def _fund_demo_player(casino: Casino) -> None:
    """Give the demo player money on first start only (the casino keeps its own books)."""
    await casino.create_schema()
    for currency, amount in DEMO_BALANCES.items():
        if await casino.balance(DEMO_PLAYER, currency) == 0:
            await casino.deposit(DEMO_PLAYER, currency, amount)


def serve_with_casino(settings: Settings, host: str, port: int, casino_port: int) -> None:
    """Run Coffer and the reference casino side by side in one process (the demo)."""
    import uvicorn
    from pydantic import SecretStr

    from coffer.app import create_app
    from coffer_casino.app import casino_of, create_casino_app
    from coffer_casino.settings import CasinoSettings

    casino_url = f"http://{host}:{casino_port}"
    # The bundled casino runs on this host: allow it through the egress policy, nothing more.
    allowed = ",".join(filter(None, [settings.egress_allow, host]))
    settings = settings.model_copy(update={"egress_allow": allowed})
    creds = seed_and_print(f"http://{host}:{port}", casino_url, settings)
    casino_settings = CasinoSettings(
        outbound_secret=SecretStr(creds.outbound_secret),
        coffer_url=f"http://{host}:{port}",
        coffer_key_id=creds.key_id,
        coffer_key_secret=SecretStr(creds.secret),
    )
    casino_app = create_casino_app(casino_settings)

    async def main() -> None:
        await _fund_demo_player(casino_of(casino_app))
        servers = [
            uvicorn.Server(
                uvicorn.Config(create_app(settings), host=host, port=port, access_log=False)
            ),
            uvicorn.Server(
                uvicorn.Config(casino_app, host=host, port=casino_port, log_level="warning")
            ),
        ]
        listening = f"listening on http://{host}:{port}"
        await asyncio.gather(
            *(server.serve() for server in servers),
            announce(servers[:1], listening),
            _announce(servers, lobby),
        )

    lobby = f"{casino_url}/casino/lobby"
    asyncio.run(main())


async def _announce(servers: list[Any], lobby: str) -> None:
    """Say so once both servers listen (uvicorn's own line is muted by the casino's log level)."""
    while not all(server.started for server in servers):
        if any(server.should_exit for server in servers):
            return
        await asyncio.sleep(0.05)
    console.print(f"[bold green]Ready[/bold green]: open {lobby} in a browser", soft_wrap=True)
