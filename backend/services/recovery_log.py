"""One readable INFO line per recovery step, for operators watching the log."""

from __future__ import annotations

import logging

from backend.services.money_format import money
from backend.services.records import AttemptRecord, RecoveryRecord

log = logging.getLogger("backend.recovery")

def attempt_line(recovery: RecoveryRecord, attempt: AttemptRecord, max_retries: int) -> str:
    """"in_… retry 2 of 6 approved, $25.00 recovered, payday plan"."""
    head = f"{recovery.invoice_id} retry {attempt.number} of {max_retries}"
    plan = f"{recovery.strategy} plan" if recovery.strategy else "no plan yet"
    amount = money(recovery.amount, recovery.currency)
    if attempt.outcome == "succeeded":
        return f"{head} approved, {amount} recovered, {plan}"
    why = attempt.decline_code or attempt.outcome
    return f"{head} {attempt.outcome} ({why}), {amount} outstanding, {plan}; {_next(recovery)}"


def assessed_line(recovery: RecoveryRecord) -> str:
    """"in_… failed (insufficient_funds), $25.00 in recovery, payday plan; next …"."""
    why = recovery.latest_decline_code or recovery.latest_decline_category or "declined"
    plan = f"{recovery.strategy} plan" if recovery.strategy else "no plan yet"
    return f"{recovery.invoice_id} failed ({why}), {money(recovery.amount, recovery.currency)} in recovery, {plan}; " \
           f"{_next(recovery)}"


def exhausted_line(recovery: RecoveryRecord) -> str:
    """"in_… not recovered, $25.00; end of dunning: subscription cancelled"."""
    return f"{recovery.invoice_id} not recovered, {money(recovery.amount, recovery.currency)}; " \
           f"end of dunning: {recovery.outcome_detail or 'nothing to do'}"


def _next(recovery: RecoveryRecord) -> str:
    if recovery.next_attempt_at is not None:
        return f"next {recovery.next_attempt_at:%Y-%m-%d %H:%M} UTC: {recovery.next_attempt_reason}"
    return f"now {recovery.status.replace('_', ' ')}"


def assessed(recovery: RecoveryRecord) -> None:
    log.info(assessed_line(recovery))


def exhausted(recovery: RecoveryRecord) -> None:
    log.info(exhausted_line(recovery))


def attempt_made(recovery: RecoveryRecord, attempt: AttemptRecord, max_retries: int) -> None:
    log.info(attempt_line(recovery, attempt, max_retries))
