"""The API's shapes have one source: the response models. The UI's copy must match them."""

from __future__ import annotations

import json
from pathlib import Path

from backend.web import api, sms_api, takeover_api
from backend.web.openapi import openapi_document

COMMITTED = Path(__file__).resolve().parents[2] / "stripe-app" / "src" / "api" / "openapi.json"


def test_the_uis_copy_of_the_api_document_is_current() -> None:
    committed = json.loads(COMMITTED.read_text())

    assert committed == openapi_document(), "the API changed: run `make api-types` and commit the result"


def test_every_dashboard_route_is_described() -> None:
    described = set(openapi_document()["paths"])

    assert {route.path for route in [*api.ROUTES, *sms_api.ROUTES, *takeover_api.ROUTES]} == described


async def test_the_document_is_served_beside_the_api(client) -> None:
    response = await client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json()["components"]["schemas"]["Recovery"]["properties"]["recovered_by"]
