"""Generated bodies for data deletion and generated queries for the audit export: a 4xx JSON error, nothing stored."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from tests.builders import dashboard_signature
from tests.hostile.conftest import HOSTILE
from tests.hostile.strategies import json_values, nasty_text
from tests.hostile.support import ACCOUNT, USER, assert_client_error, install_and_enable, snapshot

IDENTITY = {"user_id": USER, "account_id": ACCOUNT}
# Near misses of `delete acct_1Hostile`, and anything else a body may hold.
confirmations = st.one_of(
    json_values,
    st.sampled_from([f"delete {ACCOUNT} ", f"Delete {ACCOUNT}", f"delete  {ACCOUNT}", f"delete {ACCOUNT}\n",
                     f"delete {ACCOUNT}\u0000", "delete acct_1Bystander", f"delete {ACCOUNT.upper()}",
                     [f"delete {ACCOUNT}"], {"confirm": f"delete {ACCOUNT}"}]),
    nasty_text.map(lambda text: f"delete {text}"),
)
bodies = st.dictionaries(st.sampled_from(["confirm", "confirmation", "mode", "yes", "account"]), confirmations,
                         max_size=3)
audit_queries = st.dictionaries(st.sampled_from(["format", "limit", "starting_after"]),
                                nasty_text | st.integers().map(str), max_size=3)


@HOSTILE
@given(body=bodies)
async def test_a_deletion_without_the_exact_confirmation_is_refused_and_changes_nothing(client, engine, body):
    if not (await snapshot(engine))["account"]:
        await install_and_enable(client)
    before = await snapshot(engine)

    response = await client.post("/api/v1/account/data-deletion", content=json.dumps({**body, **IDENTITY}).encode(),
                                 headers={**dashboard_signature(USER, ACCOUNT), "Content-Type": "application/json"})

    assert_client_error(response)
    assert await snapshot(engine) == before


@HOSTILE
@given(query=audit_queries, invoice=st.sampled_from(["in_1Hostile", "in_1%0A", "in_", "cus_1Hostile"]))
async def test_a_bad_audit_query_is_a_4xx_error_and_reading_stores_nothing(client, engine, query, invoice):
    if not (await snapshot(engine))["account"]:
        await install_and_enable(client)
    before = await snapshot(engine)
    headers = dashboard_signature(USER, ACCOUNT)

    export = await client.get("/api/v1/audit", params={**query, **IDENTITY}, headers=headers)
    panel = await client.get(f"/api/v1/invoices/{invoice}/audit", params={**query, **IDENTITY}, headers=headers)

    for response in (export, panel):
        assert response.status_code in (200, 404, 422), response.text[:300]
        if response.status_code != 200:
            assert_client_error(response)
    assert await snapshot(engine) == before
