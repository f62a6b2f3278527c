"""Admin: the RTP simulator on a box's draft, so the editor shows the figures before a publish."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from coffer.api.deps import AdminOperator, DbSession
from coffer.api.openapi import errors_for
from coffer.api.params import BoxId
from coffer.catalog.simulation import draft_odds
from coffer.fairness.algorithm import new_server_seed
from coffer.fairness.simulation import BPS, Report, simulate
from coffer.fairness.simulation_chart import chart_svg
from coffer.kit.schemas import ApiModel

router = APIRouter(prefix="/api/admin/operators/{slug}", tags=["admin: catalog"])
MAX_OPENS = 1_000_000
CLIENT_SEED = "coffer-simulation"
Opens = Annotated[
    int,
    Query(
        ge=100,
        le=MAX_OPENS,
        description="How many opens to simulate (100 to 1,000,000; a million takes seconds).",
    ),
]


class BinOut(ApiModel):
    from_minor: int = Field(description="The bin's lowest prize value, box-currency minor units.")
    to_minor: int = Field(description="The next bin's lowest value (this bin holds values below).")
    count: int = Field(description="Simulated opens whose prize value fell in the bin.")


class SimulationOut(ApiModel):
    """The draft's exact RTP from its odds, and what simulated real draws of it returned."""

    exact_rtp_bps: int = Field(
        description="RTP = Σ odds·value / price in bps, rounded half-up: 10000 - houseEdgeBps."
    )
    house_edge_bps: int = Field(description="The house edge a publish of this draft would record.")
    simulated_rtp_bps: float = Field(description="The mean simulated return per open, in bps.")
    interval95_bps: list[float] = Field(
        description="[low, high]: the 95% interval of the simulated RTP (mean ± 1.96·sd/√n), bps."
    )
    behind_after: dict[str, float] = Field(
        description=(
            'Keys "1", "10", "100": the share of runs of that many consecutive simulated opens '
            "whose prizes were worth less than what the opens cost (Monte Carlo)."
        )
    )
    opens: int = Field(description="How many opens were simulated (nonces 0 to opens - 1).")
    price_minor: int = Field(description="The draft's price, in minor units of its currency.")
    currency: str = Field(description="The draft's currency; every value here is in it.")
    server_seed: str = Field(
        description="The simulation's random server seed (not a player's): rerun it with "
        "`coffer simulate --seed`."
    )
    client_seed: str = Field(description="The client seed the simulated draws used.")
    histogram: list[BinOut] = Field(description="Simulated opens by prize value, one bin per bar.")
    chart_svg: str = Field(description="The histogram as an SVG image, price and RTP marked.")

    @classmethod
    def of(cls, report: Report, edge: int, currency: str) -> "SimulationOut":
        low, high = report.interval95
        return cls(
            exact_rtp_bps=report.exact_rtp_bps,
            house_edge_bps=edge,
            simulated_rtp_bps=round(report.simulated_rtp * BPS, 2),
            interval95_bps=[round(low * BPS, 2), round(high * BPS, 2)],
            behind_after={str(k): share for k, share in report.behind_after.items()},
            opens=report.opens,
            price_minor=report.price_minor,
            currency=currency,
            server_seed=report.server_seed,
            client_seed=report.client_seed,
            histogram=[
                BinOut(from_minor=b.from_minor, to_minor=b.to_minor, count=b.count)
                for b in report.histogram
            ],
            chart_svg=chart_svg(report, f"Draft: return per open over {report.opens} opens"),
        )


@router.post("/boxes/{boxId}/draft/simulation", responses=errors_for(401, 404, 422))
async def simulate_draft(
    box_id: BoxId, operator: AdminOperator, session: DbSession, opens: Opens = 100_000
) -> SimulationOut:
    """Simulate real hmac_sha256_v1 opens of the draft (as publishing would value it) with a
    random server seed; nothing is written, and a draft a publish would refuse is refused."""
    priced = await draft_odds(session, operator, box_id)
    await session.rollback()  # read only: give the connection back before the long part
    seed = new_server_seed(secrets.token_bytes)
    report = await run_in_threadpool(simulate, priced.odds, seed, CLIENT_SEED, opens)
    return SimulationOut.of(report, priced.house_edge_bps, priced.currency)
