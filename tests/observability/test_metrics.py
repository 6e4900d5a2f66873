"""GET /metrics tells an operator what Recoup has been doing and what is waiting."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from backend.simulator.behaviours import Declines, Succeeds
from tests.scenarios.test_recovery_flows import failed_subscription_invoice


async def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(answer.text) for sample in family.samples}


async def test_metrics_count_webhooks_jobs_stripe_calls_and_charges(stack, client):
    account = await stack.install()
    customer, card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    stack.sim.set_card_behaviour(account, card, Succeeds())

    await stack.advance(timedelta(days=4), step=timedelta(hours=6))
    seen = await scrape(client)

    assert (await stack.recovery(account, invoice)).status == "recovered"
    assert seen[("recoup_webhooks_total", (("status", "200"),))] >= 3
    assert seen[("recoup_webhook_seconds_count", ())] == seen[("recoup_webhooks_total", (("status", "200"),))]
    assert seen[("recoup_jobs_total", (("kind", "assess_failure"), ("result", "done")))] == 1
    assert seen[("recoup_jobs_total", (("kind", "pay_invoice"), ("result", "done")))] == 1
    assert seen[("recoup_stripe_calls_total", (("operation", "pay_invoice"), ("status", "ok")))] == 1
    assert seen[("recoup_charges_total", (("result", "paid"),))] == 1
    assert seen[("recoup_http_requests_total", (("method", "POST"), ("route", "/webhooks/stripe"),
                                                ("status", "200")))] >= 3


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
    assert seen[("recoup_stripe_calls_total", (("operation", "retrieve_invoice"), ("status", "unavailable")))] >= 1
