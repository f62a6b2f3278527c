"""The reference casino run for real, and a client to call it; one pair for every casino test.

A test module tunes them with module constants: ``CASINO_OPTIONS`` (keyword arguments of
``CasinoServer``, e.g. fault hold times) and ``CLIENT_TIMEOUT`` (seconds, default 10).
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.casino import CasinoServer


@pytest.fixture
async def casino(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[CasinoServer]:
    options: dict[str, Any] = getattr(request.module, "CASINO_OPTIONS", {})
    async with CasinoServer(tmp_path / "casino.db", **options) as server:
        yield server
        server.assert_ledger_consistent()


@pytest.fixture
async def http(request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    timeout: float = getattr(request.module, "CLIENT_TIMEOUT", 10)
    async with httpx.AsyncClient(timeout=timeout) as client:
        yield client
