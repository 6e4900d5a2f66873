"""GET /metrics tells an operator what Recoup has been doing and what is waiting: one test per family."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from backend.simulator.behaviours import Declines, Succeeds
from tests.outreach.journey import failed_invoice
from tests.scenarios.test_recovery_flows import failed_subscription_invoice


async def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(answer.text) for sample in family.samples}


async def recovered_on_the_first_retry(stack, *, stripe_down_at_first: bool = False):
    # Exact job counts: in order, the signup's customer.updated cannot arrive after the failure and
    # queue one more (refused) card-update check (late deliveries have their own scenario tests).
    stack.sim.webhooks.ordered = True
    account = await stack.install()
    if stripe_down_at_first:
        stack.sim.faults.inject(503, count=8)  # the assessment's first run meets Stripe down
    _customer, card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    stack.sim.set_card_behaviour(account, card, Succeeds())
    await stack.advance(timedelta(days=4), step=timedelta(hours=6))
    assert (await stack.recovery(account, invoice)).status == "recovered"
    return account


async def test_webhook_deliveries_are_counted_and_timed_by_status(stack, client):
    await recovered_on_the_first_retry(stack)
    refused = await client.post("/webhooks/stripe", content=b"{}",
                                headers={"Stripe-Signature": "t=1,v1=00", "Content-Type": "application/json"})

    seen = await scrape(client)

    assert refused.status_code == 400
    accepted = seen[("recoup_webhooks_total", (("status", "200"),))]
    assert accepted >= 3
    assert seen[("recoup_webhooks_total", (("status", "400"),))] == 1
    assert seen[("recoup_webhook_seconds_count", ())] == accepted + 1
    assert seen[("recoup_http_requests_total", (("method", "POST"), ("route", "/webhooks/stripe"),
                                                ("status", "200")))] == accepted


async def test_jobs_are_counted_and_timed_by_kind_and_outcome(stack, client):
    await recovered_on_the_first_retry(stack)

    seen = await scrape(client)

    assert seen[("recoup_jobs_total", (("kind", "apply_event"), ("result", "done")))] >= 3
    assert seen[("recoup_jobs_total", (("kind", "assess_failure"), ("result", "done")))] == 1
    assert seen[("recoup_jobs_total", (("kind", "pay_invoice"), ("result", "done")))] == 1
    assert seen[("recoup_job_seconds_count", (("kind", "pay_invoice"),))] == 1


async def test_stripe_calls_are_counted_by_operation_and_result(stack, client):
    await recovered_on_the_first_retry(stack, stripe_down_at_first=True)

    seen = await scrape(client)

    assert seen[("recoup_stripe_calls_total", (("operation", "pay_invoice"), ("status", "ok")))] == 1
    assert seen[("recoup_stripe_call_seconds_count", (("operation", "pay_invoice"),))] == 1
    assert seen[("recoup_stripe_calls_total", (("operation", "retrieve_invoice"), ("status", "unavailable")))] >= 1
    assert seen[("recoup_jobs_total", (("kind", "assess_failure"), ("result", "StripeUnavailable")))] >= 1


async def test_customer_messages_are_counted_by_channel_and_result(stack, client):
    account = await stack.install()
    await failed_invoice(stack, account, Declines("do_not_honor"))  # a customer with an e-mail address
    await stack.advance(timedelta(days=4), step=timedelta(hours=6))  # the notice and the reminder

    seen = await scrape(client)

    assert seen[("recoup_messages_total", (("channel", "email"), ("result", "sent")))] >= 2


async def test_charges_are_counted_by_result(stack, client):
    account = await stack.install()
    _customer, card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    await stack.advance(timedelta(days=4), step=timedelta(hours=6))  # the first retry declines too
    declined = (await scrape(client)).get(("recoup_charges_total", (("result", "declined"),)), 0)
    stack.sim.set_card_behaviour(account, card, Succeeds())
    await stack.advance(timedelta(days=14), step=timedelta(hours=6))

    seen = await scrape(client)

    assert (await stack.recovery(account, invoice)).status == "recovered"
    assert declined >= 1
    assert seen[("recoup_charges_total", (("result", "declined"),))] == declined
    assert seen[("recoup_charges_total", (("result", "paid"),))] == 1


async def test_queue_gauges_show_due_and_failing_work(stack, client):
    account = await stack.install()
    await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    # Stripe down for longer than the gateway's own retries: the next retry fails and waits.
    stack.sim.faults.inject(503, count=100)
    await stack.advance(timedelta(days=4), step=timedelta(hours=12))

    stack.clock.advance(timedelta(days=30))
    seen = await scrape(client)

    assert seen[("recoup_jobs_failing", ())] >= 1
    assert seen[("recoup_jobs_due", ())] >= 1
    assert seen[("recoup_jobs_leased", ())] == 0
    assert seen[("recoup_jobs_failed", ())] == 0  # an outage gives no job up
    assert seen[("recoup_stripe_calls_total", (("operation", "retrieve_invoice"), ("status", "unavailable")))] >= 1
