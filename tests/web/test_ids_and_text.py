"""What reaches Stripe and what is stored is exactly what was meant: whole ids, clean text."""

from __future__ import annotations

import pytest

from backend.domain.billing import StripeAccount
from backend.services.account_settings import read_settings
from backend.simulator.behaviours import Declines
from tests.builders import dashboard_signature
from tests.scenarios.test_recovery_flows import failed_subscription_invoice

USER = "usr_1Typist"


async def save(client, account_id: str, changes: dict):
    return await client.put("/api/v1/settings", json={"user_id": USER, "account_id": account_id,
                                                      "settings": changes},
                            headers=dashboard_signature(USER, account_id))


async def test_an_invoice_id_with_a_trailing_newline_is_not_an_invoice_and_never_reaches_stripe(client, stack):
    account = await stack.install()
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    requests_before = len(stack.recorder.requests)

    response = await client.post(f"/api/v1/invoices/{invoice}%0A/recovery/actions",
                                 json={"user_id": USER, "account_id": account.id, "action": "enrol"},
                                 headers=dashboard_signature(USER, account.id))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert len(stack.recorder.requests) == requests_before


@pytest.mark.parametrize("brand_name", [
    "Acme\r\nBcc: victim@example.com", "Acme\u0000", "Acme\u202egnp.exe", "Acme\u2066Ltd\u2069", "Tab\there",
], ids=["CR/LF", "NUL", "right-to-left override", "bidi isolate", "tab"])
async def test_a_brand_name_with_control_or_direction_characters_is_refused_naming_the_field(client, stack,
                                                                                             brand_name):
    account = await stack.install({"brand_name": "Acme"})

    response = await save(client, account.id, {"brand_name": brand_name})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "brand_name"
    assert (await read_settings(stack.uow_factory, StripeAccount(account.id, False))).brand_name == "Acme"


async def test_a_brand_name_is_stored_in_one_unicode_form(client, stack):
    account = await stack.install()

    response = await save(client, account.id, {"brand_name": "  Cafe\u0301 Zu\u0308rich  "})

    assert response.status_code == 200
    assert response.json()["settings"]["brand_name"] == "Caf\u00e9 Z\u00fcrich"


async def test_markup_in_a_brand_name_is_kept_as_text_for_templates_to_escape(client, stack):
    account = await stack.install()

    response = await save(client, account.id, {"brand_name": "<b>Acme</b> & Sons"})

    assert response.json()["settings"]["brand_name"] == "<b>Acme</b> & Sons"
