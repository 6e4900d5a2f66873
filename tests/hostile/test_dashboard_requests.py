"""Generated Dashboard bodies and query strings on every route: a 4xx with the error shape, or a real answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import event, given
from hypothesis import strategies as st

from backend.web import takeover_api
from backend.web.api import ROUTES
from tests.builders import dashboard_signature
from tests.hostile.conftest import HOSTILE
from tests.hostile.strategies import account_ids, dashboard_extras, invoice_segments, query_strings, user_ids
from tests.hostile.support import assert_client_error, assert_no_traceback, install_and_enable, snapshot

ROUTE_METHODS = sorted((route.path, method) for route in [*ROUTES, *takeover_api.ROUTES]
                       for method in route.methods or () if method != "HEAD")


def _signature_for(user_id: Any, account_id: Any) -> dict[str, str]:
    # Sign whatever identity was generated, so the request goes past the signature when it can.
    if isinstance(user_id, str) and isinstance(account_id, str):
        try:
            return dashboard_signature(user_id, account_id)
        except UnicodeEncodeError:
            return {}
    return {}


async def _send(client: httpx.AsyncClient, path: str, method: str, fields: dict[str, Any],
                query: dict[str, str]) -> httpx.Response:
    headers = _signature_for(fields.get("user_id"), fields.get("account_id"))
    if method == "GET":
        params = {**query, **{k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}}
        return await client.get(path, params=params, headers=headers)
    return await client.request(method, path, content=json.dumps(fields).encode(),
                                headers={**headers, "Content-Type": "application/json"})


@HOSTILE
@given(route=st.sampled_from(ROUTE_METHODS), user_id=user_ids, account_id=account_ids,
       extras=dashboard_extras, query=query_strings, invoice=invoice_segments)
async def test_no_dashboard_request_answers_5xx_and_a_refused_one_changes_nothing(client, engine, caplog, route,
                                                                                  user_id, account_id, extras,
                                                                                  query, invoice):
    if not (await snapshot(engine))["account"]:
        await install_and_enable(client)
    path, method = route
    fields = {**extras, "user_id": user_id, "account_id": account_id}
    before = await snapshot(engine)
    caplog.clear()

    response = await _send(client, path.replace("{invoice_id}", invoice), method, fields, query)

    event(f"{method} {path} answered {response.status_code}")
    assert response.status_code < 500
    if response.status_code >= 400:
        assert_client_error(response)
        assert await snapshot(engine) == before
    assert_no_traceback(caplog.records)
