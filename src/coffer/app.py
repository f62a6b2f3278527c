"""The application factory: routers, middleware and error handlers, nothing else."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from coffer import __version__
from coffer.api.errors import ErrorRenderer, install_error_handlers
from coffer.api.middleware import BodyLimitMiddleware, RequestIdMiddleware
from coffer.kit.settings import Settings, get_settings
from coffer.runtime import Runtime

WORKER_TASK = "coffer-worker"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the ASGI app; tests pass their own runtime, production builds one from settings."""
    settings = settings or (runtime.settings if runtime else get_settings())
    owned = runtime is None
    rt = runtime or Runtime.from_settings(settings)

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
    )
    app.state.runtime = rt
    install_error_handlers(app, error_renderers())
    for router in routers():
        app.include_router(router)
    from coffer.web.play import HERE as PAGES

    app.mount("/play/static", StaticFiles(directory=PAGES / "static"), name="play-static")
    app.add_middleware(
        BodyLimitMiddleware,
        limit=settings.body_limit_bytes,
        admin_limit=settings.admin_body_limit_bytes,
    )
    app.add_middleware(RequestIdMiddleware)
    return app


def error_renderers() -> dict[str, ErrorRenderer]:
    """Each surface's error shape, by path prefix."""
    from coffer.api import admin, play, public, s2s

    return {
        "/api/s2s": s2s.ERRORS,
        "/api/play": play.ERRORS,
        "/api/admin": admin.ERRORS,
        "/fairness": public.ERRORS,
    }


def routers() -> list[APIRouter]:
    """Every surface's routers, in the order they appear in the OpenAPI document."""
    from coffer.api.admin import catalog as admin_catalog
    from coffer.api.admin import ledger as admin_ledger
    from coffer.api.admin import operators as admin_operators
    from coffer.api.admin import players as admin_players
    from coffer.api.admin import shipping as admin_shipping
    from coffer.api.admin import webhooks as admin_webhooks
    from coffer.api.play import rounds as play_rounds
    from coffer.api.play import session as play_session
    from coffer.api.play import vault as play_vault
    from coffer.api.play import wallet as play_wallet
    from coffer.api.public import fairness as public_fairness
    from coffer.api.public import health
    from coffer.api.s2s import catalog as s2s_catalog
    from coffer.api.s2s import fairness as s2s_fairness
    from coffer.api.s2s import history as s2s_history
    from coffer.api.s2s import inventory as s2s_inventory
    from coffer.api.s2s import launches as s2s_launches
    from coffer.api.s2s import ledger as s2s_ledger
    from coffer.api.s2s import purchases as s2s_purchases
    from coffer.api.s2s import shipping as s2s_shipping
    from coffer.web import play as play_page

    return [
        health.router,
        admin_operators.router,
        admin_catalog.router,
        admin_ledger.router,
        s2s_catalog.router,
        s2s_purchases.router,
        s2s_history.router,
        s2s_inventory.router,
        s2s_shipping.router,
        s2s_ledger.router,
        admin_shipping.router,
        admin_webhooks.router,
        admin_players.router,
        s2s_fairness.router,
        s2s_launches.router,
        play_session.router,
        play_rounds.router,
        play_vault.router,
        play_wallet.router,
        public_fairness.router,
        play_page.router,
    ]
