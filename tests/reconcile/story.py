"""One day of money through the reference casino: every kind of wallet instruction, once."""

import csv
import io
from datetime import UTC, date, datetime

from coffer.runtime import Runtime
from coffer.seamless.resolver import run_once
from coffer_casino.export import export_day
from tests.support.faults import later
from tests.support.inventory import cash_out, won_sword
from tests.support.shop import CANCEL, PLAYER, Shop, body_of

POOR = "u_poor"
# EUR: debits kept 3 x 500; credits 700 (payout) + 500 (refund) + 80 (cashback); one debit
# whose answer never came, rolled back (500); one refused and one operator-funded debit.
DEBITED, CREDITED, ROLLED_BACK = 1500, 1280, 500


def today() -> date:
    return datetime.now(UTC).date()


async def a_day(shop: Shop, runtime: Runtime) -> dict[str, str]:
    """Play the day; the keys by what they are."""
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    item_id = await won_sword(shop, "a-1")
    cash = body_of(
        await shop.buy("c-1", reels=[{"reelIndex": 0, "boxVersionId": shop.cash_version}])
    )
    held = body_of(await shop.buy("h-1", mode="prepay"))["round"]["publicId"]
    cancelled = await shop.operator.s2s.post(
        CANCEL, {"playerExternalId": PLAYER, "roundPublicId": held}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (await cash_out(shop, item_id)).status_code == 200
    refused = await shop.buy("p-1", playerExternalId=POOR)
    assert refused.status_code == 422, refused.text
    free = body_of(await shop.buy("o-1", funding="operator"))["round"]["publicId"]
    fault = shop.casino.inject("timeout_after", times=3)
    lost = await shop.buy("t-1")
    await fault.handled_async()
    assert lost.status_code == 503, lost.text
    assert (await run_once(runtime.gateway, now=later())).rolled_back == 1
    undone = body_of(lost)["round"]["publicId"]
    return {
        "payout": f"payout:round:{cash['round']['publicId']}",
        "refund": f"refund:round:{held}",
        "cashback": f"cashback:inventory:{item_id}",
        "refused": f"round:{body_of(refused)['round']['publicId']}",
        "free": f"round:{free}",
        "undone": f"round:{undone}",
        "rollback": f"rollback:round:{undone}",
    }


def casino_csv(shop: Shop) -> str:
    """The casino's export of today."""
    return shop.casino.call(lambda casino: export_day(casino, today()))


def tampered(text: str, drop: str, alter: str) -> str:
    """The export without ``drop``'s row, ``alter``'s amount plus one, and a forged row."""
    rows = list(csv.reader(io.StringIO(text)))
    kept = [r for r in rows if r[0] != drop]
    for r in kept:
        if r[0] == alter:
            r[3] = str(int(r[3]) + 1)
    kept.append(["round:r_forged", "wallet.debit", PLAYER, "500", "EUR", "", ""])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(kept)
    return out.getvalue()
