"""Test fixtures: every database test runs on SQLite and, when reachable, on PostgreSQL."""

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from coffer.app import create_app
from coffer.kit.db import make_engine
from coffer.kit.settings import Settings
from coffer.migrate import upgrade_to_head
from coffer.models import Base
from coffer.runtime import Runtime
from tests.support.api import AdminApi, SignedClient

PG_URL = os.environ.get(
    "COFFER_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
PG_DATABASE = f"coffer_test_{os.getpid()}"  # one per run, so parallel runs never collide
IN_CI = os.environ.get("CI", "").lower() == "true"
ADMIN_TOKEN = "test-admin-token"
LOOPBACK = "127.0.0.0/8,::1"
SECRET_KEY = Fernet.generate_key().decode()

_pg_problem: str | None = None
_postgres_prepared = False


def pg_problem() -> str | None:
    """Why PostgreSQL cannot be used, once ``postgres_ready`` ran; None when it can."""
    return _pg_problem


def pg_test_url() -> str:
    """The migrated PostgreSQL test database."""
    return _pg_url_for(PG_DATABASE)


def _pg_url_for(database: str) -> str:
    return PG_URL.rsplit("/", 1)[0] + "/" + database


async def _prepare_postgres() -> str | None:
    """Recreate the test database and migrate it; returns why PostgreSQL is unusable, if so."""
    try:
        admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
            await conn.execute(text(f"CREATE DATABASE {PG_DATABASE}"))
        await admin.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    await asyncio.to_thread(upgrade_to_head, _pg_url_for(PG_DATABASE))
    return None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "coffer.db"
    upgrade_to_head(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_ready() -> None:
    global _pg_problem, _postgres_prepared
    _pg_problem = asyncio.run(_prepare_postgres())
    _postgres_prepared = True


_postgres_passed = 0
_postgres_skipped: list[str] = []
_browser_passed = 0
_browser_skipped: list[str] = []


def _is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count PostgreSQL and browser tests (under xdist the controller sees every report)."""
    global _postgres_passed, _browser_passed
    if report.nodeid.startswith("tests/browser/"):
        if report.when == "call" and report.passed:
            _browser_passed += 1
        elif report.skipped and isinstance(report.longrepr, tuple):
            _browser_skipped.append(str(report.longrepr[2]))
        return
    if "postgresql" not in report.nodeid:
        return
    if report.when == "call" and report.passed:
        _postgres_passed += 1
    elif report.skipped and isinstance(report.longrepr, tuple):
        _postgres_skipped.append(str(report.longrepr[2]))


async def _drop_postgres() -> None:
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
    await admin.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _pg_problem is None and _postgres_prepared:
        asyncio.run(_drop_postgres())
    if _is_xdist_worker(session.config):
        return  # the controller decides, having seen every worker's reports
    if IN_CI and _postgres_passed == 0 and session.testscollected:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if IN_CI and _browser_skipped:  # under CI the browser stories run or the suite fails
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if IN_CI:
        terminalreporter.write_line(f"PostgreSQL tests passed: {_postgres_passed}")
        if _postgres_passed == 0:
            terminalreporter.write_line("CI=true but no PostgreSQL test ran: failing the run.")
        terminalreporter.write_line(f"Browser tests passed: {_browser_passed}")
        if _browser_skipped:
            terminalreporter.write_line("CI=true but browser tests were skipped: failing the run.")
    elif _postgres_skipped:
        reason = _postgres_skipped[0].removeprefix("Skipped: ")
        terminalreporter.write_line(f"{len(_postgres_skipped)} PostgreSQL tests skipped: {reason}")
    if _browser_skipped and not IN_CI:
        reason = _browser_skipped[0].removeprefix("Skipped: ")
        terminalreporter.write_line(f"{len(_browser_skipped)} {reason}")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "coffer.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    request.getfixturevalue("postgres_ready")
    if _pg_problem is not None:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL is unusable: {_pg_problem}")
        pytest.skip(
            f"no server at {PG_URL} ({_pg_problem}); start one or set COFFER_TEST_POSTGRES_URL"
        )
    return _pg_url_for(PG_DATABASE)


async def truncate_all(url: str) -> None:
    engine = make_engine(url)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
async def runtime(database_url: str, tmp_path: Path) -> AsyncIterator[Runtime]:
    if database_url.startswith("postgresql"):
        await truncate_all(database_url)
    settings = Settings(
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        secret_key=SECRET_KEY,
        secret_key_file=str(tmp_path / "unused.key"),
        background_jobs=False,
        wallet_timeout_ms=1000,  # generous: the casino shares this process and its GIL
        egress_allow=LOOPBACK,  # the reference casino runs on loopback, allowed like the demo
    )
    rt = Runtime.from_settings(settings)
    yield rt
    await rt.close()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def admin(client: httpx.AsyncClient) -> AdminApi:
    return AdminApi(client, ADMIN_TOKEN)


@dataclass
class OperatorCtx:
    slug: str
    operator_id: int
    outbound_secret: str
    s2s: SignedClient


@pytest.fixture
async def operator(admin: AdminApi, client: httpx.AsyncClient) -> OperatorCtx:
    """Operator 'acme' (EUR base, USD at 0.92, JPY at 0.0061) with one live S2S key."""
    return await make_operator(admin, client, "acme")


async def make_operator(admin: AdminApi, client: httpx.AsyncClient, slug: str) -> OperatorCtx:
    created = await admin.create_operator(slug)
    await admin.put_currency(slug, "USD", "0.92")
    await admin.put_currency(slug, "JPY", "0.0061")
    key = await admin.create_key(slug)
    return OperatorCtx(
        slug=slug,
        operator_id=created["operatorId"],
        outbound_secret=created["outboundSecret"],
        s2s=SignedClient(client, key["keyId"], key["secret"]),
    )
