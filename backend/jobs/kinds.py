"""The kinds of durable job, and the dedupe keys that stop the same work being queued twice."""

from __future__ import annotations

from enum import StrEnum


class JobKind(StrEnum):
    APPLY_EVENT = "apply_event"  # what a verified Stripe event means for recoveries
    ASSESS_FAILURE = "assess_failure"  # read the failed invoice, classify, plan, tag
    TAG_INVOICE = "tag_invoice"  # write recoup_status metadata (and stop Stripe's own retries)
    PAY_INVOICE = "pay_invoice"  # one retry
    END_DUNNING = "end_dunning"  # apply the merchant's end actions
    CHASE_OVERDUE = "chase_overdue"  # find failed invoices no webhook told us about
    RESTORE_COLLECTION = "restore_collection"  # give Stripe back the automatic collection Recoup paused
    CANCEL_SUBSCRIPTION = "cancel_subscription"  # a delayed cancellation, checked again when it is due
    SEND_MESSAGE = "send_message"  # one customer e-mail or text (services/outreach_sending.py)
    TAKE_OVER = "take_over"  # walk an account's earlier failed invoices, oldest first (services/takeover.py)


def message_key(recovery_id: str, channel: str, step: str, suffix: str = "") -> str:
    return f"{recovery_id}:msg:{channel}:{step}{suffix}"


def assess_key(recovery_id: str) -> str:
    return f"{recovery_id}:assess"


def tag_key(recovery_id: str, status: str) -> str:
    return f"{recovery_id}:tag:{status}"


def scheduled_pay_key(recovery_id: str, attempts_made: int, run_at_unix: int) -> str:
    # Planned after `attempts_made` attempts for one moment: re-planning the same step is a no-op,
    # a different moment (after a resume, say) is new work.
    return f"{recovery_id}:pay:after-{attempts_made}:at-{run_at_unix}"


def card_update_pay_key(recovery_id: str, payment_method_id: str) -> str:
    return f"{recovery_id}:pay:card-{payment_method_id}"


def merchant_pay_key(recovery_id: str, attempts_made: int) -> str:
    return f"{recovery_id}:pay:merchant-after-{attempts_made}"


def end_key(recovery_id: str, run_at_unix: int) -> str:
    return f"{recovery_id}:end:at-{run_at_unix}"


def pay_idempotency_key(recovery_id: str, attempt_number: int) -> str:
    """The Stripe Idempotency-Key of the Nth charge attempt of a recovery (DESIGN §4.3)."""
    return f"recoup:{recovery_id}:pay:{attempt_number}"


def restore_key(recovery_id: str) -> str:
    return f"{recovery_id}:restore-collection"


def delayed_cancel_key(recovery_id: str) -> str:
    return f"{recovery_id}:cancel-subscription"
