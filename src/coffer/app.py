"""The application factory: routers, middleware and error handlers, nothing else."""

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from coffer import __version__
from coffer.api.errors import ErrorRenderer, install_error_handlers
from coffer.api.examples import ExampleRecorder, add_examples, recorder_path
from coffer.api.glossary import describe
from coffer.api.middleware import BodyLimitMiddleware, RequestIdMiddleware
from coffer.api.openapi import secure
from coffer.kit.logs import log_requests
from coffer.kit.settings import Settings, get_settings
from coffer.runtime import Runtime
from coffer.web.admin.render import SignInNeeded, to_sign_in

WORKER_TASK = "coffer-worker"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the ASGI app; tests pass their own runtime, production builds one from settings."""
    settings = settings or (runtime.settings if runtime else get_settings())
    owned = runtime is None
    rt = runtime or Runtime.from_settings(settings)
    if settings.access_log:  # each uvicorn worker process builds its app here
        log_requests(settings.log_format)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from coffer.jobs import run_all

        task = None
        if settings.background_jobs:
            task = asyncio.create_task(run_all(rt), name=WORKER_TASK)
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if owned:
            await rt.close()

    app = FastAPI(
        # No trailing-slash redirects: Starlette builds their Location from the Host header.
        redirect_slashes=False,
        title="Coffer",
        version=__version__,
        description="Loot boxes and player vaults with provably fair draws.",
        lifespan=lifespan,
        docs_url=None,  # coffer.web.docs serves /docs from local files
        redoc_url=None,
    )
    app.state.runtime = rt
    install_error_handlers(app, error_renderers())
    app.add_exception_handler(SignInNeeded, to_sign_in)
    documented = routers()
    hot = hot_routers()
    # Requests match routes in the order they were included, at a few µs per route: the hot
    # paths go first, while the OpenAPI document keeps the surfaces' own order.
    for router in sorted(documented, key=lambda router: router not in hot):
        app.include_router(router)
    app.openapi = functools.partial(documented_openapi, app, documented)  # type: ignore[method-assign]
    mount_files(app)
    add_middleware(app, settings)
    return app


def add_middleware(app: FastAPI, settings: Settings) -> None:
    """The body limit, request ids, and (for scripts/examples.py only) the example recorder."""
    app.add_middleware(
        BodyLimitMiddleware,
        limit=settings.body_limit_bytes,
        admin_limit=settings.admin_body_limit_bytes,
    )
    app.add_middleware(RequestIdMiddleware)
    if (record := recorder_path()) is not None:
        app.add_middleware(ExampleRecorder, path=record)


def mount_files(app: FastAPI) -> None:
    """The pages' scripts and styles, and Swagger UI's, all served by Coffer itself."""
    from coffer.web.admin.render import HERE as BACK_OFFICE
    from coffer.web.docs import ASSETS as DOCS
    from coffer.web.play import HERE as PAGES

    app.mount("/play/static", StaticFiles(directory=PAGES / "static"), name="play-static")
    app.mount("/docs/assets", StaticFiles(directory=str(DOCS)), name="docs-assets")
    app.mount("/admin/static", StaticFiles(directory=BACK_OFFICE / "static"), name="admin-static")


def hot_routers() -> list[APIRouter]:
    """The routers of the paths an operator's load goes through: purchases and player orders."""
    from coffer.api.orders import routes as orders_api
    from coffer.api.s2s import purchases

    return [orders_api.router, purchases.router]


def documented_openapi(app: FastAPI, documented: list[APIRouter]) -> dict[str, Any]:
    """FastAPI's OpenAPI document, its routes in the order of ``routers()``."""
    if app.openapi_schema is None:
        place = {id(router): n for n, router in enumerate(documented)}

        def order(route: Any) -> int:
            return place.get(id(getattr(route, "original_router", None)), len(place))

        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=sorted(app.routes, key=order),
        )
        secure(document)
        describe(document)
        add_examples(document)
        app.openapi_schema = document
    return app.openapi_schema


def error_renderers() -> dict[str, ErrorRenderer]:
    """Each surface's error shape, by path prefix."""
    from coffer.api import admin, lootlocker, orders, play, playfab, public, s2s
    from coffer.web.admin import render as back_office

    return {
        "/admin": back_office.ERRORS,
        "/inventory/v1": orders.ERRORS,
        "/compat/playfab": playfab.ERRORS,
        "/compat/lootlocker": lootlocker.ERRORS,
        "/api/s2s": s2s.ERRORS,
        "/api/play": play.ERRORS,
        "/api/admin": admin.ERRORS,
        "/fairness": public.ERRORS,
    }


def routers() -> list[APIRouter]:
    """Every surface's routers, in the order they appear in the OpenAPI document."""
    from coffer.api.admin import audit as admin_audit
    from coffer.api.admin import catalog as admin_catalog
    from coffer.api.admin import ledger as admin_ledger
    from coffer.api.admin import limits as admin_limits
    from coffer.api.admin import loot as admin_loot
    from coffer.api.admin import operators as admin_operators
    from coffer.api.admin import players as admin_players
    from coffer.api.admin import privacy as admin_privacy
    from coffer.api.admin import reconcile as admin_reconcile
    from coffer.api.admin import shipping as admin_shipping
    from coffer.api.admin import simulation as admin_simulation
    from coffer.api.admin import webhooks as admin_webhooks
    from coffer.api.play import rounds as play_rounds
    from coffer.api.play import session as play_session
    from coffer.api.play import vault as play_vault
    from coffer.api.play import wallet as play_wallet
    from coffer.api.public import fairness as public_fairness
    from coffer.api.public import health, metrics
    from coffer.web import docs as docs_page
    from coffer.web import play as play_page
    from coffer.web.admin import auth as back_office_auth
    from coffer.web.admin import economy as back_office_economy
    from coffer.web.admin import pages as back_office

    admin = [admin_operators, admin_catalog, admin_simulation, admin_ledger, admin_loot]
    staff = [admin_shipping, admin_webhooks, admin_players, admin_limits]
    staff += [admin_privacy, admin_audit, admin_reconcile]
    play = [play_session, play_rounds, play_vault, play_wallet]
    return [
        health.router,
        metrics.router,
        *(module.router for module in admin),
        *s2s_routers(),
        *(module.router for module in staff),
        *(module.router for module in play),
        *compat_routers(),
        public_fairness.router,
        play_page.router,
        docs_page.router,
        back_office_auth.router,
        back_office.router,
        back_office_economy.router,
    ]


def s2s_routers() -> list[APIRouter]:
    """The signed server-to-server API's routers."""
    from coffer.api.s2s import (
        catalog,
        containers,
        fairness,
        history,
        inventory,
        items,
        launches,
        ledger,
        purchases,
        shipping,
    )

    modules = [
        catalog, purchases, history, inventory, items, containers, shipping, ledger, fairness,
        launches,
    ]  # fmt: skip
    return [module.router for module in modules]


def compat_routers() -> list[APIRouter]:
    """The surfaces that speak other vendors' APIs (SPEC §14)."""
    from coffer.api.lootlocker import routes as lootlocker
    from coffer.api.orders import routes as orders_api
    from coffer.api.playfab import routes as playfab

    return [orders_api.router, playfab.router, *lootlocker.ROUTERS]
