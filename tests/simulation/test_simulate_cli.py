"""``coffer simulate`` reads a published version from the database and writes its chart."""

import asyncio
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner, Result

from coffer.cli.main import app
from coffer.runtime import Runtime
from tests.conftest import SECRET_KEY, OperatorCtx
from tests.support.api import AdminApi
from tests.support.catalog import make_box, make_item, publish


def run_cli(database_url: str, *args: str) -> Result:
    env = {"COFFER_DATABASE_URL": database_url, "COFFER_SECRET_KEY": SECRET_KEY}
    return CliRunner().invoke(app, ["simulate", *args], env=env)


def test_help_names_the_options() -> None:
    result = CliRunner().invoke(app, ["simulate", "--help"])
    assert result.exit_code == 0
    for option in ("--box-version", "--opens", "--seed", "--chart"):
        assert option in result.output


async def test_a_small_run_prints_the_figures_and_writes_the_chart(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime, tmp_path: Path
) -> None:
    item = await make_item(admin, operator.slug, valueMinor=2500)
    prizes = [{"itemId": item["itemId"], "weight": 1}, {"cashMinor": 300, "weight": 9}]
    box = await make_box(admin, operator.slug, prizes, priceMinor=500)
    version = await publish(admin, operator.slug, box["boxId"])
    chart = tmp_path / "chart.svg"
    args = ["--box-version", str(version["boxVersionId"]), "--opens", "3000"]
    args += ["--seed", "a" * 64, "--chart", str(chart)]
    result = await asyncio.to_thread(run_cli, runtime.settings.database_url, *args)
    assert result.exit_code == 0, result.output
    rtp_bps = 10_000 - version["houseEdgeBps"]  # (2500 + 9·300) / (10·500) = 104%
    assert rtp_bps == 10_400
    assert re.search(r"RTP +104\.000% ", result.output)
    assert re.search(rf"RTP in bps +{rtp_bps} ", result.output)
    assert re.search(r"P\(behind after 1\) +90\.000% ", result.output)  # 9 in 10 pay 300 < 500
    assert "P(behind after 100)" in result.output
    assert "server seed " + "a" * 64 in result.output
    assert ET.parse(chart).getroot().tag.endswith("svg")  # noqa: S314 - our own output
    again = await asyncio.to_thread(run_cli, runtime.settings.database_url, *args)
    figures = result.output.split("Box ", 1)[1]  # after the progress bar, which shows time
    assert again.output.split("Box ", 1)[1] == figures  # the same seed draws the same opens


async def test_an_unknown_version_or_a_bad_seed_is_refused(runtime: Runtime) -> None:
    url = runtime.settings.database_url
    unknown = await asyncio.to_thread(run_cli, url, "--box-version", "424242")
    assert unknown.exit_code == 1
    assert "UNKNOWN_BOX" in unknown.output
    bad = await asyncio.to_thread(run_cli, url, "--box-version", "1", "--seed", "xyz")
    assert bad.exit_code == 2
