"""The audit log read route: the operator's entries, newest first, paged by cursor."""

import httpx

from coffer.runtime import Runtime
from tests.conftest import OperatorCtx, make_operator
from tests.support.api import AdminApi, operator_staff
from tests.support.retention import NOW, audit_entry


async def test_the_audit_log_pages_newest_first_within_the_operator(
    runtime: Runtime, operator: OperatorCtx, admin: AdminApi, client: httpx.AsyncClient
) -> None:
    rival = await make_operator(admin, client, "rival")
    mine = [await audit_entry(runtime, operator.operator_id, NOW) for _ in range(3)]
    await audit_entry(runtime, rival.operator_id, NOW)

    first = await admin.call("GET", "/operators/acme/audit?limit=2")
    assert [entry["id"] for entry in first["entries"]] == [mine[2], mine[1]]
    entry = first["entries"][0]
    assert (entry["actor"], entry["action"], entry["subject"]) == ("test", "test.written", "test:1")
    assert entry["createdAt"].endswith("Z")
    cursor = first["cursor"]["next"]
    second = await admin.call("GET", f"/operators/acme/audit?limit=2&cursor={cursor}")
    assert second["entries"][0]["id"] == mine[0]
    older = [e["action"] for e in second["entries"][1:]]  # setting acme up was audited too
    assert all(action.startswith(("POST ", "currency.")) for action in older), older

    bad = await admin.call("GET", "/operators/acme/audit?cursor=nope", expect=422)
    assert bad["error"]["fields"] == {"cursor": "not a cursor this API returned"}
    staff = await operator_staff(admin, runtime, "rival")
    hidden = await staff.call("GET", "/operators/acme/audit", expect=404)
    assert hidden["error"]["code"] == "NOT_FOUND"
    theirs = await staff.call("GET", "/operators/rival/audit")
    assert [e["action"] for e in theirs["entries"]].count("test.written") == 1
    subjects = [e["subject"] for e in theirs["entries"]]  # its own creation among them
    allowed = ("test:", "currency:", "/api/admin/operators")  # setting rival up, audited
    assert all(s.startswith(allowed) for s in subjects), subjects
    assert not any("acme" in s for s in subjects), subjects
