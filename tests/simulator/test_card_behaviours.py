"""Each scripted card behaviour, seen through the decline data Stripe exposes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backend.adapters.clock import ManualClock
from backend.domain.billing import StripeAccount
from backend.simulator import (
    CardBehaviour,
    Declines,
    ExpiredCard,
    InsufficientFundsUntil,
    InsufficientFundsUntilPayday,
    LostCard,
    ProcessingError,
    RequiresAuthentication,
    Simulator,
    StolenCard,
    Succeeds,
    SucceedsOnAttempt,
)
from backend.simulator.behaviours import next_payday


def renew(sim: Simulator, account: StripeAccount, behaviour: CardBehaviour) -> tuple[dict, dict, dict]:
    """Renew once on a card with this behaviour; return (invoice, payment_intent, charge)."""
    customer = sim.create_customer(account)
    sim.attach_card(account, customer, behaviour)
    invoice = sim.object(account, sim.renew_now(account, sim.create_subscription(account, customer)))
    intent = [o for o in sim.state(account).all("payment_intent")][0]
    charge = sim.object(account, intent["latest_charge"])
    return invoice, intent, charge


async def test_succeeds(sim: Simulator, account: StripeAccount) -> None:
    invoice, intent, charge = renew(sim, account, Succeeds())

    assert invoice["status"] == "paid" and intent["status"] == "succeeded"
    assert charge["outcome"]["network_status"] == "approved_by_network"


@pytest.mark.parametrize("behaviour, code, decline, advice", [
    (Declines("do_not_honor"), "card_declined", "do_not_honor", None),
    (Declines("insufficient_funds", advice_code="try_again_later", network_advice_code="01"),
     "card_declined", "insufficient_funds", "try_again_later"),
    (ExpiredCard(), "expired_card", "expired_card", None),
    (LostCard(), "card_declined", "lost_card", "do_not_try_again"),
    (StolenCard(network_advice_code="03"), "card_declined", "stolen_card", "do_not_try_again"),
    (ProcessingError(), "processing_error", "processing_error", "try_again_later"),
])
async def test_declines_carry_codes_on_intent_and_charge(
        sim: Simulator, account: StripeAccount, behaviour: CardBehaviour, code: str,
        decline: str, advice: str | None) -> None:
    invoice, intent, charge = renew(sim, account, behaviour)

    error = intent["last_payment_error"]
    assert invoice["status"] == "open" and intent["status"] == "requires_payment_method"
    assert (error["code"], error["decline_code"], error["advice_code"]) == (code, decline, advice)
    assert charge["status"] == "failed" and charge["failure_code"] == code
    assert charge["outcome"]["reason"] == decline and charge["outcome"]["advice_code"] == advice
    assert charge["payment_method_details"]["card"]["last4"] == "4242"


async def test_stolen_card_network_advice_code(sim: Simulator, account: StripeAccount) -> None:
    _, intent, charge = renew(sim, account, StolenCard(network_advice_code="03"))

    assert intent["last_payment_error"]["network_advice_code"] == "03"
    assert charge["outcome"]["network_advice_code"] == "03"


async def test_network_codes_live_on_the_outcome_and_the_error_not_on_the_card(
        sim: Simulator, account: StripeAccount) -> None:
    _, intent, charge = renew(sim, account, Declines(
        "insufficient_funds", network_advice_code="01", network_decline_code="51"))

    error = intent["last_payment_error"]
    assert (error["network_advice_code"], error["network_decline_code"]) == ("01", "51")
    assert (charge["outcome"]["network_advice_code"],
            charge["outcome"]["network_decline_code"]) == ("01", "51")
    card = charge["payment_method_details"]["card"]
    assert "network_advice_code" not in card and "network_decline_code" not in card


@pytest.mark.parametrize("behaviour, seller_message", [
    (Succeeds(), "Payment complete."),
    (Declines("insufficient_funds"), "The bank returned the decline code `insufficient_funds`."),
    (Declines("generic_decline"), "The bank did not return any further details with this decline."),
])
async def test_seller_messages_read_as_stripe_writes_them(
        sim: Simulator, account: StripeAccount, behaviour: CardBehaviour, seller_message: str) -> None:
    _, _, charge = renew(sim, account, behaviour)

    assert charge["outcome"]["seller_message"] == seller_message


async def test_requires_authentication_leaves_intent_requiring_action(
        sim: Simulator, account: StripeAccount) -> None:
    invoice, intent, _ = renew(sim, account, RequiresAuthentication())

    assert intent["status"] == "requires_action"
    assert intent["last_payment_error"]["code"] == "authentication_required"
    assert "invoice.payment_action_required" in sim.event_types(account)
    assert invoice["status"] == "open"


async def test_insufficient_funds_until_a_moment(sim: Simulator, clock: ManualClock,
                                                  account: StripeAccount) -> None:
    behaviour = InsufficientFundsUntil(clock.now() + timedelta(days=2))

    assert behaviour.decide(1, clock.now(), clock.now()) is not None
    assert behaviour.decide(2, clock.now() + timedelta(days=2), clock.now()) is None


def test_insufficient_funds_until_payday_clears_on_the_1st_or_15th() -> None:
    first = datetime.fromisoformat("2026-03-03T10:00:00+00:00")
    behaviour = InsufficientFundsUntilPayday()

    assert next_payday(first) == datetime.fromisoformat("2026-03-15T00:00:00+00:00")
    assert behaviour.decide(2, datetime.fromisoformat("2026-03-14T23:00:00+00:00"), first) is not None
    assert behaviour.decide(3, datetime.fromisoformat("2026-03-15T00:00:00+00:00"), first) is None


async def test_succeeds_on_third_attempt(sim: Simulator, account: StripeAccount) -> None:
    customer = sim.create_customer(account)
    sim.attach_card(account, customer, SucceedsOnAttempt(3))
    sub = sim.create_subscription(account, customer)

    outcomes = [sim.object(account, sim.renew_now(account, sub))["status"] for _ in range(3)]

    assert outcomes == ["open", "open", "paid"]


async def test_signup_payment_does_not_consume_the_script(sim: Simulator, account: StripeAccount) -> None:
    customer = sim.create_customer(account)
    card = sim.attach_card(account, customer, SucceedsOnAttempt(2))
    sim.create_subscription(account, customer)

    assert sim.state(account).card(card).attempts == []
