"""Time-driven behaviour: renewals an hour after invoice creation, and Stripe's Smart Retries."""

from __future__ import annotations

from datetime import timedelta

from backend.adapters.clock import ManualClock
from backend.domain.billing import StripeAccount
from backend.simulator import Declines, LostCard, Simulator, Succeeds, SucceedsOnAttempt

RETRIES = 7  # Stripe's recommended policy: 8 tries within 2 weeks, the first one included


async def until_next_retry(sim: Simulator, clock: ManualClock, account: StripeAccount,
                           invoice: str) -> None:
    """Move the clock to the moment Stripe announced for its next retry, and let it run."""
    due = sim.object(account, invoice)["next_payment_attempt"]
    await sim.advance(timedelta(seconds=due - clock.now().timestamp()))


def subscriber(sim: Simulator, account: StripeAccount, behaviour) -> tuple[str, str, str]:
    customer = sim.create_customer(account)
    card = sim.attach_card(account, customer, behaviour)
    return customer, card, sim.create_subscription(account, customer)


async def test_renewal_creates_a_draft_then_charges_an_hour_later(
        sim: Simulator, clock: ManualClock, account: StripeAccount) -> None:
    _, _, sub = subscriber(sim, account, Declines("insufficient_funds"))
    period_end = sim.object(account, sub)["items"]["data"][0]["current_period_end"]
    seen = len(sim.events.events)

    clock.set(clock.now().fromtimestamp(period_end, clock.now().tzinfo))
    await sim.run_until_now()
    invoice_id = sim.object(account, sub)["latest_invoice"]
    drafted = sim.object(account, invoice_id)
    await sim.advance(timedelta(hours=1))

    invoice = sim.object(account, invoice_id)
    types = [e["type"] for e in sim.events.events[seen:]]
    assert drafted["status"] == "draft" and drafted["billing_reason"] == "subscription_cycle"
    assert invoice["status"] == "open" and invoice["attempt_count"] == 1
    assert types[:2] == ["invoice.created", "customer.subscription.updated"]
    assert types.index("invoice.finalized") < types.index("charge.failed") < types.index("invoice.payment_failed")
    assert sim.object(account, sub)["status"] == "past_due"


async def test_smart_retries_schedule_and_count_attempts(sim: Simulator, clock: ManualClock,
                                                         account: StripeAccount) -> None:
    _, card, sub = subscriber(sim, account, Declines("do_not_honor"))
    invoice = sim.create_failed_invoice(account, sub)
    first = sim.object(account, invoice)

    await until_next_retry(sim, clock, account, invoice)
    second = sim.object(account, invoice)
    await sim.advance(timedelta(days=14))  # the two-week window closes before the next renewal
    last = sim.object(account, invoice)

    finalized = first["status_transitions"]["finalized_at"]
    assert finalized < first["next_payment_attempt"] <= finalized + 14 * 86400
    assert second["attempt_count"] == 2
    assert last["attempt_count"] == 1 + RETRIES and last["next_payment_attempt"] is None
    assert len(sim.state(account).card(card).attempts) == 1 + RETRIES


async def test_smart_retry_that_succeeds_pays_the_invoice(sim: Simulator, clock: ManualClock,
                                                          account: StripeAccount) -> None:
    _, _, sub = subscriber(sim, account, SucceedsOnAttempt(2))
    invoice = sim.create_failed_invoice(account, sub)

    await until_next_retry(sim, clock, account, invoice)

    assert sim.object(account, invoice)["status"] == "paid"
    assert sim.object(account, sub)["status"] == "active"


async def test_no_automatic_retries_when_smart_retries_are_off(sim: Simulator) -> None:
    account = sim.install_account(smart_retries=False)
    _, _, sub = subscriber(sim, account, Declines("insufficient_funds"))
    invoice = sim.create_failed_invoice(account, sub)

    await sim.advance(timedelta(days=10))

    assert sim.object(account, invoice)["next_payment_attempt"] is None
    assert sim.object(account, invoice)["attempt_count"] == 1


async def test_auto_advance_false_stops_stripes_retries(sim: Simulator, account: StripeAccount) -> None:
    _, card, sub = subscriber(sim, account, Declines("insufficient_funds"))
    invoice = sim.create_failed_invoice(account, sub)
    client = sim.stripe_client()
    await client.v1.invoices.update_async(invoice, {"auto_advance": False}, {"stripe_account": account.id})

    await sim.advance(timedelta(days=20))

    assert sim.object(account, invoice)["attempt_count"] == 1
    assert len(sim.state(account).card(card).attempts) == 1


async def test_double_retry_is_visible_as_next_payment_attempt(sim: Simulator, clock: ManualClock,
                                                               account: StripeAccount) -> None:
    _, card, sub = subscriber(sim, account, Declines("insufficient_funds"))
    invoice = sim.create_failed_invoice(account, sub)
    client = sim.stripe_client()

    try:
        await client.v1.invoices.pay_async(invoice, {}, {"stripe_account": account.id})
    except Exception:  # noqa: BLE001 - the decline is expected; we look at the invoice after
        pass
    await until_next_retry(sim, clock, account, invoice)

    assert len(sim.state(account).card(card).attempts) == 3  # first, ours, Stripe's own retry
    assert sim.object(account, invoice)["attempt_count"] == 2  # our manual pay did not count


async def test_after_a_hard_decline_stripe_counts_but_does_not_charge_until_a_new_card(
        sim: Simulator, clock: ManualClock, account: StripeAccount) -> None:
    customer, card, sub = subscriber(sim, account, LostCard())
    invoice = sim.create_failed_invoice(account, sub)

    await until_next_retry(sim, clock, account, invoice)
    await until_next_retry(sim, clock, account, invoice)
    counted = sim.object(account, invoice)["attempt_count"]
    sim.attach_card(account, customer, Succeeds(), default=True)
    await until_next_retry(sim, clock, account, invoice)

    assert counted == 3 and len(sim.state(account).card(card).attempts) == 1
    assert sim.object(account, invoice)["status"] == "paid"


async def test_cancel_at_period_end_ends_the_subscription(sim: Simulator, account: StripeAccount) -> None:
    _, _, sub = subscriber(sim, account, Succeeds())
    client = sim.stripe_client()
    await client.v1.subscriptions.update_async(sub, {"cancel_at_period_end": True}, {"stripe_account": account.id})

    await sim.advance(timedelta(days=32))

    assert sim.object(account, sub)["status"] == "canceled"
    assert "customer.subscription.deleted" in sim.event_types(account)


async def test_monthly_renewals_keep_coming(sim: Simulator, account: StripeAccount) -> None:
    _, _, sub = subscriber(sim, account, Succeeds())

    await sim.advance(timedelta(days=95))

    invoices = [i for i in sim.state(account).all("invoice") if i["status"] == "paid"]
    assert len(invoices) == 4  # signup plus three renewals
