"""The Recovery aggregate: one failed invoice, and every rule about its money.

Services load it, call one method, and save it; they never set its fields. The methods here own
the state machine, the live and paper budgets, the dunning window, attribution and the guard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.domain.analytics import RecoveryFacts, next_dispute_status
from backend.domain.attribution import Attribution, attribute_elsewhere
from backend.domain.billing import Card, CardDecline, SettledCharge, StripeAccount
from backend.domain.charge_guard import ChargeAnswer, ChargeQuestion, PastAttempt, Then, answer_for_card, hard_declined
from backend.domain.declines import DeclineCategory
from backend.domain.recovery_state import (
    IllegalTransition,
    RecoveryEvent,
    RecoveryStatus,
    allowed_actions,
    event_for_action,
    is_terminal,
    transition,
)
from backend.domain.retry_schedule import (
    AskForNewCard,
    GiveUp,
    NextStep,
    RetryAt,
    RetryContext,
    WaitForDeadline,
    plan_next_attempt,
    strategy_name,
)
from backend.domain.settings import RecoverySettings

ORIGINAL_ATTEMPT_NUMBER = 0
# Marks a recovery whose end actions have started but not all finished: a re-run after a crash
# applies them again (each with its own idempotency key) instead of skipping a terminal recovery.
END_ACTIONS_PENDING = "end_actions_pending"
OBSERVE_PREFIX = "observe only, nothing is charged: "
_NOT_NETWORK = ("observed", "refused")  # attempts that never reached the card network


@dataclass
class Attempt:
    """One charge attempt (or the original failure, number 0), as recorded in the story."""

    recovery_id: str
    number: int
    attempted_at: datetime
    outcome: str  # succeeded | declined | refused | observed
    idempotency_key: str
    trigger: str  # stripe | schedule | card_update | merchant
    payment_method_id: str | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    decline_code: str | None = None
    advice_code: str | None = None
    network_advice_code: str | None = None
    request_id: str | None = None
    # The PaymentIntent and charge this attempt used: a refund or dispute of it finds the recovery.
    payment_intent_id: str | None = None
    charge_id: str | None = None

    @property
    def reached_network(self) -> bool:
        return self.outcome not in _NOT_NETWORK

    def as_decline(self) -> CardDecline | None:
        if self.outcome not in ("declined", "refused"):
            return None
        return CardDecline(code=self.decline_code, decline_code=self.decline_code, advice_code=self.advice_code,
                           network_advice_code=self.network_advice_code)


@dataclass(frozen=True)
class CardHistory:
    """The card about to be (or last) charged, and when it was tried for this invoice."""

    brand: str | None
    attempts: tuple[datetime, ...]


def card_history(attempts: Sequence[Attempt], payment_method_id: str | None, brand: str | None) -> CardHistory:
    """Return the network-budget facts of one card from the recovery's attempts."""
    times = tuple(a.attempted_at for a in attempts
                  if payment_method_id is not None and a.payment_method_id == payment_method_id
                  and a.reached_network)
    return CardHistory(brand=brand, attempts=times)


def latest_card(attempts: Sequence[Attempt]) -> tuple[str | None, str | None]:
    """Return the payment method and brand of the most recent attempt."""
    for attempt in reversed(attempts):
        if attempt.payment_method_id:
            return attempt.payment_method_id, attempt.card_brand
    return None, None


def failed_card_ids(attempts: Sequence[Attempt]) -> set[str]:
    return {a.payment_method_id for a in attempts if a.outcome in ("declined", "refused") and a.payment_method_id}


