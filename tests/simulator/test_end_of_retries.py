"""When Stripe's own retries run out: the account's settings decide the subscription and invoice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import stripe

from backend.adapters.clock import ManualClock
from backend.domain.billing import StripeAccount
from backend.simulator import Declines, Simulator, Succeeds

from .conftest import opts


def failing_subscriber(sim: Simulator, account: StripeAccount) -> tuple[str, str, str]:
    customer = sim.create_customer(account)
    card = sim.attach_card(account, customer, Declines("do_not_honor"))
    sub = sim.create_subscription(account, customer)
    return customer, card, sim.create_failed_invoice(account, sub)


def retry_moments(sim: Simulator, account: StripeAccount, invoice: str) -> list[int]:
    return [e["created"] for e in sim.events.select(account=account.id, type_="invoice.payment_failed")
            if e["data"]["object"]["id"] == invoice]


@pytest.mark.parametrize(("tries", "window_days"), [(8, 14), (4, 7), (5, 60)])
async def test_smart_retries_pick_moments_inside_the_chosen_window(
        sim: Simulator, account: StripeAccount, tries: int, window_days: int) -> None:
    sim.set_retry_settings(account, tries=tries, window_days=window_days)
    _, _, invoice = failing_subscriber(sim, account)

    await sim.advance(timedelta(days=window_days, hours=1))

    moments = retry_moments(sim, account, invoice)
    gaps = {b - a for a, b in zip(moments, moments[1:], strict=False)}
    assert len(moments) == tries
    assert moments == sorted(moments) and moments[-1] - moments[0] <= window_days * 86400
    assert len(gaps) > 1  # not a fixed-day cadence
    assert all(m % 86400 != moments[0] % 86400 for m in moments[1:])  # nor at the same hour


async def test_default_leaves_the_invoice_open_and_the_subscription_past_due(
        sim: Simulator, account: StripeAccount) -> None:
    _, _, invoice = failing_subscriber(sim, account)
    sub = sim.object(account, invoice)["parent"]["subscription_details"]["subscription"]

    await sim.advance(timedelta(days=15))

    assert sim.object(account, invoice)["status"] == "open"
    assert sim.object(account, invoice)["next_payment_attempt"] is None
    assert sim.object(account, sub)["status"] == "past_due"


async def test_cancel_and_mark_uncollectible_when_retries_run_out(
        sim: Simulator, account: StripeAccount) -> None:
    sim.set_retry_settings(account, subscription_end="cancel", invoice_end="uncollectible")
    _, _, invoice = failing_subscriber(sim, account)
    sub = sim.object(account, invoice)["parent"]["subscription_details"]["subscription"]

    await sim.advance(timedelta(days=15))

    ended = sim.object(account, invoice)
    subscription = sim.object(account, sub)
    assert ended["status"] == "uncollectible" and ended["auto_advance"] is False
    assert ended["status_details"] == {"uncollectible": {"reason": "max_payment_attempts"}}
    assert subscription["status"] == "canceled"
    assert subscription["cancellation_details"]["reason"] == "payment_failed"
    assert {"invoice.marked_uncollectible", "customer.subscription.deleted"} <= set(
        sim.event_types(account))


async def test_unpaid_when_the_merchant_chose_it(sim: Simulator, account: StripeAccount) -> None:
    sim.set_retry_settings(account, subscription_end="unpaid")
    _, _, invoice = failing_subscriber(sim, account)
    sub = sim.object(account, invoice)["parent"]["subscription_details"]["subscription"]

    await sim.advance(timedelta(days=15))

    assert sim.object(account, sub)["status"] == "unpaid"
    assert sim.object(account, invoice)["status"] == "open"


async def test_a_newer_paid_invoice_keeps_the_subscription_alive() -> None:
    # From July 1st the next renewals fall on August 1st and September 1st (day 62), after the
    # last retry of a 60-day window.
    sim = Simulator(ManualClock(datetime(2026, 7, 1, tzinfo=UTC)))
    account = sim.install_account()
    sim.set_retry_settings(account, window_days=60, subscription_end="cancel")
    _, _, invoice = failing_subscriber(sim, account)
    sub = sim.object(account, invoice)["parent"]["subscription_details"]["subscription"]
    renewal_at = sim.object(account, sub)["items"]["data"][0]["current_period_end"]
    await sim.advance(timedelta(seconds=renewal_at - sim.clock.now().timestamp(), hours=2))
    renewal = sim.object(account, sub)["latest_invoice"]
    sim.pay_invoice_out_of_band(account, renewal)  # the next month is settled by bank transfer

    await sim.advance(timedelta(days=29))  # the first invoice keeps failing to its last retry

    assert renewal != invoice and sim.object(account, renewal)["status"] == "paid"
    assert sim.object(account, invoice)["status"] == "open"
    assert sim.object(account, invoice)["next_payment_attempt"] is None
    assert sim.object(account, sub)["status"] == "active"


async def test_a_renewal_without_a_payment_method_makes_the_subscription_past_due(
        sim: Simulator, account: StripeAccount) -> None:
    customer = sim.create_customer(account)
    sub = sim.create_subscription(account, customer)  # signup paid out of band

    invoice = sim.renew_now(account, sub)

    assert sim.object(account, invoice)["status"] == "open"
    assert sim.object(account, sub)["status"] == "past_due"
    assert "invoice.payment_failed" in sim.event_types(account)


async def test_auto_advance_is_false_once_an_invoice_is_paid_void_or_uncollectible(
        sim: Simulator, account: StripeAccount, client: stripe.StripeClient) -> None:
    _, card, paid = failing_subscriber(sim, account)
    _, _, voided = failing_subscriber(sim, account)
    _, _, written_off = failing_subscriber(sim, account)
    sim.set_card_behaviour(account, card, Succeeds())

    await client.v1.invoices.pay_async(paid, {}, opts(account))
    await client.v1.invoices.void_invoice_async(voided, options=opts(account))
    await client.v1.invoices.mark_uncollectible_async(written_off, options=opts(account))

    assert [sim.object(account, i)["auto_advance"] for i in (paid, voided, written_off)] == [
        False, False, False]


def test_retry_settings_offer_only_stripes_windows() -> None:
    sim = Simulator(ManualClock(datetime(2026, 1, 1, tzinfo=UTC)))
    account = sim.install_account()

    with pytest.raises(ValueError, match="window_days"):
        sim.set_retry_settings(account, window_days=10)
