"""Who a paid invoice's money is owed to: the one definition of "recovered by Recoup"."""

from __future__ import annotations

from enum import StrEnum


class Attribution(StrEnum):
    RECOUP_RETRY = "recoup_retry"  # a retry Recoup made (scheduled, or asked by the merchant) succeeded
    CARD_UPDATE = "card_update"  # Recoup's retry with a card the customer added after Recoup asked
    CUSTOMER = "customer"  # the customer paid by themselves (hosted page, bank transfer) meanwhile
    OUT_OF_BAND = "out_of_band"  # the merchant marked the invoice paid outside Stripe
    OTHER = "other"  # any other route: Stripe's own retry, a payment we cannot place


CAUSED_BY_RECOUP: frozenset[Attribution] = frozenset({Attribution.RECOUP_RETRY, Attribution.CARD_UPDATE})


def caused_by_recoup(attribution: str | None) -> bool:
    """Return whether a payment counts as recovered revenue (and in the recovery rate)."""
    return attribution in CAUSED_BY_RECOUP


def attribute_elsewhere(*, paid_off_stripe: bool, waiting_for_customer: bool) -> Attribution:
    """Return who paid an invoice when no retry of Recoup's took the money."""
    if paid_off_stripe:
        # Stripe cannot tell a bank transfer from a manual "mark as paid"; both were not Recoup.
        return Attribution.CUSTOMER if waiting_for_customer else Attribution.OUT_OF_BAND
    return Attribution.CUSTOMER if waiting_for_customer else Attribution.OTHER


def recovery_rate(recovered_by_recoup: int, exhausted: int) -> float | None:
    """Return recovered ÷ (recovered + exhausted), counting only what Recoup caused; None without data."""
    decided = recovered_by_recoup + exhausted
    return recovered_by_recoup / decided if decided else None
