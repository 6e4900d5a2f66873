"""Card-network retry budgets: may this card be charged again for this payment, and if not, when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class BudgetVerdict:
    """Whether one more attempt is allowed; `earliest` is when a rolling window frees a slot."""

    allowed: bool
    reason: str
    earliest: datetime | None = None

    @property
    def never(self) -> bool:
        """Return whether no amount of waiting makes this card chargeable again."""
        return not self.allowed and self.earliest is None


@dataclass(frozen=True)
class _Window:
    length: timedelta
    limit: int
    label: str


_DAY = timedelta(hours=24)
_MONTH = timedelta(days=30)
# Mastercard: at most 10 attempts in 24 h and 35 in a rolling 30 days per card (PSP and third-party
# sources; see STRIPE.md 6.2).
_MASTERCARD = (_Window(_DAY, 10, "24 hours"), _Window(_MONTH, 35, "30 days"))
# Visa: Stripe's support page says at most 15 retries of one payment in 30 days. Visa raised this to
# 20 from 2025-05-19 according to secondary sources; the stricter 15 is kept because Stripe itself
# blocks further Visa attempts after the 15th (outcome previously_declined_do_not_retry).
_VISA = (_Window(_MONTH, 15, "30 days"),)
# Other networks publish no figure we could verify: apply Visa's conservative budget to them too.
_OTHER = (_Window(_MONTH, 15, "30 days"),)
# Mastercard Merchant Advice Codes 03 (do not try again) and 21 (payment cancellation) forbid any
# further attempt on the card.
_MASTERCARD_STOP_ADVICE = {"03": "do not try again", "21": "payment cancelled"}


def network_allows_retry(brand: str, previous_attempts: Sequence[datetime], now: datetime, *,
                         advice_code: str | None, network_advice_code: str | None) -> BudgetVerdict:
    """Return whether the card may be charged at `now` given its earlier attempts on this payment."""
    network = _normalise(brand)
    if advice_code == "do_not_try_again":
        return BudgetVerdict(False, "the issuer said do not try this card again "
                                    "(advice do_not_try_again)")
    if network == "mastercard" and network_advice_code in _MASTERCARD_STOP_ADVICE:
        meaning = _MASTERCARD_STOP_ADVICE[network_advice_code]
        return BudgetVerdict(False, f"Mastercard forbids retries after merchant advice code "
                                    f"{network_advice_code} ({meaning})")
    return _check_windows(_display(network), _windows_for(network), previous_attempts, now)


def _check_windows(name: str, windows: Sequence[_Window], attempts: Sequence[datetime],
                   now: datetime) -> BudgetVerdict:
    used: list[str] = []
    blocked: list[tuple[datetime, str]] = []
    for window in windows:
        inside = sorted(a for a in attempts if a > now - window.length)
        used.append(f"{len(inside)} of {window.limit} in {window.label}")
        if len(inside) >= window.limit:
            # Counts only fall as time passes, so the slot frees when enough of the oldest attempts
            # have left the window for the count to drop below the limit.
            frees_at = inside[len(inside) - window.limit] + window.length
            blocked.append((frees_at, f"{name} allows at most {window.limit} attempts per card "
                                      f"in {window.label}; {len(inside)} made"))
    if not blocked:
        return BudgetVerdict(True, f"within {name} limits ({', '.join(used)})")
    earliest = max(when for when, _ in blocked)
    reasons = "; ".join(text for _, text in blocked)
    return BudgetVerdict(False, f"{reasons}; next free slot {earliest:%Y-%m-%d %H:%M} UTC", earliest)


def _windows_for(network: str) -> Sequence[_Window]:
    if network == "mastercard":
        return _MASTERCARD
    if network == "visa":
        return _VISA
    return _OTHER


def _normalise(brand: str) -> str:
    # Stripe sends "mastercard"; display brands and older payloads use "MasterCard" or "Master Card".
    return "".join(brand.split()).lower()


def _display(network: str) -> str:
    return {"mastercard": "Mastercard", "visa": "Visa"}.get(network, "the card network")
