"""The application factory: routers, middleware and error handlers, nothing else."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from coffer import __version__
from coffer.health.routes import router as health_router
from coffer.operators.routes import router as operators_router
from coffer.runtime import Runtime
from coffer.settings import Settings, get_settings
from coffer.web.errors import install_error_handlers
from coffer.web.middleware import BodyLimitMiddleware, RequestIdMiddleware

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
        title="Coffer",
        version=__version__,
        description="Loot boxes and player vaults with provably fair draws.",
        lifespan=lifespan,
    )
    app.state.runtime = rt
    install_error_handlers(app)
    for router in routers():
        app.include_router(router)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=settings.body_limit_bytes,
        admin_limit=settings.admin_body_limit_bytes,
    )
    app.add_middleware(RequestIdMiddleware)
    return app


def routers() -> list[APIRouter]:
    """Every feature's routers, in the order they appear in the OpenAPI document."""
    from coffer.catalog.routes import admin_router as catalog_admin
    from coffer.catalog.routes import public_router as catalog_public
    from coffer.catalog.routes import s2s_router as catalog_s2s
    from coffer.fairness.routes import router as fairness_s2s
    from coffer.rounds.routes import router as rounds_s2s
    from coffer.shipping.routes import admin_router as shipping_admin
    from coffer.shipping.routes import s2s_router as shipping_s2s
    from coffer.vault.routes import router as vault_s2s
    from coffer.wallet.routes import router as history_s2s
    from coffer.webhooks.routes import router as webhooks_admin

    return [
        health_router,
        operators_router,
        catalog_admin,
        catalog_s2s,
        rounds_s2s,
        history_s2s,
        vault_s2s,
        shipping_s2s,
        shipping_admin,
        webhooks_admin,
        fairness_s2s,
        catalog_public,
    ]
