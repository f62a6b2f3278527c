"""The egress policy: which addresses Coffer's outbound calls (wallet, webhooks) may reach.

By default loopback, private, link-local, multicast, unspecified and reserved addresses are
refused, IPv4 and IPv6 alike (an IPv4-mapped IPv6 address is judged as its IPv4 address), so a
tenant cannot aim Coffer at the host's or another tenant's internal services (SSRF). A global
setting allows named hosts or ranges (the demo and the tests allow the reference casino on
loopback that way). The check runs twice: when a URL is set (a clear 422) and on the address
actually connected to (``GuardedTransport``), so a name that resolves elsewhere later (DNS
rebinding) is refused too.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from aiohttp import ClientSession, TCPConnector
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from httpx_aiohttp import AiohttpTransport

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
        if isinstance(address, ipaddress.IPv6Address):  # judged as the IPv4 address it carries
            address = address.ipv4_mapped or address.sixtofour or address
        if any(address in network for network in self.networks):
            return None
        for kind in ("loopback", "private", "link_local", "multicast", "unspecified", "reserved"):
            if getattr(address, f"is_{kind}"):
                return f"{host} is {address}, a {kind.replace('_', '-')} address"
        if not address.is_global:  # shared (100.64.0.0/10), benchmarking, documentation...
            return f"{host} is {address}, not a public address"
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


class GuardedResolver(AbstractResolver):
    """Resolves as aiohttp would, then keeps only the addresses the policy allows, so the
    connection goes to an allowed one (aiohttp connects only to what its resolver returned)."""

    def __init__(self, policy: EgressPolicy, inner: AbstractResolver | None = None) -> None:
        self.policy = policy
        self.inner = inner or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self.inner.resolve(host, port, family)
        reasons = [self.policy.refusal(host, ipaddress.ip_address(r["host"])) for r in found]
        allowed = [r for r, reason in zip(found, reasons, strict=True) if reason is None]
        if not allowed:
            raise EgressRefused(f"refused by the egress policy: {reasons[0]}")
        return allowed

    async def close(self) -> None:
        await self.inner.close()


class GuardedTransport(AiohttpTransport):
    """httpx requests sent through aiohttp's connection pool, every connection checked.

    A host name is checked by ``GuardedResolver``; an address literal, which aiohttp connects
    to without resolving, is checked here before the request (a literal cannot re-resolve)."""

    def __init__(self, policy: EgressPolicy, max_connections: int) -> None:
        self.policy = policy
        ssl_context = httpx.create_ssl_context()

        def session() -> ClientSession:
            connector = TCPConnector(
                limit=max_connections, ssl=ssl_context, resolver=GuardedResolver(policy)
            )
            return ClientSession(connector=connector, trust_env=False)

        super().__init__(client=session)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ("http", "https"):
            raise EgressRefused(f"outbound calls use http or https, not {request.url.scheme}")
        host = request.url.host
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            if _legacy_ipv4(host):  # 2130706433, 127.1, 0x7f.1: never resolved, never allowed
                raise EgressRefused(
                    f"refused by the egress policy: {host} is not a host name"
                ) from None
        else:
            reason = self.policy.refusal(host, literal)
            if reason is not None:
                raise EgressRefused(f"refused by the egress policy: {reason}")
        return await super().handle_async_request(request)


def _legacy_ipv4(host: str) -> bool:
    """A host the C library would read as an IPv4 address though it is not dotted-quad."""
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return True


def guarded_client(policy: EgressPolicy, max_connections: int) -> httpx.AsyncClient:
    """An HTTP client whose every connection passes the egress policy (TLS still verifies the
    URL's host name, not the address)."""
    return httpx.AsyncClient(transport=GuardedTransport(policy, max_connections))
