"""The home view's running totals always agree with the recoveries themselves."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from backend.adapters.db.stats import week_start
from backend.services.reporting import overview
from backend.simulator.behaviours import Declines, LostCard, Succeeds
from tests.scenarios.test_recovery_flows import failed_subscription_invoice


async def recount(stack, account):
    """The totals recomputed the slow way, from every recovery row."""
    async with stack.uow_factory() as uow:
        recoveries = await uow.recoveries.list_for_account(account)
    amounts: dict[str, Counter] = defaultdict(Counter)
    weeks: Counter = Counter()
    for r in recoveries:
        bucket = "open" if r.status not in ("recovered", "exhausted", "closed") else r.status
        amounts[r.currency][f"{bucket}_count"] += 1
        if bucket != "closed":
            amounts[r.currency][f"{bucket}_amount"] += r.amount
        weeks[(week_start(r.started_at), "failed")] += 1
        if r.status == "recovered":
            weeks[(week_start(r.closed_at), "recovered")] += 1
    return amounts, weeks


async def test_totals_follow_every_way_a_recovery_can_open_and_end(stack):
    account = await stack.install({"max_retries": 1, "dunning_days": 7})
    _c1, card, _s1, recovered = await failed_subscription_invoice(stack, account, Declines("generic_decline"),
                                                                  amount=3000)
    await failed_subscription_invoice(stack, account, Declines("generic_decline"), amount=1200)
    _c3, _card3, _s3, voided = await failed_subscription_invoice(stack, account, LostCard(), amount=700)
    await failed_subscription_invoice(stack, account, LostCard(), amount=500)
    stack.sim.set_card_behaviour(account, card, Succeeds())
    merchant = stack.sim.stripe_client("sk_test_merchant")
    await merchant.v1.invoices.void_invoice_async(voided, options={"stripe_account": account.id})
    await stack.settle()
    midway = await overview(stack.uow_factory, account, stack.clock.now())

    await stack.advance(timedelta(days=9), step=timedelta(hours=6))
    view = await overview(stack.uow_factory, account, stack.clock.now())
    amounts, weeks = await recount(stack, account)

    assert midway.active_count == 3
    assert view.recovered == {"eur": amounts["eur"]["recovered_amount"]} == {"eur": 3000}
    assert view.active_count == amounts["eur"]["open_count"] == 0
    assert view.recovery_rate == 1 / 3  # one recovered, two exhausted; the voided one is no loss
    assert sum(failed for _week, _recovered, failed in view.weekly) == 4
    for week, recovered_that_week, failed_that_week in view.weekly:
        assert (recovered_that_week, failed_that_week) == (weeks[(week, "recovered")], weeks[(week, "failed")])
    assert sum(recovered for _w, _c, recovered, _f in view.weekly_money) == 3000
    assert sum(failed for _w, _c, _r, failed in view.weekly_money) == 3000 + 1200 + 700 + 500
    assert {currency for _w, currency, _r, _f in view.weekly_money} == {"eur"}
    assert [w for w, _c, _r, _f in view.weekly_money] == [w for w, _r, _f in view.weekly]


async def test_a_recovery_closed_elsewhere_leaves_the_in_flight_total_without_counting_as_a_loss(stack):
    account = await stack.install()
    _customer, _card, _sub, invoice = await failed_subscription_invoice(
        stack, account, Declines("generic_decline"), amount=900)
    before = await overview(stack.uow_factory, account, stack.clock.now())
    merchant = stack.sim.stripe_client("sk_test_merchant")

    await merchant.v1.invoices.mark_uncollectible_async(invoice, options={"stripe_account": account.id})
    await stack.settle()
    after = await overview(stack.uow_factory, account, stack.clock.now())

    assert (before.in_flight, before.active_count) == ({"eur": 900}, 1)
    assert (after.in_flight, after.active_count, after.recovery_rate) == ({}, 0, None)
