"""``coffer prune``: a dry run counts and deletes nothing; a run deletes what it counted."""

import asyncio
import re

from typer.testing import CliRunner

from coffer.cli.main import app
from coffer.runtime import Runtime
from coffer.webhooks.models import WebhookEvent
from tests.conftest import SECRET_KEY, OperatorCtx
from tests.support.retention import OLD, RECENT, attempts_of, events_with_attempts, surviving


def prune(database_url: str, *args: str, audit_days: str = "1825", code: int = 0) -> str:
    env = {
        "COFFER_DATABASE_URL": database_url,
        "COFFER_SECRET_KEY": SECRET_KEY,
        "COFFER_AUDIT_RETENTION_DAYS": audit_days,
    }
    result = CliRunner().invoke(app, ["prune", *args], env=env)
    assert result.exit_code == code, result.output
    return result.output


def rows(output: str, table: str) -> int:
    found = re.search(rf"{table}\s*│\s*(\d+)\s*│\s*(\d+)", output)
    assert found, output
    return int(found.group(2))


async def test_prune_dry_run_then_run(runtime: Runtime, operator: OperatorCtx) -> None:
    url = runtime.settings.database_url
    old = await events_with_attempts(runtime, operator.operator_id, 3, "delivered", OLD, 2)
    recent = await events_with_attempts(runtime, operator.operator_id, 1, "delivered", RECENT)

    refused = await asyncio.to_thread(prune, url, audit_days="30", code=2)
    assert "must be kept at least 90 days" in " ".join(refused.split())
    assert await surviving(runtime, WebhookEvent, old) == old

    dry = await asyncio.to_thread(prune, url, "--dry-run")

    assert "would prune" in dry
    assert (rows(dry, "webhook_events"), rows(dry, "webhook_attempts")) == (3, 6)
    assert await surviving(runtime, WebhookEvent, old + recent) == sorted(old + recent)
    assert await attempts_of(runtime, old) == 6

    done = await asyncio.to_thread(prune, url)

    assert "pruned" in done
    assert (rows(done, "webhook_events"), rows(done, "webhook_attempts")) == (3, 6)
    assert await surviving(runtime, WebhookEvent, old + recent) == recent
    assert rows(await asyncio.to_thread(prune, url), "webhook_events") == 0


def test_prune_help_names_the_dry_run() -> None:
    result = CliRunner().invoke(app, ["prune", "--help"])
    assert result.exit_code == 0
    assert "--dry-run" in result.output
    assert "(never money records)" in " ".join(result.output.split())
