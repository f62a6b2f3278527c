"""Seed pairs over S2S: lazy creation, rotation with reveal, nonces, tenancy."""

import asyncio

import httpx
import pytest
from sqlalchemy import select

from coffer.fairness import algorithm, service
from coffer.fairness.models import SeedPair
from coffer.players.service import ensure_player
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx, make_operator
from tests.support.api import AdminApi
from tests.support.db import count_rows

STATE = "/api/s2s/fairness/state"
ROTATE = "/api/s2s/fairness/rotate"


async def test_state_is_created_once_and_stable(operator: OperatorCtx, runtime: Runtime) -> None:
    first = (await operator.s2s.get(STATE, {"playerExternalId": "u_1"})).json()
    again = (await operator.s2s.get(STATE, {"playerExternalId": "u_1"})).json()
    assert first == again
    assert first["nextNonce"] == 0
    assert first["algorithmKey"] == "hmac_sha256_v1"
    assert len(first["serverSeedHash"]) == 64
    assert algorithm.is_valid_client_seed(first["clientSeed"])
    assert await count_rows(runtime, SeedPair) == 1


async def test_rotate_reveals_the_committed_seed(operator: OperatorCtx, runtime: Runtime) -> None:
    before = (await operator.s2s.get(STATE, {"playerExternalId": "u_1"})).json()
    response = await operator.s2s.post(
        ROTATE, {"playerExternalId": "u_1", "clientActionId": "rot-1", "clientSeed": "lucky"}
    )
    assert response.status_code == 200, response.text
    rotated = response.json()
    revealed = rotated["revealed"]
    assert revealed["serverSeedHash"] == before["serverSeedHash"]
    assert algorithm.server_seed_hash(revealed["serverSeed"]) == before["serverSeedHash"]
    assert revealed["clientSeed"] == before["clientSeed"]
    assert rotated["current"]["clientSeed"] == "lucky"
    assert rotated["current"]["nextNonce"] == 0
    assert rotated["current"]["serverSeedHash"] != before["serverSeedHash"]
    after = (await operator.s2s.get(STATE, {"playerExternalId": "u_1"})).json()
    assert after == rotated["current"]
    async with runtime.sessions() as session:
        pairs = (await session.execute(select(SeedPair).order_by(SeedPair.id))).scalars().all()
    assert [p.status for p in pairs] == ["revealed", "active"]
    assert pairs[0].revealed_server_seed == revealed["serverSeed"]
    assert revealed["serverSeed"] not in pairs[1].server_seed_sealed


@pytest.mark.parametrize("seed", ["", "x" * 65, "naïve", "tab\t", "nul\x00"])
async def test_invalid_client_seed_changes_nothing(
    operator: OperatorCtx, runtime: Runtime, seed: str
) -> None:
    before = (await operator.s2s.get(STATE, {"playerExternalId": "u_1"})).json()
    response = await operator.s2s.post(
        ROTATE, {"playerExternalId": "u_1", "clientActionId": "rot-1", "clientSeed": seed}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "INVALID_CLIENT_SEED"
    assert (await operator.s2s.get(STATE, {"playerExternalId": "u_1"})).json() == before
    assert await count_rows(runtime, SeedPair) == 1


async def test_nonces_are_taken_once_and_never_from_a_revealed_seed(
    operator: OperatorCtx, runtime: Runtime
) -> None:
    from coffer.operators.models import Operator

    async with runtime.sessions() as session:
        acme = await session.get(Operator, operator.operator_id)
        assert acme is not None
        player = await ensure_player(session, acme, "u_1")
        pair = await service.active_pair(session, runtime.secrets, player)
        taken = [await service.reserve_nonce(session, pair) for _ in range(3)]
        await service.rotate(session, runtime.secrets, player)
        with pytest.raises(Exception, match="rotated"):
            await service.reserve_nonce(session, pair)
        await session.commit()
    assert taken == [0, 1, 2]


async def test_concurrent_first_use_makes_one_pair(operator: OperatorCtx, runtime: Runtime) -> None:
    responses = await asyncio.gather(
        *[operator.s2s.get(STATE, {"playerExternalId": "u_9"}) for _ in range(8)]
    )
    assert {r.status_code for r in responses} == {200}
    assert len({r.json()["serverSeedHash"] for r in responses}) == 1
    assert await count_rows(runtime, SeedPair) == 1


async def test_same_external_id_is_a_different_player_per_operator(
    operator: OperatorCtx, admin: AdminApi, client: httpx.AsyncClient
) -> None:
    other = await make_operator(admin, client, "globex")
    mine = (await operator.s2s.get(STATE, {"playerExternalId": "u_1"})).json()
    rotated = (
        await other.s2s.post(ROTATE, {"playerExternalId": "u_1", "clientActionId": "rot-1"})
    ).json()
    assert rotated["revealed"]["serverSeedHash"] != mine["serverSeedHash"]
    assert (await operator.s2s.get(STATE, {"playerExternalId": "u_1"})).json() == mine


async def test_concurrent_rotations_each_reveal_one_pair(
    operator: OperatorCtx, runtime: Runtime
) -> None:
    await operator.s2s.get(STATE, {"playerExternalId": "u_1"})
    responses = await asyncio.gather(
        *[
            operator.s2s.post(ROTATE, {"playerExternalId": "u_1", "clientActionId": f"rot-{n}"})
            for n in range(12)
        ]
    )
    assert [r.status_code for r in responses] == [200] * 12, [r.text for r in responses]
    revealed = {r.json()["revealed"]["serverSeed"] for r in responses}
    assert len(revealed) == 12
    async with runtime.sessions() as session:
        statuses = (await session.execute(select(SeedPair.status))).scalars().all()
    assert sorted(statuses) == ["active"] + ["revealed"] * 12


async def test_a_replayed_rotation_answers_the_first_and_rotates_nothing(
    operator: OperatorCtx, runtime: Runtime
) -> None:
    body = {"playerExternalId": "u_1", "clientActionId": "rot-once", "clientSeed": "lucky"}
    first = await operator.s2s.post(ROTATE, body)
    assert first.status_code == 200, first.text
    replays = await asyncio.gather(*[operator.s2s.post(ROTATE, body) for _ in range(5)])
    assert [(r.status_code, r.content) for r in replays] == [(200, first.content)] * 5
    async with runtime.sessions() as session:
        statuses = (await session.execute(select(SeedPair.status))).scalars().all()
    assert sorted(statuses) == ["active", "revealed"]  # one rotation, not six
    state = (await operator.s2s.get(STATE, {"playerExternalId": "u_1"})).json()
    assert state == first.json()["current"]


async def test_a_rotation_key_reused_for_another_seed_is_refused(
    operator: OperatorCtx, runtime: Runtime
) -> None:
    body = {"playerExternalId": "u_1", "clientActionId": "rot-x", "clientSeed": "lucky"}
    assert (await operator.s2s.post(ROTATE, body)).status_code == 200
    reused = await operator.s2s.post(ROTATE, {**body, "clientSeed": "other"})
    assert reused.status_code == 409, reused.text
    assert reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    async with runtime.sessions() as session:
        statuses = (await session.execute(select(SeedPair.status))).scalars().all()
    assert sorted(statuses) == ["active", "revealed"]
