"""Refund and dispute events are read strictly, like every event Recoup acts on."""

from __future__ import annotations

import pytest

from backend.adapters.stripe.events import HANDLED_EVENT_TYPES, MalformedEvent, parse_event
from backend.services.webhook_events import ChargeDisputed, ChargeRefunded


def event(type_, obj):
    return {"id": "evt_1X", "object": "event", "type": type_, "account": "acct_1A", "livemode": False,
            "created": 1_790_000_000, "data": {"object": obj}}


def dispute(**changes):
    return {"id": "du_1X", "object": "dispute", "amount": 2500, "charge": "ch_1X", "currency": "eur",
            "payment_intent": "pi_1X", "reason": "fraudulent", "status": "needs_response", **changes}


def charge(**changes):
    return {"id": "ch_1X", "object": "charge", "amount": 2500, "amount_refunded": 1000, "refunded": False,
            "currency": "eur", "payment_intent": "pi_1X", **changes}


def test_the_three_events_are_handled():
    assert {"charge.dispute.created", "charge.dispute.closed", "charge.refunded"} <= HANDLED_EVENT_TYPES


def test_a_dispute_becomes_a_fact_with_its_payment():
    _envelope, fact = parse_event(event("charge.dispute.closed", dispute(status="lost")))

    assert isinstance(fact, ChargeDisputed)
    assert (fact.charge_id, fact.payment_intent_id, fact.amount, fact.status) == ("ch_1X", "pi_1X", 2500, "lost")


def test_a_refund_carries_the_running_total():
    _envelope, fact = parse_event(event("charge.refunded", charge()))

    assert isinstance(fact, ChargeRefunded) and (fact.amount, fact.amount_refunded) == (2500, 1000)


@pytest.mark.parametrize(("type_", "obj", "field"), [
    ("charge.dispute.created", dispute(status="maybe"), "status"),
    ("charge.dispute.created", dispute(charge="in_1X"), "charge"),
    ("charge.dispute.created", dispute(amount=-1), "amount"),
    ("charge.refunded", charge(amount_refunded=2600), "amount_refunded"),
    ("charge.refunded", charge(payment_intent="ch_1Y"), "payment_intent"),
])
def test_a_malformed_refund_or_dispute_is_refused_naming_the_field(type_, obj, field):
    with pytest.raises(MalformedEvent) as refused:
        parse_event(event(type_, obj))

    assert refused.value.field.endswith(field)
