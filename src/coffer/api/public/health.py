"""``/healthz`` says the process is up; ``/readyz`` says the database answers."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from coffer.api.deps import RuntimeDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is serving requests."""
    return {"status": "ok"}


class Readiness(BaseModel):
    """``ready`` or ``unavailable``; ``database`` is the dialect, or the error that stopped it."""

    status: str
    database: str


@router.get(
    "/readyz",
    responses={
        200: {"model": Readiness, "description": "The database answers"},
        503: {"model": Readiness, "description": "The database is unreachable"},
    },
)
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """Ready when a trivial query succeeds; 503 with the reason otherwise."""
    try:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means not ready
        return JSONResponse(
            {"status": "unavailable", "database": type(exc).__name__}, status_code=503
        )
    return JSONResponse({"status": "ready", "database": runtime.engine.dialect.name})
