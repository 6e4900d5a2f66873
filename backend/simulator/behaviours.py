"""Scripted card outcomes: what the issuer answers to the n-th charge on a card."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

# Messages Stripe returns for each code (they are shown to customers, so Stripe words them
# neutrally: a lost or stolen card reads as a plain decline).
_MESSAGES = {
    "insufficient_funds": "Your card has insufficient funds.",
    "expired_card": "Your card has expired.",
    "processing_error": "An error occurred while processing your card. Try again in a little bit.",
    "incorrect_cvc": "Your card's security code is incorrect.",
    "authentication_required": "Your card was declined. This transaction requires authentication.",
}


@dataclass(frozen=True)
class Decline:
    """How one charge failed, in the fields Stripe spreads over the error, PaymentIntent and Charge."""

    code: str = "card_declined"
    decline_code: str | None = "generic_decline"
    advice_code: str | None = None
    network_advice_code: str | None = None
    network_decline_code: str | None = None
    requires_action: bool = False
    network_status: str = "declined_by_network"
    outcome_type: str = "issuer_declined"

    @property
    def message(self) -> str:
        return _MESSAGES.get(self.decline_code or self.code, _MESSAGES.get(self.code, "Your card was declined."))


class CardBehaviour(Protocol):
    def decide(self, attempt: int, now: datetime, first_attempt_at: datetime) -> Decline | None:
        """Return the decline for the `attempt`-th charge (1-based) on this card, or None to approve."""
        ...


@dataclass(frozen=True)
class Succeeds:
    def decide(self, attempt: int, now: datetime, first_attempt_at: datetime) -> Decline | None:
        return None


@dataclass(frozen=True)
class Declines:
    """Always declines with the given codes."""

    decline_code: str = "generic_decline"
    advice_code: str | None = None
    network_advice_code: str | None = None
    network_decline_code: str | None = None
    code: str = "card_declined"

    def decide(self, attempt: int, now: datetime, first_attempt_at: datetime) -> Decline | None:
        return Decline(code=self.code, decline_code=self.decline_code, advice_code=self.advice_code,
                       network_advice_code=self.network_advice_code,
                       network_decline_code=self.network_decline_code)


@dataclass(frozen=True)
class InsufficientFundsUntil:
    """Declines with insufficient_funds before `until`; approves from then on."""

    until: datetime

    def decide(self, attempt: int, now: datetime, first_attempt_at: datetime) -> Decline | None:
        if now >= self.until:
            return None
        return Decline(decline_code="insufficient_funds", advice_code="try_again_later")


@dataclass(frozen=True)
class InsufficientFundsUntilPayday:
    """Declines with insufficient_funds until the next payday (a day of the month, 00:00 UTC)
    after the first attempt on the card: salary lands, the retry works."""

    paydays: tuple[int, ...] = (1, 15)

    def decide(self, attempt: int, now: datetime, first_attempt_at: datetime) -> Decline | None:
        if now >= next_payday(first_attempt_at, self.paydays):
            return None
        return Decline(decline_code="insufficient_funds", advice_code="try_again_later")


@dataclass(frozen=True)
class SucceedsOnAttempt:
    """Declines until the n-th charge on this card, which is approved."""

    n: int
    decline_code: str = "generic_decline"

    def decide(self, attempt: int, now: datetime, first_attempt_at: datetime) -> Decline | None:
        return None if attempt >= self.n else Decline(decline_code=self.decline_code)


@dataclass(frozen=True)
class ExpiredCard:
    def decide(self, attempt: int, now: datetime, first_attempt_at: datetime) -> Decline | None:
        return Decline(code="expired_card", decline_code="expired_card")


@dataclass(frozen=True)
class LostCard:
    """Lost or stolen: the issuer says never retry (advice do_not_try_again; Mastercard MAC 03)."""

    decline_code: str = "lost_card"
    network_advice_code: str | None = None

    def decide(self, attempt: int, now: datetime, first_attempt_at: datetime) -> Decline | None:
        return Decline(decline_code=self.decline_code, advice_code="do_not_try_again",
                       network_advice_code=self.network_advice_code)


def StolenCard(network_advice_code: str | None = None) -> LostCard:  # noqa: N802 - reads as a behaviour
    return LostCard(decline_code="stolen_card", network_advice_code=network_advice_code)


@dataclass(frozen=True)
class RequiresAuthentication:
    """Off-session charge needs 3-D Secure: only the customer can complete it."""

    def decide(self, attempt: int, now: datetime, first_attempt_at: datetime) -> Decline | None:
        return Decline(code="authentication_required", decline_code="authentication_required",
                       requires_action=True)


@dataclass(frozen=True)
class ProcessingError:
    """A transient processor error on the first `failures` attempts, then approval."""

    failures: int = 1

    def decide(self, attempt: int, now: datetime, first_attempt_at: datetime) -> Decline | None:
        if attempt > self.failures:
            return None
        return Decline(code="processing_error", decline_code="processing_error",
                       advice_code="try_again_later", network_status="not_sent_to_network",
                       outcome_type="invalid")


def next_payday(after: datetime, paydays: tuple[int, ...] = (1, 15)) -> datetime:
    """Return the first payday midnight (UTC) strictly after `after`."""
    day = after.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(62):
        day += timedelta(days=1)
        if day.day in paydays:
            return day
    raise ValueError(f"no payday among {paydays}")


# Shares follow the published picture of recurring-payment declines: insufficient funds is
# about half, generic/do_not_honor next, then expired cards, authentication, processing
# errors and lost/stolen cards; a slice of "generic" declines simply clears later.
DEFAULT_FAILURE_MIX: Mapping[str, float] = {
    "insufficient_funds": 0.47,
    "generic_decline": 0.12,
    "do_not_honor": 0.08,
    "recovers_later": 0.11,
    "expired_card": 0.08,
    "authentication_required": 0.05,
    "processing_error": 0.05,
    "lost_card": 0.02,
    "stolen_card": 0.02,
}


@dataclass
class FailureMix:
    """Draw concrete behaviours from named shares, reproducibly from a seed."""

    shares: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_FAILURE_MIX))
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = set(self.shares) - set(BEHAVIOURS_BY_NAME)
        if unknown:
            raise ValueError(f"unknown behaviours in mix: {sorted(unknown)}")
        self._rng = random.Random(self.seed)

    def draw(self) -> tuple[str, CardBehaviour]:
        names = list(self.shares)
        name = self._rng.choices(names, weights=[self.shares[n] for n in names])[0]
        return name, behaviour_named(name, self._rng)


def behaviour_named(name: str, rng: random.Random | None = None) -> CardBehaviour:
    """Build the behaviour a name stands for (used by scenarios and the control API)."""
    if name == "recovers_later":
        return SucceedsOnAttempt(n=(rng or random.Random(0)).randint(2, 4))
    return BEHAVIOURS_BY_NAME[name]()


BEHAVIOURS_BY_NAME: dict[str, Callable[[], CardBehaviour]] = {
    "succeeds": Succeeds,
    "insufficient_funds": InsufficientFundsUntilPayday,
    "generic_decline": lambda: Declines("generic_decline"),
    "do_not_honor": lambda: Declines("do_not_honor"),
    "recovers_later": lambda: SucceedsOnAttempt(3),
    "expired_card": ExpiredCard,
    "authentication_required": RequiresAuthentication,
    "processing_error": lambda: ProcessingError(failures=1),
    "lost_card": LostCard,
    "stolen_card": StolenCard,
}


def behaviour_from_spec(spec: Mapping[str, object] | str) -> CardBehaviour:
    """Build a behaviour from JSON, e.g. `{"type": "declines", "decline_code": "do_not_honor"}`."""
    if isinstance(spec, str):
        spec = {"type": spec}
    kind = str(spec.get("type", "succeeds"))
    args = {k: v for k, v in spec.items() if k != "type"}
    if kind == "declines":
        return Declines(**args)  # type: ignore[arg-type]
    if kind == "insufficient_funds_until":
        return InsufficientFundsUntil(until=datetime.fromisoformat(str(args["until"])))
    if kind == "insufficient_funds_until_payday":
        days = args.get("paydays", (1, 15))
        if not isinstance(days, list | tuple):
            raise ValueError("paydays must be a list of days of the month")
        return InsufficientFundsUntilPayday(paydays=tuple(int(d) for d in days))
    if kind == "succeeds_on_attempt":
        return SucceedsOnAttempt(n=int(args["n"]),  # type: ignore[call-overload]
                                 decline_code=str(args.get("decline_code", "generic_decline")))
    if kind == "processing_error":
        return ProcessingError(failures=int(args.get("failures", 1)))  # type: ignore[call-overload]
    if kind == "requires_authentication":
        return RequiresAuthentication()
    if kind in ("lost_card", "stolen_card"):
        return LostCard(decline_code=kind,
                        network_advice_code=args.get("network_advice_code"))  # type: ignore[arg-type]
    if kind in BEHAVIOURS_BY_NAME:
        return BEHAVIOURS_BY_NAME[kind]()
    raise ValueError(f"unknown card behaviour: {kind}")
