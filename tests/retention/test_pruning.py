"""Retention: what is past its window goes in short batches; everything else stays."""

import dataclasses
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select, update

from coffer import jobs
from coffer.audit.models import AuditEntry
from coffer.inventory.models import Entitlement, InventoryItem
from coffer.kit.settings import Settings
from coffer.ledger.models import LedgerPosting
from coffer.operators.models import ServerSession
from coffer.play.models import Launch, PlaySession
from coffer.retention import pruning
from coffer.rounds.models import Round
from coffer.runtime import Runtime
from coffer.seamless.models import WalletAttempt, WalletInstruction
from coffer.webhooks.models import WebhookAttempt, WebhookEvent
from tests.conftest import OperatorCtx
from tests.support.db import count_rows
from tests.support.retention import (
    FUTURE,
    NOW,
    OLD,
    RECENT,
    attempts_of,
    audit_entry,
    events_with_attempts,
    launch_and_session,
    server_session,
    surviving,
)
from tests.support.shop import PLAYER, Shop, shop

__all__ = ["shop"]
MONEY = (Round, WalletInstruction, WalletAttempt, LedgerPosting, InventoryItem, Entitlement)


async def test_delivered_events_past_the_window_go_with_their_attempts(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    op = operator.operator_id
    old = await events_with_attempts(runtime, op, 3, "delivered", OLD, attempts_each=2)
    recent = await events_with_attempts(runtime, op, 2, "delivered", RECENT)
    # Redelivered by staff (pending again, delivered_at kept) or failed: never pruned.
    pending = await events_with_attempts(runtime, op, 1, "pending", OLD, attempts_each=3)
    failed = await events_with_attempts(runtime, op, 1, "failed", None, attempts_each=4)
    kept = recent + pending + failed
    assert await count_rows(runtime, WebhookAttempt) == 6 + 2 + 3 + 4

    counts = await jobs.prune_once(runtime, NOW)

    assert (counts["webhook_events"], counts["webhook_attempts"]) == (3, 6)
    assert await surviving(runtime, WebhookEvent, old + kept) == sorted(kept)
    assert await attempts_of(runtime, old) == 0
    assert await attempts_of(runtime, kept) == 2 + 3 + 4
    again = await jobs.prune_once(runtime, NOW)
    assert set(again.values()) == {0}


async def test_pruning_loops_over_short_batches_until_nothing_is_due(
    runtime: Runtime, operator: OperatorCtx, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = await events_with_attempts(runtime, operator.operator_id, 5, "delivered", OLD)
    small = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"retention_batch": 2})
    )
    picked: list[tuple[str, int]] = []
    real = pruning.prune_batch

    async def spy(*args: object, **kwargs: object) -> tuple[int, pruning.Counts]:
        found = await real(*args, **kwargs)  # type: ignore[arg-type]
        picked.append((args[1].table, found[0]))  # type: ignore[attr-defined]
        return found

    monkeypatch.setattr(pruning, "prune_batch", spy)
    counts = await jobs.prune_once(small, NOW)

    assert counts["webhook_events"] == counts["webhook_attempts"] == 5
    assert [n for table, n in picked if table == "webhook_events"] == [2, 2, 1]
    assert await surviving(runtime, WebhookEvent, old) == []


async def test_sessions_go_once_ended_past_the_window_and_live_ones_stay(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    op = operator.operator_id
    ended_launch, ended = await launch_and_session(runtime, op, OLD, OLD)
    recent_launch, recent = await launch_and_session(runtime, op, OLD, RECENT)
    live_launch, live = await launch_and_session(runtime, op, OLD, FUTURE)
    unused_old, _ = await launch_and_session(runtime, op, OLD, None)
    unused_recent, _ = await launch_and_session(runtime, op, RECENT, None)
    servers = [await server_session(runtime, op, when) for when in (OLD, RECENT, FUTURE)]
    async with runtime.sessions() as session:
        foreseen = await pruning.preview(session, pruning.Windows.of(runtime.settings), NOW)

    counts = await jobs.prune_once(runtime, NOW)

    assert counts == foreseen  # the dry run counts the launches the sessions' pruning frees

    assert (counts["play_sessions"], counts["launches"], counts["server_sessions"]) == (1, 2, 1)
    assert await surviving(runtime, PlaySession, [ended, recent, live]) == [recent, live]
    launches = [ended_launch, recent_launch, live_launch, unused_old, unused_recent]
    # A launch stays while its session does, whenever the launch itself expired.
    kept = sorted([recent_launch, live_launch, unused_recent])
    assert await surviving(runtime, Launch, launches) == kept
    assert await surviving(runtime, ServerSession, servers) == servers[1:]


async def test_audit_entries_are_kept_for_the_audit_window(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    op = operator.operator_id
    ancient = await audit_entry(runtime, op, NOW - timedelta(days=1826))
    young = [await audit_entry(runtime, op, when) for when in (OLD, NOW)]

    counts = await jobs.prune_once(runtime, NOW)

    assert counts["audit_entries"] == 1
    assert await surviving(runtime, AuditEntry, [ancient, *young]) == young


def test_an_audit_window_under_90_days_is_refused() -> None:
    with pytest.raises(ValidationError, match="must be kept at least 90 days"):
        Settings(audit_retention_days=89)
    assert Settings(audit_retention_days=90).audit_retention_days == 90
    defaults = Settings()
    assert (defaults.webhook_retention_days, defaults.session_retention_days) == (30, 30)
    assert (defaults.audit_retention_days, defaults.retention_batch) == (1825, 500)


async def test_money_records_are_never_pruned(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    for key, version in (("k-sword", shop.sword_version), ("k-bonus", shop.bonus_version)):
        reels = [{"reelIndex": 0, "boxVersionId": version}]
        assert (await shop.buy(key, reels=reels)).status_code == 200
    async with runtime.sessions() as session:
        await session.execute(update(WebhookEvent).values(status="delivered", delivered_at=OLD))
        await session.commit()
    before = [await count_rows(runtime, model) for model in MONEY]
    written = await count_rows(runtime, WebhookEvent)
    assert (before[0], before[5]) == (2, 1)  # two rounds, one bonus entitlement
    assert before[1] >= 2

    counts = await jobs.prune_once(runtime, NOW)

    assert counts["webhook_events"] == written >= 3  # round_settled twice, bonus_entitlement
    assert [await count_rows(runtime, model) for model in MONEY] == before
    assert await count_rows(runtime, WebhookEvent) == 0
    async with runtime.sessions() as session:
        [link] = (await session.scalars(select(Entitlement.event_id))).all()
    assert link is None  # unlinked from its pruned event, the entitlement itself kept
