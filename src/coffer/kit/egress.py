"""The egress policy: which addresses Coffer's outbound calls (wallet, webhooks) may reach.

By default loopback, private, link-local, multicast, unspecified and reserved addresses are
refused, IPv4 and IPv6 alike (an IPv4-mapped IPv6 address is judged as its IPv4 address), so a
tenant cannot aim Coffer at the host's or another tenant's internal services (SSRF). A global
setting allows named hosts or ranges (the demo and the tests allow the reference casino on
loopback that way). The check runs twice: when a URL is set (a clear 422) and on the address
actually connected to (``GuardedBackend``), so a name that resolves elsewhere later (DNS
rebinding) is refused too.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class EgressRefused(Exception):
    """An outbound call to an address the egress policy does not allow."""


@dataclass(frozen=True)
class EgressPolicy:
    """Refuse internal addresses unless a global administrator allowed the host or range."""

    networks: tuple[Network, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def allowing(cls, entries: Iterable[str]) -> "EgressPolicy":
        """From settings: each entry is a range (``10.0.0.0/8``), an address, or a host name."""
        networks, hosts = [], set()
        for entry in (e.strip() for e in entries):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower())
        return cls(tuple(networks), frozenset(hosts))

    def refusal(self, host: str, address: Address) -> str | None:
        """Why ``address`` (which ``host`` resolved to) may not be reached; None when it may."""
        if host.lower().rstrip(".") in self.hosts:
            return None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if any(address in network for network in self.networks):
            return None
        for kind in ("loopback", "private", "link_local", "multicast", "unspecified", "reserved"):
            if getattr(address, f"is_{kind}"):
                return f"{host} is {address}, a {kind.replace('_', '-')} address"
        return None


async def resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to (an address literal is itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


async def url_refusal(policy: EgressPolicy, url: str) -> str | None:
    """Why the policy refuses ``url`` now; a name that does not resolve yet is left to connect."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = await resolve(host, port)
    except OSError:
        return None
    reasons = [r for r in (policy.refusal(host, a) for a in addresses) if r is not None]
    return reasons[0] if reasons else None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves once, checks every address, and connects only to an allowed one."""

    def __init__(self, policy: EgressPolicy) -> None:
        self.policy = policy
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port)
        reasons = [self.policy.refusal(host, a) for a in addresses]
        allowed = [a for a, reason in zip(addresses, reasons, strict=True) if reason is None]
        if not allowed:
            raise EgressRefused(f"refused by the egress policy: {reasons[0]}")
        return await self.inner.connect_tcp(
            str(allowed[0]), port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise EgressRefused("outbound calls never use unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def guarded_client(policy: EgressPolicy, max_connections: int) -> httpx.AsyncClient:
    """An HTTP client whose every connection passes the egress policy."""
    limits = httpx.Limits(max_connections=max_connections)
    transport = httpx.AsyncHTTPTransport(limits=limits)
    # httpx builds its pool without a way to pass a network backend; this one differs from the
    # default only in the backend (TLS still verifies the URL's host name, not the address).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(policy),
    )
    return httpx.AsyncClient(transport=transport)
