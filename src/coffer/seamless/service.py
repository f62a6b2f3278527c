"""The seamless wallet's interface for features: one sequence for every money instruction.

A feature writes an instruction (and its own change) in one transaction and hands back a
``Send``; ``exchange`` commits, calls the operator's wallet outside any transaction, then records
the answer and runs the feature's ``finish`` in a second one. ``finish`` may hand back another
``Send`` (a purchase's payout after its debit). The resolver finishes what a timeout or a crash
left open and tells the owning feature through the completion handler it registered for the
instruction's kind; this package never imports its callers.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, Literal, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coffer.kit.db import utcnow, write_session
from coffer.kit.secrets import SecretBox
from coffer.operators.models import Operator
from coffer.operators.outbound import signers
from coffer.seamless.client import CallResult, Uncertain, WalletClient, WalletRequest, WalletTarget
from coffer.seamless.instructions import add_instruction, as_credit, record_result, request_for
from coffer.seamless.models import WalletInstruction

__all__ = ["Gateway", "Send", "add_instruction", "apply", "exchange", "request_for"]

log = logging.getLogger("coffer.seamless")
R = TypeVar("R")

# What the wallet finally did with an instruction the resolver finished.
Finished = Literal["accepted", "refused", "rolled_back"]
Completion = Callable[[AsyncSession, WalletInstruction, Finished], Awaitable[None]]


def _now_retry(_result: CallResult) -> timedelta:
    return timedelta(0)


@dataclass(frozen=True)
class Send(Generic[R]):
    """An instruction written in the current transaction, to send once it commits.

    ``finish`` runs in the transaction that records the answer (``owned`` is False when the
    resolver took the instruction over meanwhile). ``abandon``, when given, answers instead if
    ``finish`` fails after the wallet answered: the instruction is then recorded as uncertain so
    the resolver undoes or completes it.
    """

    instruction_id: int
    target: WalletTarget
    request: WalletRequest
    finish: Callable[[AsyncSession, CallResult, bool], Awaitable["Send[R] | R"]]
    retry_refused: bool = False  # credits: a refusal is retried until accepted (SPEC §8)
    abandon: Callable[[AsyncSession, str], Awaitable[R]] | None = None
    retry_in: Callable[[CallResult], timedelta] = field(default=_now_retry)


@dataclass(frozen=True)
class Gateway:
    """What a feature needs to move money through operators' wallets."""

    sessions: async_sessionmaker[AsyncSession]
    client: WalletClient
    secrets: SecretBox
    timeout_ms: int
    retries: int
    handlers: Mapping[str, Completion] = field(default_factory=dict)
    writer: asyncio.Lock | None = None  # SQLite: this process's write transactions, in turn

    def writing(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A session for one of the money path's short write transactions."""
        return write_session(self.sessions, self.writer)

    def target(self, operator: Operator) -> WalletTarget:
        """The operator's wallet URL, outbound secret and timeout, read inside a transaction."""
        timeout_ms = operator.wallet_timeout_ms or self.timeout_ms
        signing = signers(operator, self.secrets)
        return WalletTarget(operator.wallet_url, signing.current, timeout_ms / 1000, signing.next)

    def grace(self, target: WalletTarget) -> timedelta:
        """How long a live request may own a pending instruction before the resolver takes it."""
        budget = target.timeout_s * (self.retries + 1) + 0.5 * self.retries
        return timedelta(seconds=budget + 10)

    def resolver_after(self, target: WalletTarget) -> datetime:
        return utcnow() + self.grace(target)


async def exchange(gateway: Gateway, begin: Callable[[AsyncSession], Awaitable[Send[R] | R]]) -> R:
    """Run ``begin`` in a transaction, then send and record each instruction it hands back."""
    async with gateway.writing() as session:
        step = await begin(session)
        await session.commit()
    while isinstance(step, Send):
        result = await gateway.client.call(step.target, step.request)
        step = await _after_answer(gateway, step, result)
    return step


async def apply(session: AsyncSession, step: Send[R], result: CallResult) -> Send[R] | R:
    """Record the wallet's answer and let the owning feature move on, in one transaction."""
    recorded = as_credit(result) if step.retry_refused else result
    retry_at = utcnow() + step.retry_in(result)
    owned = await record_result(session, step.instruction_id, recorded, retry_at=retry_at)
    return await step.finish(session, result, owned)


async def _after_answer(gateway: Gateway, step: Send[R], result: CallResult) -> Send[R] | R:
    try:
        async with gateway.writing() as session:
            following = await apply(session, step, result)
            await session.commit()
        return following
    except Exception as exc:
        if step.abandon is None:
            raise
        # The wallet may have applied it: record it as uncertain so the resolver finishes it.
        log.exception("finishing instruction %s failed; the resolver takes it", step.instruction_id)
        reason = f"settling failed after the wallet answered ({type(exc).__name__})"
        async with gateway.writing() as session:
            uncertain = CallResult(Uncertain(reason), result.attempts)
            await record_result(session, step.instruction_id, uncertain, retry_at=utcnow())
            answer = await step.abandon(session, reason)
            await session.commit()
        return answer
