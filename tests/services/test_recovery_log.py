"""What an operator reads in the log for each recovery step."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.services.money_format import money
from backend.services.records import AttemptRecord, RecoveryRecord
from backend.services.recovery_log import assessed_line, attempt_line, exhausted_line

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def a_recovery(**changes: object) -> RecoveryRecord:
    recovery = RecoveryRecord(id="rec_1", account_id="acct_1", livemode=False, invoice_id="in_1", customer_id="cus_1",
                              subscription_id="sub_1", amount=2500, currency="usd", status="scheduled",
                              started_at=AT, deadline=AT, strategy="payday")
    for name, value in changes.items():
        setattr(recovery, name, value)
    return recovery


def an_attempt(outcome: str, decline_code: str | None = None) -> AttemptRecord:
    return AttemptRecord(recovery_id="rec_1", number=2, attempted_at=AT, outcome=outcome, idempotency_key="k",
                         trigger="schedule", decline_code=decline_code)


def test_an_approved_retry_reads_as_money_recovered() -> None:
    line = attempt_line(a_recovery(status="recovered"), an_attempt("succeeded"), 6)

    assert line == "in_1 retry 2 of 6 approved, $25.00 recovered, payday plan"


def test_a_declined_retry_says_why_and_what_comes_next() -> None:
    recovery = a_recovery(next_attempt_at=datetime(2026, 12, 15, 9, 0, tzinfo=UTC),
                          next_attempt_reason="next payday")

    line = attempt_line(recovery, an_attempt("declined", "insufficient_funds"), 6)

    assert line == ("in_1 retry 2 of 6 declined (insufficient_funds), $25.00 outstanding, payday plan; "
                    "next 2026-12-15 09:00 UTC: next payday")


def test_amounts_follow_the_currencys_minor_unit() -> None:
    assert money(123456, "usd") == "$1,234.56"
    assert money(500, "jpy") == "¥500"
    assert money(1250, "chf") == "CHF12.50"  # CLDR's English pattern


def test_an_assessed_failure_names_the_decline_and_the_plan() -> None:
    recovery = a_recovery(latest_decline_code="insufficient_funds",
                          next_attempt_at=datetime(2026, 12, 4, 8, 0, tzinfo=UTC), next_attempt_reason="next payday")

    line = assessed_line(recovery)

    assert line == ("in_1 failed (insufficient_funds), $25.00 in recovery, payday plan; "
                    "next 2026-12-04 08:00 UTC: next payday")


def test_the_end_of_dunning_says_what_it_did() -> None:
    recovery = a_recovery(status="exhausted", outcome_detail="subscription cancelled at period end")

    line = exhausted_line(recovery)

    assert line == "in_1 not recovered, $25.00; end of dunning: subscription cancelled at period end"