class ActionRefused(Exception):
    """A merchant action the recovery does not allow now; `reason` is shown on the panel."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Recovery:
    id: str
    account_id: str
    livemode: bool
    invoice_id: str
    customer_id: str
    subscription_id: str | None
    amount: int
    currency: str
    status: str
    started_at: datetime
    deadline: datetime
    customer_country: str | None = None
    first_decline_category: str | None = None
    first_decline_code: str | None = None
    latest_decline_category: str | None = None
    latest_decline_code: str | None = None
    latest_advice_code: str | None = None
    latest_network_advice_code: str | None = None
    strategy: str | None = None
    attempts_made: int = 0  # live charge attempts (the retry budget)
    next_attempt_at: datetime | None = None
    next_attempt_reason: str | None = None
    outcome: str | None = None
    outcome_detail: str | None = None
    recovered_by: str | None = None  # an Attribution value
    difficulty: int | None = None
    closed_at: datetime | None = None
    stripe_retrying: bool = False
    paper_attempts_made: int = 0  # observe-only attempts: their own budget, never the live one
    window_started_at: datetime | None = None  # the live dunning window starts here (going live)
    auto_advance_found: bool | None = None  # what Recoup found before switching Stripe's collection off
    refunded_amount: int = 0  # of the paying charge, cumulative as Stripe reports it
    dispute_status: str | None = None  # open | won | lost, once the paying charge is disputed
    disputed_amount: int = 0
    version: int = 1

    # Reading ----------------------------------------------------------------------------------------
    @property
    def account(self) -> StripeAccount:
        return StripeAccount(self.account_id, self.livemode)

    @property
    def state(self) -> RecoveryStatus:
        return RecoveryStatus(self.status)

    @property
    def is_open(self) -> bool:
        return not is_terminal(self.state)

    @property
    def observing(self) -> bool:
        return self.state is RecoveryStatus.OBSERVING

    @property
    def window_start(self) -> datetime:
        return self.window_started_at or self.started_at

    @property
    def actions(self) -> tuple[str, ...]:
        return allowed_actions(self.state)

    @property
    def end_actions_pending(self) -> bool:
        return self.outcome == END_ACTIONS_PENDING

    def next_attempt_number(self) -> int:
        return self.attempts_made + 1

    # Opening ----------------------------------------------------------------------------------------
    @classmethod
    def open(cls, *, recovery_id: str, account: StripeAccount, invoice_id: str, customer_id: str,
             subscription_id: str | None, amount: int, currency: str, settings: RecoverySettings, now: datetime,
             reason: str, stripe_retrying: bool = False) -> Recovery:
        """Return a new recovery for a failed invoice, observing or live as the settings say."""
        return cls(id=recovery_id, account_id=account.id, livemode=account.livemode, invoice_id=invoice_id,
                   customer_id=customer_id, subscription_id=subscription_id, amount=amount, currency=currency,
                   status=str(RecoveryStatus.OBSERVING if settings.observe_only else RecoveryStatus.SCHEDULED),
                   started_at=now, deadline=now + timedelta(days=settings.dunning_days),
                   stripe_retrying=stripe_retrying, next_attempt_reason=reason)

    def original_failure(self, decline: CardDecline, card: Card | None, payment_method_id: str | None) -> Attempt:
        """Return attempt 0: the failure that opened the recovery (it counts against the card's budget)."""
        return Attempt(recovery_id=self.id, number=ORIGINAL_ATTEMPT_NUMBER, attempted_at=self.started_at,
                       outcome="declined", idempotency_key=f"stripe:{self.id}:original", trigger="stripe",
                       payment_method_id=payment_method_id, card_brand=card.brand if card else None,
                       card_last4=card.last4 if card else None, decline_code=_code(decline),
                       advice_code=decline.advice_code, network_advice_code=decline.network_advice_code,
                       payment_intent_id=decline.payment_intent_id, charge_id=decline.charge_id)

    def assessed(self, decline: CardDecline, category: DeclineCategory, *, country: str | None,
                 stripe_retrying: bool) -> None:
        """Take in the first read of the failed invoice: why it failed and where the customer lives."""
        self.customer_country = country
        self.first_decline_category = self.first_decline_category or str(category)
        self.first_decline_code = self.first_decline_code or _code(decline)
        self._note_decline(decline, category)
        self.stripe_retrying = self.stripe_retrying or stripe_retrying

    def _note_decline(self, decline: CardDecline, category: DeclineCategory) -> None:
        self.latest_decline_category = str(category)
        self.latest_decline_code = _code(decline)
        self.latest_advice_code = decline.advice_code
        self.latest_network_advice_code = decline.network_advice_code

    # Planning ---------------------------------------------------------------------------------------
    def plan(self, settings: RecoverySettings, card: CardHistory, now: datetime) -> NextStep:
        """Decide the step after the latest failure and move to it; the caller queues its job."""
        self.deadline = self.window_start + timedelta(days=settings.dunning_days)
        category = DeclineCategory(self.latest_decline_category or DeclineCategory.OTHER)
        paper = self.observing
        step = plan_next_attempt(RetryContext(
            category=category, recovery_started_at=self.window_start, last_failed_at=now,
            retries_made=self.paper_attempts_made if paper else self.attempts_made,
            max_retries=settings.max_retries, dunning_days=settings.dunning_days,
            customer_country=self.customer_country, card_brand=card.brand, card_attempts=card.attempts,
            advice_code=self.latest_advice_code, network_advice_code=self.latest_network_advice_code), now)
        self.strategy = strategy_name(category)
        match step:
            case RetryAt(when=when):
                self._move(RecoveryEvent.RETRY_SCHEDULED)
                self.next_attempt_at = when
            case AskForNewCard() | WaitForDeadline():
                self._move(RecoveryEvent.NEW_CARD_NEEDED)
                self.next_attempt_at = None
            case GiveUp():
                self.next_attempt_at = None
        prefix = OBSERVE_PREFIX if settings.observe_only or self.observing else ""
        self.next_attempt_reason = prefix + step.reason
        return step

    def _move(self, event: RecoveryEvent) -> None:
        if self.observing:
            return  # observe-only keeps recording the plan on paper
        self.status = str(transition(self.state, event))

    def dunning_length_changed(self, settings: RecoverySettings) -> None:
        """Move the deadline to the merchant's new dunning length (the caller re-plans)."""
        self.deadline = self.window_start + timedelta(days=settings.dunning_days)

    def replanning(self, now: datetime, why: str, *, card_retry_waiting: bool) -> None:
        """Drop the plan: a retry with a card added meanwhile runs first, else the next step is assessed."""
        self.next_attempt_at = now if card_retry_waiting else None
        self.next_attempt_reason = (f"{why}: retrying with the card added meanwhile" if card_retry_waiting
                                    else f"{why}: planning the next retry")

    # Charging ---------------------------------------------------------------------------------------
    def may_charge(self, question: ChargeQuestion, attempts: Sequence[Attempt],
                   fingerprints: dict[str, str | None] | None = None) -> ChargeAnswer:
        """Answer the one question every charging path asks: may this card be charged now, and why not."""
        if not self.is_open:
            return ChargeAnswer(False, f"the recovery has ended ({self.status})")
        if self.state is RecoveryStatus.PAUSED:
            return ChargeAnswer(False, "the recovery is paused")
        if self.observing:
            return ChargeAnswer(False, "observe only: nothing is charged")
        if question.now >= self.deadline:
            return ChargeAnswer(False, f"the dunning period ended {self.deadline:%Y-%m-%d %H:%M} UTC")
        prints = fingerprints or {}
        past = [PastAttempt(at=a.attempted_at, payment_method_id=a.payment_method_id,
                            fingerprint=prints.get(a.payment_method_id or ""), reached_network=a.reached_network,
                            decline=a.as_decline(), card_last4=a.card_last4) for a in attempts]
        return answer_for_card(question, past)

    def retry_now_refusal(self, attempts: Sequence[Attempt], now: datetime) -> str | None:
        """Why the Dashboard's "retry now" may not charge the card that failed last, or None."""
        last = next((a for a in reversed(attempts) if a.payment_method_id and a.as_decline()), None)
        if last is None:
            return None
        decline = last.as_decline()
        assert decline is not None
        why = hard_declined(decline, last.card_brand, now)
        card = f"the card ending {last.card_last4}" if last.card_last4 else "the card on file"
        return f"{card} may not be charged again: {why}; only a new card can pay this invoice" if why else None

    def charge_refused(self, answer: ChargeAnswer, now: datetime) -> None:
        """Record on the panel why a planned charge was not made (the caller plans what follows)."""
        if answer.then is Then.WAIT_FOR_CARD and self.is_open and not self.observing:
            self._move(RecoveryEvent.NEW_CARD_NEEDED)
            self.next_attempt_at = None
            self.next_attempt_reason = f"not charged: {answer.reason}; waiting for the customer to add another card"
        elif answer.then is Then.LATER and answer.earliest is not None:
            self.next_attempt_at = max(answer.earliest, now)
            self.next_attempt_reason = f"not charged yet: {answer.reason}"

    def charge_declined(self, attempt: Attempt, decline: CardDecline, category: DeclineCategory) -> None:
        """Count a live attempt that the card (or Stripe) refused."""
        self.attempts_made = max(self.attempts_made, attempt.number)
        if self.is_open:
            self._note_decline(decline, category)

    def paper_attempt(self, number_source: Sequence[Attempt]) -> int:
        """Count one observe-only attempt against the paper budget; return its story number."""
        self.paper_attempts_made += 1
        return max((a.number for a in number_source), default=0) + 1

    def attempt_of_ours(self, charge: SettledCharge, card_id: str | None, attempts: Sequence[Attempt]) -> bool:
        """Whether a charge Stripe made on this invoice is the attempt whose answer we never got.

        Stripe can store a 5xx it answered after the charge and replay it for the key, so the
        answer never comes; Stripe's state does. Our attempt comes after every attempt of the
        story and charges `card_id` (None: the invoice's default card, whichever it is).
        """
        since = max((a.attempted_at for a in attempts), default=self.started_at)
        return charge.created > since and (card_id is None or charge.payment_method_id == card_id)

    def charge_succeeded(self, attempt: Attempt) -> None:
        self.attempts_made = max(self.attempts_made, attempt.number)

    # Merchant actions and settings ------------------------------------------------------------------
    def act(self, action: str, now: datetime, attempts: Sequence[Attempt]) -> None:
        """Apply a Dashboard action (retry_now, pause, resume); raise ActionRefused when it may not."""
        if action not in self.actions:
            raise ActionRefused(f"a {self.status} recovery cannot be asked to {action.replace('_', ' ')}")
        if action == "retry_now":
            refusal = self.retry_now_refusal(attempts, now)
            if refusal:
                raise ActionRefused(refusal)
        self.status = str(transition(self.state, event_for_action(action)))
        if action == "retry_now":
            self.next_attempt_at, self.next_attempt_reason = now, "retry requested from the Dashboard"
        elif action == "pause":
            self.next_attempt_at, self.next_attempt_reason = None, "paused from the Dashboard"

    def card_updated(self, now: datetime) -> None:
        """A new card arrived: one immediate retry with it replaces whatever was planned."""
        self.status = str(transition(self.state, RecoveryEvent.CARD_UPDATED))
        self.next_attempt_at = now
        self.next_attempt_reason = "new card on file: retrying at once"

    def observe_only_switched(self, *, observe: bool, now: datetime, settings: RecoverySettings) -> bool:
        """Follow the merchant's observe-only switch; return whether the recovery must be re-planned."""
        if observe and self.state in (RecoveryStatus.SCHEDULED, RecoveryStatus.AWAITING_CUSTOMER):
            self.status = str(transition(self.state, RecoveryEvent.OBSERVED))
            return False
        if not observe and self.observing:
            # Going live: the full live budget and a fresh dunning window, from this moment.
            self.status = str(transition(self.state, RecoveryEvent.RETRY_SCHEDULED))
            self.window_started_at = now
            self.deadline = now + timedelta(days=settings.dunning_days)
            return True
        return False

    def stripe_collection(self, *, retrying: bool, auto_advance_found: bool | None = None) -> None:
        """Record whether Stripe's own retries run on this invoice now, and what Recoup switched off."""
        self.stripe_retrying = retrying
        if auto_advance_found is not None and self.auto_advance_found is None:
            self.auto_advance_found = auto_advance_found

    def collection_to_restore(self) -> bool:
        """Whether Recoup switched Stripe's automatic collection off and must switch it back on."""
        return self.auto_advance_found is True

    def collection_restored(self) -> None:
        self.auto_advance_found = None

    def needs_attention(self, why: str) -> None:
        """Say on the panel that a step failed for good, instead of promising a retry."""
        if self.is_open:
            self.next_attempt_at = None
            self.next_attempt_reason = f"needs attention: {why}"[:500]

    # Ending -----------------------------------------------------------------------------------------
    def end(self, event: RecoveryEvent, *, outcome: str, now: datetime,
            attribution: Attribution | None = None) -> bool:
        """Move an open recovery to its terminal state; False when it had already ended."""
        if not self.is_open:
            return False
        self.status = str(transition(self.state, event))
        self.outcome = outcome
        self.closed_at = now
        self.next_attempt_at = None
        self.next_attempt_reason = None
        if event is RecoveryEvent.PAID:
            self.recovered_by = str(attribution or Attribution.OTHER)
        return True

    def paid_elsewhere(self, *, paid_off_stripe: bool = False) -> Attribution:
        """Who paid, when it was not one of Recoup's retries."""
        return attribute_elsewhere(paid_off_stripe=paid_off_stripe,
                                   waiting_for_customer=self.state is RecoveryStatus.AWAITING_CUSTOMER)

    def reattribute(self, attribution: Attribution) -> str | None:
        """Our own successful attempt is the truth about a payment a webhook guessed; return the old value."""
        previous = self.recovered_by
        self.recovered_by = str(attribution)
        return previous

    # After the payment ------------------------------------------------------------------------------
    def facts(self) -> RecoveryFacts:
        """What the analytics buckets count of this recovery."""
        return RecoveryFacts(currency=self.currency, amount=self.amount, status=self.status,
                             started_at=self.started_at, closed_at=self.closed_at, recovered_by=self.recovered_by,
                             refunded_amount=self.refunded_amount, dispute_status=self.dispute_status,
                             disputed_amount=self.disputed_amount)

    def refunded(self, total_refunded: int) -> bool:
        """Take the charge's cumulative refunded amount; True when it moved (a repeat or an older
        partial refund arriving late changes nothing)."""
        if self.status != RecoveryStatus.RECOVERED:
            return False
        total = min(self.amount, max(self.refunded_amount, total_refunded))
        if total == self.refunded_amount:
            return False
        self.refunded_amount = total
        return True

    def disputed(self, outcome: str, amount: int) -> bool:
        """Take a dispute's state (open, won, lost) and amount; True when anything changed."""
        if self.status != RecoveryStatus.RECOVERED:
            return False
        status = next_dispute_status(self.dispute_status, outcome)
        disputed = min(self.amount, amount)
        if (status, disputed) == (self.dispute_status, self.disputed_amount):
            return False
        self.dispute_status, self.disputed_amount = status, disputed
        return True

    def scored(self, difficulty: int) -> None:
        self.difficulty = difficulty

    def end_actions_dated(self, now: datetime) -> datetime:
        """The time the end actions carry: a run that stopped half-way replays its writes under the same
        idempotency keys, so they must carry the same parameters, dated when the first run started."""
        return self.closed_at if self.end_actions_pending and self.closed_at is not None else now

    def end_actions_started(self, now: datetime) -> bool:
        return self.end(RecoveryEvent.EXHAUSTED, outcome=END_ACTIONS_PENDING, now=now)

    def end_actions_done(self, detail: str, now: datetime) -> bool:
        """Close the end of dunning; True when this call ended the recovery (not an earlier start)."""
        ended = self.end(RecoveryEvent.EXHAUSTED, outcome="exhausted", now=now)
        self.outcome = "exhausted"
        self.outcome_detail = detail[:1000]
        return ended


def _code(decline: CardDecline) -> str | None:
    return decline.decline_code or decline.code


__all__ = ["ActionRefused", "Attempt", "CardHistory", "IllegalTransition", "Recovery", "card_history"]
