"""The simulator's memory: Stripe objects per account and mode, plus what Stripe keeps hidden."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.simulator.behaviours import CardBehaviour, Decline, Succeeds
from backend.simulator.errors import resource_missing

# Which Stripe noun an id prefix names, for "No such …" messages and expansion.
KIND_BY_PREFIX = {
    "cus": "customer", "pm": "payment_method", "sub": "subscription", "si": "subscription_item",
    "in": "invoice", "pi": "payment_intent", "ch": "charge", "inpay": "invoice_payment",
    "cs": "checkout.session", "seti": "setup_intent", "appsecret": "apps.secret",
    "price": "price", "il": "line_item", "prod": "product", "ii": "invoiceitem", "re": "refund",
    "du": "dispute",
}


# The windows Stripe's retry settings offer, in days (1 week, 2 weeks, 3 weeks, 1 month, 2 months).
RETRY_WINDOWS = (7, 14, 21, 30, 60)


@dataclass(frozen=True)
class RetrySettings:
    """The account's "Manage failed payments" settings: the Smart Retries policy and what
    happens to the subscription and the invoice when the retries run out."""

    tries: int = 8  # Stripe's recommended policy: 8 tries within 2 weeks
    window_days: int = 14
    subscription_end: str = "past_due"  # cancel | unpaid | past_due
    invoice_end: str = "open"  # open | uncollectible

    def __post_init__(self) -> None:
        if self.window_days not in RETRY_WINDOWS:
            raise ValueError(f"window_days must be one of {RETRY_WINDOWS}")
        if not 1 <= self.tries <= 8:
            raise ValueError("tries must be between 1 and 8")
        if self.subscription_end not in ("cancel", "unpaid", "past_due"):
            raise ValueError("subscription_end must be cancel, unpaid or past_due")
        if self.invoice_end not in ("open", "uncollectible"):
            raise ValueError("invoice_end must be open or uncollectible")


@dataclass
class CardState:
    """What the issuer remembers about a card: its script and every charge it saw."""

    behaviour: CardBehaviour = field(default_factory=Succeeds)
    attempts: list[datetime] = field(default_factory=list)
    setup_refusal: Decline | None = None  # a test card the issuer refuses to save
    setup_needs_action: bool = False  # a test card that asks for 3-D Secure when saved


@dataclass
class InvoiceState:
    """Stripe's private bookkeeping on an invoice's collection."""

    finalize_at: datetime | None = None
    retries_done: int = 0
    first_failed_at: datetime | None = None
    retry_times: list[datetime] = field(default_factory=list)  # chosen at the first failure
    hard_declined_pm: str | None = None  # a non-retryable decline on this card stops charges
    payment_intent: str | None = None
    invoice_payment: str | None = None


@dataclass
class SubscriptionState:
    amount: int
    currency: str
    interval: str = "month"
    interval_count: int = 1


@dataclass
class AccountState:
    """One installed account in one mode: test and live objects never see each other."""

    account_id: str
    livemode: bool
    smart_retries: bool = True
    retry_settings: RetrySettings = field(default_factory=RetrySettings)
    installed: bool = True
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    cards: dict[str, CardState] = field(default_factory=dict)
    invoices: dict[str, InvoiceState] = field(default_factory=dict)
    subscriptions: dict[str, SubscriptionState] = field(default_factory=dict)
    secrets: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    invoice_numbers: int = 0
    # The same objects by kind, in creation order: lists read one kind without scanning every
    # object the account ever made (a busy account holds tens of thousands).
    _by_kind: dict[str | None, dict[str, dict[str, Any]]] = field(default_factory=dict, repr=False)
    # An invoice's payments, read with every invoice that expands them (an InvoicePayment's
    # invoice never changes, so the index cannot go stale).
    _payments_by_invoice: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict, repr=False)

    def put(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.objects[obj["id"]] = obj
        self._by_kind.setdefault(obj.get("object"), {})[obj["id"]] = obj
        if obj.get("object") == "invoice_payment":
            self._payments_by_invoice.setdefault(obj["invoice"], {})[obj["id"]] = obj
        return obj

    def payments_of(self, invoice_id: str) -> list[dict[str, Any]]:
        """An invoice's InvoicePayments, newest first (Stripe's list order)."""
        return list(reversed(self._payments_by_invoice.get(invoice_id, {}).values()))

    def find(self, object_id: str) -> dict[str, Any] | None:
        return self.objects.get(object_id)

    def get(self, object_id: str, kind: str, param: str = "id") -> dict[str, Any]:
        """Return the object or raise Stripe's 404, also when it exists with another type."""
        obj = self.objects.get(object_id)
        if obj is None or obj.get("object") != kind:
            raise resource_missing(kind.split(".")[-1], object_id, param=param)
        return obj

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Objects of one kind, newest first (Stripe's list order)."""
        return list(reversed(self._by_kind.get(kind, {}).values()))

    def card(self, payment_method_id: str) -> CardState:
        return self.cards.setdefault(payment_method_id, CardState())


class Store:
    """Every account and mode the simulator knows."""

    def __init__(self) -> None:
        self._accounts: dict[tuple[str, bool], AccountState] = {}

    def add(self, state: AccountState) -> AccountState:
        self._accounts[(state.account_id, state.livemode)] = state
        return state

    def find(self, account_id: str, livemode: bool) -> AccountState | None:
        return self._accounts.get((account_id, livemode))

    def get(self, account_id: str, livemode: bool) -> AccountState:
        state = self.find(account_id, livemode)
        if state is None:
            raise KeyError(f"account {account_id} is not installed in "
                           f"{'live' if livemode else 'test'} mode")
        return state

    def all(self) -> list[AccountState]:
        return list(self._accounts.values())
