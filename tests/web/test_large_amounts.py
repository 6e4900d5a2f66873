"""Zero-decimal and large-unit currencies: amounts and their running totals never overflow."""

from __future__ import annotations

from backend.simulator.behaviours import Declines, Succeeds
from tests.builders import dashboard_signature

USER = "usr_1Treasurer"
BILLION_RUPIAH = 1_000_000_000
# Past 2**31 once summed: a year of large JPY and KRW subscriptions.
LARGE_AMOUNTS = {"idr": BILLION_RUPIAH, "jpy": 900_000_000, "krw": 2_000_000_000}


async def failed_invoice(stack, account, currency: str, amount: int, behaviour=None) -> tuple[str, str]:
    customer = stack.sim.create_customer(account, country="ID")
    card = stack.sim.attach_card(account, customer, behaviour or Declines("generic_decline"))
    subscription = stack.sim.create_subscription(account, customer, amount=amount, currency=currency)
    invoice = stack.sim.create_failed_invoice(account, subscription)
    await stack.settle()
    return card, invoice


async def overview(client, account) -> dict:
    response = await client.get("/api/v1/overview", params={"user_id": USER, "account_id": account.id},
                                headers=dashboard_signature(USER, account.id))
    assert response.status_code == 200
    return response.json()


async def test_three_failed_billion_rupiah_invoices_all_open_recoveries(client, stack):
    account = await stack.install()

    invoices = [(await failed_invoice(stack, account, "idr", BILLION_RUPIAH))[1] for _ in range(3)]

    for invoice in invoices:
        recovery = await stack.recovery(account, invoice)
        assert recovery is not None and recovery.amount == BILLION_RUPIAH
    assert all(d.attempts[-1].get("status_code") == 200 for d in stack.sim.webhooks.queue if d.attempts)
    assert (await overview(client, account))["in_flight"] == [{"currency": "idr", "amount": 3 * BILLION_RUPIAH}]


async def test_large_jpy_idr_and_krw_recoveries_are_summed_exactly(client, stack):
    account = await stack.install()
    for currency, amount in LARGE_AMOUNTS.items():
        card, recovered = await failed_invoice(stack, account, currency, amount)
        await failed_invoice(stack, account, currency, amount)
        await failed_invoice(stack, account, currency, amount)
        stack.sim.set_card_behaviour(account, card, Succeeds())
        await client.post(f"/api/v1/invoices/{recovered}/recovery/actions",
                          json={"user_id": USER, "account_id": account.id, "action": "retry_now"},
                          headers=dashboard_signature(USER, account.id))
        await stack.settle()

    body = await overview(client, account)

    assert body["recovered"] == [{"currency": c, "amount": a} for c, a in sorted(LARGE_AMOUNTS.items())]
    assert body["in_flight"] == [{"currency": c, "amount": 2 * a} for c, a in sorted(LARGE_AMOUNTS.items())]
