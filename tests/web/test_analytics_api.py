"""GET /api/v1/analytics: the signer's own figures over a period, and clear errors for bad dates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.domain.billing import StripeAccount
from backend.domain.recovery import Recovery
from backend.domain.settings import RecoverySettings
from backend.services.lifecycle import open_recovery
from tests.builders import dashboard_signature
from tests.conftest import START
from tests.web.test_dashboard_api import ACCOUNT_A, ACCOUNT_B, USER, identity, install


async def get_analytics(client, account, signed_for=None, **period):
    return await client.get("/api/v1/analytics", params={**identity(account), **period},
                            headers=dashboard_signature(USER, signed_for or account))


async def fail_invoice(stack, account_id, amount, currency="eur"):
    account = StripeAccount(account_id, False)
    recovery = Recovery.open(recovery_id=f"rec_{account_id[-4:]}{amount}", account=account,
                             invoice_id=f"in_{amount}", customer_id="cus_1", subscription_id=None, amount=amount,
                             currency=currency, settings=RecoverySettings(), now=stack.clock.now(), reason="test")
    async with stack.uow_factory() as uow:
        await open_recovery(uow, recovery, stack.clock.now())
        await uow.commit()


async def test_the_default_period_is_the_last_thirty_days_with_what_failed_in_it(client, stack):
    await install(client, ACCOUNT_A)
    await fail_invoice(stack, ACCOUNT_A, 4200)

    response = await get_analytics(client, ACCOUNT_A)

    assert response.status_code == 200
    body = response.json()
    today = START.date()
    assert (body["period_from"], body["period_to"]) == ((today - timedelta(days=29)).isoformat(), today.isoformat())
    (eur,) = body["currencies"]
    assert (eur["currency"], eur["failed"], eur["in_flight"], eur["recovered"]) == ("eur", 4200, 4200, 0)
    assert body["in_flight_count"] == 1 and body["rate_by_count"] is None
    assert body["success_fee_percent"] == 15


async def test_a_period_before_the_failure_shows_none_of_it(client, stack):
    await install(client, ACCOUNT_A)
    await fail_invoice(stack, ACCOUNT_A, 4200)
    earlier = START.date() - timedelta(days=40)

    body = (await get_analytics(client, ACCOUNT_A, **{"from": earlier.isoformat(),
                                                      "to": (earlier + timedelta(days=5)).isoformat()})).json()

    assert body["currencies"] == [] and body["in_flight_count"] == 0


@pytest.mark.parametrize("period", [
    {"from": "2026-13-01"}, {"to": "yesterday"}, {"from": "2026-11-2"}, {"from": "2026-11-10", "to": "2026-11-01"},
    {"from": "2024-01-01", "to": "2026-01-01"},
])
async def test_a_bad_period_is_a_400_naming_the_field(client, period):
    await install(client, ACCOUNT_A)

    response = await get_analytics(client, ACCOUNT_A, **period)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_period" and error["field"] in ("from", "to")


async def test_another_accounts_failures_never_show(client, stack):
    await install(client, ACCOUNT_A)
    await install(client, ACCOUNT_B)
    await fail_invoice(stack, ACCOUNT_A, 4200)

    mine = (await get_analytics(client, ACCOUNT_B)).json()
    forged = await get_analytics(client, ACCOUNT_A, signed_for=ACCOUNT_B)

    assert mine["currencies"] == [] and mine["in_flight_count"] == 0
    assert forged.status_code == 401


async def test_the_success_fee_is_a_validated_setting(client):
    await install(client, ACCOUNT_A)
    headers = dashboard_signature(USER, ACCOUNT_A)

    def fee(percent):
        return {**identity(ACCOUNT_A), "settings": {"success_fee_percent": percent}}

    refused = await client.put("/api/v1/settings", json=fee(80), headers=headers)
    saved = await client.put("/api/v1/settings", json=fee(25), headers=headers)

    assert refused.status_code == 422 and refused.json()["error"]["field"] == "success_fee_percent"
    assert saved.json()["settings"]["success_fee_percent"] == 25
    assert (await get_analytics(client, ACCOUNT_A)).json()["success_fee_percent"] == 25
