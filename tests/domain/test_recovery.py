"""The Recovery aggregate: the guard every charge asks, its budgets, its window and its attribution."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from backend.domain.attribution import Attribution, caused_by_recoup, recovery_rate
from backend.domain.billing import Card, CardDecline, InvoiceStatus, StripeAccount
from backend.domain.charge_guard import ChargeQuestion, Then
from backend.domain.declines import DeclineCategory
from backend.domain.recovery import ActionRefused, Attempt, CardHistory, Recovery
from backend.domain.recovery_state import RecoveryEvent
from backend.domain.retry_schedule import RetryAt, WaitForDeadline
from backend.domain.settings import RecoverySettings

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
LIVE = RecoverySettings(enabled=True, max_retries=4, dunning_days=28)
OBSERVE = RecoverySettings(enabled=True, observe_only=True, max_retries=4, dunning_days=28)
VISA = Card(id="pm_visa", brand="visa", last4="4242", exp_month=12, exp_year=2030, fingerprint="fp_visa")
MASTERCARD = Card(id="pm_mc", brand="mastercard", last4="4444", exp_month=12, exp_year=2030, fingerprint="fp_mc")


def opened(settings: RecoverySettings = LIVE) -> Recovery:
    return Recovery.open(recovery_id="rec_1", account=StripeAccount("acct_1", False), invoice_id="in_1",
                         customer_id="cus_1", subscription_id="sub_1", amount=2500, currency="eur",
                         settings=settings, now=NOW, reason="reading the decline")


def declined(card: Card, at: datetime, *, code: str = "generic_decline", network_advice: str | None = None,
             number: int = 0) -> Attempt:
    return Attempt(recovery_id="rec_1", number=number, attempted_at=at, outcome="declined",
                   idempotency_key=f"k{number}", trigger="stripe", payment_method_id=card.id, card_brand=card.brand,
                   card_last4=card.last4, decline_code=code, network_advice_code=network_advice)


def question(card: Card | None, *, invoice: InvoiceStatus = InvoiceStatus.OPEN, subscription: str | None = "past_due",
             now: datetime = NOW + timedelta(days=3)) -> ChargeQuestion:
    return ChargeQuestion(invoice_status=invoice, subscription_status=subscription, card=card,
                          card_id=card.id if card else None, now=now)


def test_a_card_may_be_charged_when_nothing_speaks_against_it():
    answer = opened().may_charge(question(VISA), [declined(VISA, NOW)])

    assert answer.allowed


@pytest.mark.parametrize("status", ["canceled", "incomplete_expired", "paused"])
def test_an_invoice_of_a_stopped_subscription_is_never_charged(status):
    answer = opened().may_charge(question(VISA, subscription=status), [])

    assert not answer.allowed and answer.then is Then.CLOSE
    assert status in answer.reason


@pytest.mark.parametrize("status", [InvoiceStatus.PAID, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE])
def test_a_closed_invoice_is_never_charged(status):
    answer = opened().may_charge(question(VISA, invoice=status), [])

    assert not answer.allowed and answer.then is Then.CLOSE


def test_a_card_that_hard_declined_is_not_charged_again_even_under_a_new_id():
    readded = Card(id="pm_again", brand="visa", last4="4242", exp_month=12, exp_year=2030, fingerprint="fp_visa")

    answer = opened().may_charge(question(readded), [declined(VISA, NOW, code="lost_card")],
                                 fingerprints={"pm_visa": "fp_visa", "pm_again": "fp_visa"})

    assert not answer.allowed and answer.then is Then.WAIT_FOR_CARD
    assert "lost_card" in answer.reason


def card_update(card: Card, *, failed_on_invoice: frozenset[str] = frozenset()) -> ChargeQuestion:
    return replace(question(card, now=NOW + timedelta(minutes=1)), as_new_card=True,
                   failed_on_invoice=failed_on_invoice)


def test_a_card_update_naming_the_card_that_failed_charges_nothing_and_keeps_the_plan():
    answer = opened().may_charge(card_update(VISA), [declined(VISA, NOW)])

    assert not answer.allowed
    assert answer.then is Then.KEEP_PLAN


def test_a_card_update_naming_the_card_stripe_saw_fail_is_not_new_before_our_story_records_it():
    answer = opened().may_charge(card_update(VISA, failed_on_invoice=frozenset({VISA.id})), [])

    assert answer.then is Then.KEEP_PLAN


def test_a_card_update_with_another_card_or_one_refreshed_in_place_is_charged_at_once():
    refreshed = replace(VISA, last4="1881", exp_year=2031)  # the card updater changed it, same id

    assert opened().may_charge(card_update(MASTERCARD), [declined(VISA, NOW)]).allowed
    assert opened().may_charge(card_update(refreshed), [declined(VISA, NOW)]).allowed


def test_a_card_the_networks_refreshed_with_a_new_expiry_only_is_charged_once_as_new():
    refreshed = replace(VISA, exp_year=2031)  # same id, same number: only the expiry changed
    updated = replace(card_update(refreshed), card_refreshed_at=NOW + timedelta(seconds=30))

    answer = opened().may_charge(updated, [declined(VISA, NOW, code="expired_card")])

    assert answer.allowed


def test_mastercard_advice_03_forbids_the_card_for_the_rest_of_the_recovery():
    answer = opened().may_charge(question(MASTERCARD), [declined(MASTERCARD, NOW, code="do_not_honor",
                                                                 network_advice="03")])

    assert not answer.allowed and "do not try again" in answer.reason


def test_another_card_is_not_held_back_by_the_first_cards_hard_decline():
    answer = opened().may_charge(question(MASTERCARD), [declined(VISA, NOW, code="lost_card")])

    assert answer.allowed


def test_the_network_budget_says_when_the_card_may_be_tried_again():
    attempts = [declined(MASTERCARD, NOW + timedelta(hours=n), number=n) for n in range(10)]

    answer = opened().may_charge(question(MASTERCARD, now=NOW + timedelta(hours=12)), attempts)

    assert not answer.allowed and answer.then is Then.LATER
    assert answer.earliest == NOW + timedelta(hours=24)


def test_nothing_is_charged_while_paused_observed_ended_or_after_the_deadline():
    paused, observed, ended, late = opened(), opened(OBSERVE), opened(), opened()
    paused.act("pause", NOW, [])
    ended.end(RecoveryEvent.STOPPED_BY_MERCHANT, outcome="stopped_by_merchant", now=NOW)

    answers = [r.may_charge(question(VISA), []) for r in (paused, observed, ended)]
    answers.append(late.may_charge(question(VISA, now=NOW + timedelta(days=28)), []))

    assert [a.allowed for a in answers] == [False, False, False, False]


def test_retry_now_is_refused_with_the_reason_after_a_hard_decline():
    recovery = opened()

    with pytest.raises(ActionRefused, match="ending 4444 may not be charged again"):
        recovery.act("retry_now", NOW, [declined(MASTERCARD, NOW, code="do_not_honor", network_advice="03")])


def test_paper_attempts_never_use_the_live_budget_and_going_live_opens_a_fresh_window():
    recovery = opened(OBSERVE)
    for _ in range(3):
        recovery.paper_attempt([])
    live_from = NOW + timedelta(days=15)

    replan = recovery.observe_only_switched(observe=False, now=live_from, settings=LIVE)
    step = recovery.plan(LIVE, CardHistory("visa", ()), live_from)

    assert replan and recovery.attempts_made == 0 and recovery.paper_attempts_made == 3
    assert recovery.deadline == live_from + timedelta(days=28)
    assert isinstance(step, RetryAt)


def test_when_no_retry_fits_the_recovery_waits_for_its_deadline():
    recovery = opened()
    recovery.charge_declined(declined(VISA, NOW, number=4), CardDecline(decline_code="generic_decline"),
                             DeclineCategory.GENERIC)

    step = recovery.plan(LIVE, CardHistory("visa", ()), NOW + timedelta(days=10))

    assert isinstance(step, WaitForDeadline)
    assert recovery.status == "awaiting_customer" and recovery.is_open


@pytest.mark.parametrize(("attribution", "counts"), [
    (Attribution.RECOUP_RETRY, True), (Attribution.CARD_UPDATE, True), (Attribution.CUSTOMER, False),
    (Attribution.OUT_OF_BAND, False), (Attribution.OTHER, False),
])
def test_only_payments_recoup_caused_count_as_recovered(attribution, counts):
    assert caused_by_recoup(attribution) is counts


def test_the_recovery_rate_counts_only_what_recoup_caused():
    assert recovery_rate(recovered_by_recoup=0, exhausted=0) is None
    assert recovery_rate(recovered_by_recoup=3, exhausted=1) == 0.75


def test_a_payment_while_waiting_for_the_customer_is_the_customers():
    waiting, scheduled = opened(), opened()
    waiting.plan(LIVE, CardHistory("visa", ()), NOW)  # generic decline planned: scheduled
    waiting.charge_refused(opened().may_charge(question(VISA), [declined(VISA, NOW, code="lost_card")]), NOW)

    assert waiting.paid_elsewhere() is Attribution.CUSTOMER
    assert scheduled.paid_elsewhere() is Attribution.OTHER
    assert scheduled.paid_elsewhere(paid_off_stripe=True) is Attribution.OUT_OF_BAND


def test_end_actions_a_run_left_half_done_are_dated_when_they_first_started():
    recovery = opened()
    started = NOW + timedelta(days=28)
    recovery.end_actions_started(started)

    assert recovery.end_actions_dated(started + timedelta(hours=3)) == started  # a re-run replays the same writes
    recovery.end_actions_done("exhausted", started + timedelta(hours=3))
    assert recovery.end_actions_dated(started + timedelta(days=1)) == started + timedelta(days=1)
