"""Read why a card payment failed from Stripe's card errors, PaymentIntents and Charges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from backend.adapters.stripe.fields import Json, id_of, text
from backend.domain.billing import CardDecline


def decline_from_error(error: Json, *, payment_intent_id: str | None = None) -> CardDecline:
    """Read a card error: a 402 body's `error` or a PaymentIntent's `last_payment_error`."""
    return CardDecline(
        code=text(error, "code"),
        decline_code=text(error, "decline_code"),
        advice_code=text(error, "advice_code"),
        network_advice_code=text(error, "network_advice_code"),
        network_decline_code=text(error, "network_decline_code"),
        message=text(error, "message"),
        payment_method_id=id_of(error.get("payment_method")),
        charge_id=id_of(error.get("charge")),
        payment_intent_id=id_of(error.get("payment_intent")) or payment_intent_id,
    )


def lacks_outcome(decline: CardDecline) -> bool:
    """Tell whether the charge must be read to learn how the network answered."""
    # Card errors and last_payment_error never carry charge.outcome; only the Charge does.
    return decline.charge_id is not None and decline.network_status is None


def with_charge_outcome(decline: CardDecline, charge: Json) -> CardDecline:
    """Add the Charge's outcome, keeping any code the error already gave."""
    outcome = charge.get("outcome") or {}
    return replace(
        decline,
        code=decline.code or text(charge, "failure_code"),
        advice_code=decline.advice_code or text(outcome, "advice_code"),
        network_advice_code=decline.network_advice_code or text(outcome, "network_advice_code"),
        network_decline_code=decline.network_decline_code or text(outcome, "network_decline_code"),
        network_status=text(outcome, "network_status"),
        # e.g. type=blocked, reason=previously_declined_do_not_retry once Visa's retry cap is hit.
        outcome_type=text(outcome, "type"),
        outcome_reason=text(outcome, "reason"),
        message=decline.message or text(charge, "failure_message"),
    )


def latest_invoice_decline(invoice: Json) -> tuple[CardDecline | None, str | None]:
    """Return the newest failed payment's decline and the card the newest attempt used.

    Basil removed Invoice.payment_intent and Invoice.charge: the detail lives on the
    PaymentIntents of `payments`, present only when the retrieve expanded
    `payments.data.payment.payment_intent`.
    """
    intents = _expanded_intents_newest_first(invoice)
    if not intents:
        return None, None
    newest_error = intents[0].get("last_payment_error") or {}
    latest_method = id_of(newest_error.get("payment_method")) or id_of(intents[0].get("payment_method"))
    for intent in intents:
        error = intent.get("last_payment_error")
        if isinstance(error, Mapping):
            return _decline_of_intent(intent, error), latest_method
    return None, latest_method


def paying_charge_id(invoice: Json) -> str | None:
    """The charge of the PaymentIntent that paid the invoice, when `payments` came expanded.

    An invoice reuses one PaymentIntent for every attempt, so the intent's creation says nothing
    about which attempt paid: its latest charge does.
    """
    for intent in _expanded_intents_newest_first(invoice):
        if intent.get("status") == "succeeded":
            return id_of(intent.get("latest_charge"))
    return None


def _decline_of_intent(intent: Json, error: Json) -> CardDecline:
    decline = decline_from_error(error, payment_intent_id=id_of(intent))
    # The outcome is only there if the charge itself came expanded (expansion depth allowing).
    charge = intent.get("latest_charge")
    if isinstance(charge, Mapping) and id_of(charge) == decline.charge_id:
        return with_charge_outcome(decline, charge)
    return decline


def _expanded_intents_newest_first(invoice: Json) -> list[Json]:
    payments = (invoice.get("payments") or {}).get("data") or []
    ordered = sorted(payments, key=lambda payment: payment.get("created") or 0, reverse=True)
    intents = [(payment.get("payment") or {}).get("payment_intent") for payment in ordered]
    return [intent for intent in intents if isinstance(intent, Mapping)]
