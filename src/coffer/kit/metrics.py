"""Prometheus metrics every layer may count into; ``/metrics`` exposes them.

Label values are bounded so the number of series stays small whatever clients send: a route is
its template (``/api/admin/operators/{slug}``), never the raw path, and anything unknown is
``other``. Under ``coffer serve --workers N`` the values live in ``PROMETHEUS_MULTIPROC_DIR``
and a scrape of any worker adds up all of them.
"""

import os
import re
from collections.abc import Mapping

from prometheus_client import Counter, Histogram, disable_created_metrics

# No ``*_created`` series: they would double the series, and no dashboard reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
OTHER = "other"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
WALLET_KINDS = frozenset({"wallet.debit", "wallet.credit", "wallet.rollback", "wallet.balance"})
_WORD = re.compile(r"^[A-Za-z][A-Za-z_]{0,39}$")
# Requests answer in ms; a wallet call may wait out its timeout (at most 60 s).
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
WALLET_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)

HTTP_SECONDS = Histogram(
    "coffer_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method and status.",
    ["route", "method", "status"],
    buckets=HTTP_BUCKETS,
)
PURCHASES = Counter(
    "coffer_purchases",
    "Purchases (atomic opens and prepays) by outcome: settled, held, replayed or an error code.",
    ["outcome"],
)
OPENS = Counter(
    "coffer_opens",
    "Opens of held rounds by outcome: settled, replayed or an error code.",
    ["outcome"],
)
WALLET_RPC_SECONDS = Histogram(
    "coffer_wallet_rpc_duration_seconds",
    "One HTTP attempt of a wallet RPC, by kind and outcome (accepted, refused, uncertain).",
    ["kind", "outcome"],
    buckets=WALLET_BUCKETS,
)
LEDGER_POSTINGS = Counter(
    "coffer_ledger_postings",
    "Postings written to the virtual-currency ledger, by the transaction's reason.",
    ["reason"],
)


def multiprocess() -> bool:
    """True when values are shared through files by several processes."""
    return bool(os.environ.get(MULTIPROC_ENV))


def word(value: str) -> str:
    """A code or reason as a label value (lower case); anything unexpected is ``other``."""
    return value.lower() if _WORD.match(value) else OTHER


def route_label(scope: Mapping[str, object]) -> str:
    """The template of the route that served the request; ``other`` when none matched."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) and template else OTHER


def observe_request(scope: Mapping[str, object], status: int, seconds: float) -> None:
    """Count one answered request (a histogram observation, no I/O)."""
    method = str(scope.get("method", ""))
    HTTP_SECONDS.labels(
        route_label(scope), method if method in METHODS else OTHER, str(status)
    ).observe(seconds)


def observe_wallet(kind: str, outcome: str, seconds: float) -> None:
    """Count one HTTP attempt of a wallet RPC."""
    WALLET_RPC_SECONDS.labels(kind if kind in WALLET_KINDS else OTHER, outcome).observe(seconds)
