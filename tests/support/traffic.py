"""An operator's backend talking to two Coffer nodes: every action goes to BOTH nodes at once
with the same ``clientActionId`` (or cancel / cashout ``idempotencyKey``), as a retrying backend
behind a load balancer would; a request a node cannot take (it was killed) goes to the other.

Kinds of action, by index: a cash-box purchase, a sword-box purchase, a prepay then its cancel,
a sword purchase then the cashout of the sword won.
"""

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.api import SignedClient
from tests.support.nodes import Node

PURCHASE, CANCEL, CASHOUT = "/api/s2s/purchase", "/api/s2s/cancel", "/api/s2s/cashout"
KINDS = ("cash", "sword", "cancel", "cashout")
DOWN = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
REQUEST_SECONDS = 60.0  # a retry of an action a killed node left open waits for the resolver


@dataclass(frozen=True)
class Catalog:
    """What the actions buy: box versions and the players (the last ones have no money)."""

    sword_version: int
    cash_version: int
    players: list[str]


def purchase(player: str, key: str, version: int, mode: str = "open") -> dict[str, Any]:
    """A purchase of one reel of ``version``."""
    return {
        "playerExternalId": player,
        "gameKey": "mystery_box",
        "clientActionId": key,
        "reels": [{"reelIndex": 0, "boxVersionId": version}],
        "mode": mode,
    }


@dataclass
class Pair:
    """One step of an action as both nodes answered it."""

    step: str
    key: str
    path: str
    request: dict[str, Any]
    answers: tuple[httpx.Response, httpx.Response]

    def same(self) -> bool:
        first, second = self.answers
        return (first.status_code, first.json()) == (second.status_code, second.json())

    @property
    def body(self) -> Any:
        return self.answers[0].json()


@dataclass
class Traffic:
    """The load: ``run`` sends every action to both nodes, ``chaos`` fires at a count of actions."""

    nodes: tuple[Node, Node]
    key_id: str
    secret: str
    catalog: Catalog
    pairs: list[Pair] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    served: Counter[str] = field(default_factory=Counter)
    done: int = 0
    chaos: dict[int, Callable[[], Awaitable[None]]] = field(default_factory=dict)
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    async def run(self, actions: int, concurrency: int) -> None:
        """Every action once, ``concurrency`` at a time."""
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int) -> None:
            async with gate:
                await self.act(index)
            self.done += 1
            if self.done in self.chaos:
                await self.chaos.pop(self.done)()

        for node in self.nodes:
            assert node.url is not None
            self.clients[node.name] = httpx.AsyncClient(base_url=node.url, timeout=REQUEST_SECONDS)
        try:
            await asyncio.gather(*(one(i) for i in range(actions)))
        finally:
            for client in self.clients.values():
                await client.aclose()

    async def act(self, index: int) -> None:
        """One action of the kind its index picks, for the player its index picks."""
        kind, player = KINDS[index % len(KINDS)], self.catalog.players[index % 20]
        key = f"act-{index}-{kind}"
        version = self.catalog.cash_version if kind == "cash" else self.catalog.sword_version
        body = purchase(player, key, version, "prepay" if kind == "cancel" else "open")
        bought = await self.both("purchase", key, PURCHASE, body)
        if kind == "cancel" and bought.answers[0].status_code == 201:
            round_id = bought.body["round"]["publicId"]
            cancel = {"playerExternalId": player, "roundPublicId": round_id}
            await self.both("cancel", key, CANCEL, {**cancel, "idempotencyKey": f"{key}-cancel"})
        if kind == "cashout" and bought.answers[0].status_code == 200:
            [won] = bought.body["round"]["wonItems"]
            cashout = {"playerExternalId": player, "currency": "EUR"}
            cashout |= {"inventoryItemId": won["inventoryItemId"], "idempotencyKey": f"{key}-cash"}
            await self.both("cashout", key, CASHOUT, cashout)

    async def both(self, step: str, key: str, path: str, body: dict[str, Any]) -> Pair:
        """The same request to both nodes at once."""
        first, second = self.nodes
        answers = await asyncio.gather(self.send(first, path, body), self.send(second, path, body))
        pair = Pair(step, key, path, body, (answers[0], answers[1]))
        self.pairs.append(pair)
        return pair

    async def send(self, node: Node, path: str, body: dict[str, Any]) -> httpx.Response:
        """Send to ``node``; when it cannot take the request, to the other node instead."""
        target = node
        for _ in range(4):
            client = SignedClient(self.clients[target.name], self.key_id, self.secret)
            try:
                answer = await client.post(path, body)
            except DOWN:
                self.refused[target.name] += 1
                target = self.nodes[1] if target is self.nodes[0] else self.nodes[0]
                continue
            self.served[f"{target.name}#{target.starts}"] += 1
            return answer
        raise AssertionError(f"no node took {path} {json.dumps(body)}")
