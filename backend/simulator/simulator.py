"""The simulator's front door: build scenarios in Python, mount it, and move its time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import stripe

from backend.domain.billing import StripeAccount
from backend.simulator import disputes, shapes
from backend.simulator.behaviours import CardBehaviour, Succeeds
from backend.simulator.collection import Collector
from backend.simulator.delivery import DEFAULT_DUPLICATE_RATE, WebhookDispatcher
from backend.simulator.events import EventLog
from backend.simulator.faults import Faults
from backend.simulator.ids import IdFactory
from backend.simulator.json_copy import json_copy
from backend.simulator.pipeline import Pipeline
from backend.simulator.ports import Clock
from backend.simulator.routing import Services
from backend.simulator.state import AccountState, RetrySettings, Store, SubscriptionState
from backend.simulator.timeline import Timeline, add_interval

_BRAND_LAST4 = {"visa": "4242", "mastercard": "4444", "amex": "8431", "discover": "1117"}
APPLICATION = {"id": "ca_recoup_simulator", "object": "application", "name": "Recoup"}


class Simulator:
    """A stateful, in-memory Stripe for the parts of the API Recoup uses."""

    def __init__(self, clock: Clock, *, webhook_url: str | None = None,
                 webhook_secret: str | None = None, http_client: httpx.AsyncClient | None = None,
                 seed: int = 0, api_keys: set[str] | None = None,
                 ordered_webhooks: bool = False,
                 duplicate_rate: float = DEFAULT_DUPLICATE_RATE,
                 webhook_stamp: Callable[[], int] | None = None) -> None:
        self.clock = clock
        self.ids = IdFactory(seed)
        self.store = Store()
        self.events = EventLog(self.ids)
        self.collector = Collector(self.ids, self.events)
        self.timeline = Timeline(self.store, self.ids, self.events, self.collector)
        self.faults = Faults()
        self.webhooks = WebhookDispatcher(clock, self.ids, self.events.by_id, http_client,
                                          stamp=webhook_stamp, ordered=ordered_webhooks,
                                          duplicate_rate=duplicate_rate, seed=seed)
        self.events.on_emit.append(self.webhooks.enqueue)
        self.webhooks.on_delivered.append(self._delivered)
        if webhook_url:
            self.webhooks.add_endpoint(webhook_url, webhook_secret or "whsec_simulator")
        self.platform_account = self.ids.account()
        self.events.platform_account = self.platform_account
        for livemode in (False, True):
            self.store.add(AccountState(self.platform_account, livemode))
        services = Services(self.ids, self.events, self.collector, self.timeline)
        self.pipeline = Pipeline(self.store, services, clock, self.faults, self.platform_account,
                                 frozenset(api_keys) if api_keys else None)

    # Accounts ---------------------------------------------------------------------------
    def install_account(self, account_id: str | None = None, *, livemode: bool = False,
                        smart_retries: bool = True) -> StripeAccount:
        """Install the app on an account (in one mode) and emit account.application.authorized."""
        account_id = account_id or self.ids.account()
        state = self.store.find(account_id, livemode) or self.store.add(
            AccountState(account_id, livemode, smart_retries=smart_retries))
        state.installed, state.smart_retries = True, smart_retries
        self.events.emit(state, "account.application.authorized", dict(APPLICATION), self.clock.now())
        return StripeAccount(account_id, livemode)

    def uninstall_account(self, account: StripeAccount) -> None:
        state = self.state(account)
        self.events.emit(state, "account.application.deauthorized", dict(APPLICATION), self.clock.now())
        state.installed = False

    def set_smart_retries(self, account: StripeAccount, enabled: bool) -> None:
        self.state(account).smart_retries = enabled

    def set_retry_settings(self, account: StripeAccount, *, tries: int = 8, window_days: int = 14,
                           subscription_end: str = "past_due", invoice_end: str = "open") -> None:
        """The Dashboard's "Manage failed payments": Smart Retries policy and end-of-retries actions."""
        self.state(account).retry_settings = RetrySettings(tries, window_days, subscription_end,
                                                           invoice_end)

    def state(self, account: StripeAccount) -> AccountState:
        return self.store.get(account.id, account.livemode)

    # Customers and cards ----------------------------------------------------------------
    def create_customer(self, account: StripeAccount, *, email: str | None = None,
                        name: str | None = None, country: str | None = "US",
                        metadata: dict[str, str] | None = None) -> str:
        state, now = self.state(account), self.clock.now()
        cus = state.put(shapes.customer(self.ids.new("cus", 14), created=now,
                                        livemode=state.livemode, email=email, name=name,
                                        country=country, metadata=dict(metadata or {})))
        self.events.emit(state, "customer.created", cus, now)
        return str(cus["id"])

    def attach_card(self, account: StripeAccount, customer: str,
                    behaviour: CardBehaviour | None = None, *, brand: str = "visa",
                    last4: str | None = None, exp_month: int = 12, exp_year: int | None = None,
                    country: str = "US", default: bool = True) -> str:
        """Attach a card with a scripted behaviour; `default` makes it the customer's default."""
        state, now = self.state(account), self.clock.now()
        cus = state.get(customer, "customer")
        if exp_year is None:
            exp_year = now.year + 3
        pm = state.put(shapes.card_payment_method(
            self.ids.new("pm"), created=now, livemode=state.livemode, customer=customer,
            brand=brand, last4=last4 or _BRAND_LAST4.get(brand, "4242"), exp_month=exp_month,
            exp_year=exp_year, fingerprint=self.ids.hex(16), country=country))
        state.card(pm["id"]).behaviour = behaviour or Succeeds()
        self.events.emit(state, "payment_method.attached", pm, now)
        if default:
            before = json_copy(cus)
            cus["invoice_settings"]["default_payment_method"] = pm["id"]
            self.events.emit_update(state, "customer.updated", before, cus, now)
        return str(pm["id"])

    def set_card_behaviour(self, account: StripeAccount, payment_method: str,
                           behaviour: CardBehaviour) -> None:
        state = self.state(account)
        state.get(payment_method, "payment_method")
        state.card(payment_method).behaviour = behaviour

    # Subscriptions and invoices ---------------------------------------------------------
    def create_subscription(self, account: StripeAccount, customer: str, *, amount: int = 2500,
                            currency: str = "usd", interval: str = "month",
                            default_payment_method: str | None = None,
                            metadata: dict[str, str] | None = None) -> str:
        """Start an active subscription whose signup invoice was paid (the story starts later)."""
        state, now = self.state(account), self.clock.now()
        price_id = self.ids.new("price")
        sub = state.put(shapes.subscription(
            self.ids.new("sub"), created=now, livemode=state.livemode, customer=customer,
            item_id=self.ids.new("si", 14), price_id=price_id,
            product_id="prod_" + price_id.removeprefix("price_")[:14], amount=amount,
            currency=currency, interval=interval, period_start=now,
            period_end=add_interval(now, interval), default_payment_method=default_payment_method,
            metadata=dict(metadata or {})))
        state.subscriptions[sub["id"]] = SubscriptionState(amount, currency, interval)
        self.events.emit(state, "customer.subscription.created", sub, now)
        inv = self.timeline.create_invoice(state, customer, amount, currency, now,
                                           billing_reason="subscription_create", subscription=sub,
                                           period=(now, add_interval(now, interval)))
        sub["latest_invoice"] = inv["id"]
        self.collector.finalize(state, inv, now)
        if self.collector.resolve_payment_method(state, inv):
            self.collector.attempt(state, inv, now, automatic=True, force_success=True)
        else:
            self.collector.pay_out_of_band(state, inv, now)
        return str(sub["id"])

    def renew_now(self, account: StripeAccount, subscription: str) -> str:
        """Renew a subscription at once and make the first collection attempt; return the invoice."""
        state, now = self.state(account), self.clock.now()
        sub = state.get(subscription, "subscription")
        sub["items"]["data"][0]["current_period_end"] = shapes.ts(now)
        inv = self.timeline.renew(state, sub, now)
        self.collector.finalize(state, inv, now)
        self.collector.attempt(state, inv, now, automatic=True)
        return str(inv["id"])

    def create_failed_invoice(self, account: StripeAccount, subscription: str) -> str:
        """Renew now with a card scripted to decline; return the open, failed invoice."""
        invoice_id = self.renew_now(account, subscription)
        inv = self.state(account).get(invoice_id, "invoice")
        if inv["status"] != "open":
            raise ValueError(f"{invoice_id} did not fail: the card's behaviour approved it")
        return invoice_id

    def create_invoice(self, account: StripeAccount, customer: str, *, amount: int,
                       currency: str = "usd", attempt: bool = True) -> str:
        """A one-off invoice (billing_reason manual), finalized and, if asked, charged once."""
        state, now = self.state(account), self.clock.now()
        inv = self.timeline.create_invoice(state, customer, amount, currency, now,
                                           billing_reason="manual", subscription=None)
        self.collector.finalize(state, inv, now)
        if attempt:
            self.collector.attempt(state, inv, now, automatic=True)
        return str(inv["id"])

    def pay_invoice_out_of_band(self, account: StripeAccount, invoice_id: str) -> None:
        """The customer settles the invoice outside card collection (bank transfer, cash)."""
        state, now = self.state(account), self.clock.now()
        self.collector.pay_out_of_band(state, state.get(invoice_id, "invoice"), now)

    def confirm_invoice_payment(self, account: StripeAccount, invoice_id: str) -> str | None:
        """Act as the customer confirming a payment on the invoice's hosted page.

        The customer passes 3-D Secure there, so the card that asked for authentication is charged
        and approved (its issuer script is not asked again: the authentication was all it wanted).
        Returns the paying charge, or None when the page had nothing to pay (paid, void).
        """
        state, now = self.state(account), self.clock.now()
        inv = state.get(invoice_id, "invoice")
        if inv["status"] != "open":
            return None
        intent = state.get(str(state.invoices[invoice_id].payment_intent), "payment_intent")
        card = intent.get("payment_method") or self.collector.resolve_payment_method(state, inv)
        self.collector.attempt(state, inv, now, automatic=False, payment_method=card, force_success=True)
        return str(intent["latest_charge"])

    def complete_checkout_session(self, account: StripeAccount, session_id: str,
                                  behaviour: CardBehaviour | None = None, *,
                                  brand: str = "visa", last4: str | None = None,
                                  set_default: bool = False) -> str:
        """Act as the customer finishing a setup-mode Checkout: a new card gets attached."""
        state, now = self.state(account), self.clock.now()
        session = state.get(session_id, "checkout.session")
        if session["status"] != "open":
            raise ValueError(f"{session_id} is {session['status']}")
        pm_id = self.attach_card(account, str(session["customer"]), behaviour, brand=brand,
                                 last4=last4, default=set_default)
        seti = state.get(session["setup_intent"], "setup_intent")
        seti.update({"status": "succeeded", "payment_method": pm_id})
        session.update({"status": "complete"})
        self.events.emit(state, "setup_intent.succeeded", seti, now)
        self.events.emit(state, "checkout.session.completed", session, now)
        return pm_id

    # Money coming back ----------------------------------------------------------------------
    def refund_charge(self, account: StripeAccount, charge_id: str, amount: int | None = None) -> str:
        """Refund a succeeded charge (all that is left when no amount is given), as POST /v1/refunds does."""
        state, now = self.state(account), self.clock.now()
        charge = state.get(charge_id, "charge")
        left = int(charge["amount_captured"]) - int(charge["amount_refunded"])
        wanted = left if amount is None else amount
        if charge["status"] != "succeeded" or not 0 < wanted <= left:
            raise ValueError(f"{charge_id} cannot be refunded {wanted} (unrefunded: {left})")
        return str(disputes.refund(state, self.events, self.ids, charge, wanted, "requested_by_customer", now)["id"])

    def dispute_charge(self, account: StripeAccount, charge_id: str, *, reason: str = "fraudulent",
                       amount: int | None = None) -> str:
        """The cardholder disputes a succeeded charge; return the dispute's id."""
        state, now = self.state(account), self.clock.now()
        charge = state.get(charge_id, "charge")
        if charge["status"] != "succeeded":
            raise ValueError(f"{charge_id} did not succeed")
        return str(disputes.open_dispute(state, self.events, self.ids, charge, reason=reason, amount=amount,
                                         now=now)["id"])

    def close_dispute(self, account: StripeAccount, dispute_id: str, *, won: bool) -> None:
        state = self.state(account)
        disputes.close_dispute(state, self.events, state.get(dispute_id, "dispute"), won=won, now=self.clock.now())

    def paying_charge(self, account: StripeAccount, invoice_id: str) -> str:
        """The charge that paid an invoice (its PaymentIntent's latest charge)."""
        state = self.state(account)
        pi = state.get(str(state.invoices[invoice_id].payment_intent), "payment_intent")
        if pi["status"] != "succeeded":
            raise ValueError(f"{invoice_id} was not paid by card")
        return str(pi["latest_charge"])

    # Looking at state -------------------------------------------------------------------
    def object(self, account: StripeAccount, object_id: str) -> dict[str, Any]:
        """A copy of any stored object, for assertions."""
        obj = self.state(account).find(object_id)
        if obj is None:
            raise KeyError(object_id)
        return json_copy(obj)

    def charges(self, account: StripeAccount, *, customer: str | None = None) -> list[dict[str, Any]]:
        return [json_copy(c) for c in self.state(account).all("charge")
                if customer is None or c["customer"] == customer]

    def event_types(self, account: StripeAccount | None = None) -> list[str]:
        return [e["type"] for e in self.events.select(account=account.id if account else None)]

    # Time and delivery ------------------------------------------------------------------
    async def run_until_now(self) -> int:
        """Do everything Stripe would have done up to the clock's now; return the step count."""
        return self.timeline.run_until(self.clock.now())

    async def deliver_pending(self) -> int:
        return await self.webhooks.deliver_pending()

    async def advance(self, delta: timedelta) -> int:
        """Move a manual clock forward, stopping at each moment something is due.

        Stripe's own steps and webhook deliveries happen in the order of their times, so a
        delivery is sent (and answered) before the step it unblocks, such as finalizing an
        invoice an hour after its `invoice.created` was received.
        """
        advance = getattr(self.clock, "advance", None)
        if advance is None:
            raise TypeError("this clock cannot be advanced")
        target = self.clock.now() + delta
        steps = 0
        for _ in range(1_000_000):
            due = [t for t in (self.timeline.next_due_at(), self.webhooks.next_due_at())
                   if t is not None]
            moment = min(due, default=None)
            if moment is None or moment > target:
                break
            if moment > self.clock.now():
                advance(moment - self.clock.now())
            steps += await self.run_until_now()
            await self.deliver_pending()
        if target > self.clock.now():
            advance(target - self.clock.now())
        steps += await self.run_until_now()
        await self.deliver_pending()
        return steps

    def _delivered(self, event: dict[str, Any], now: datetime) -> None:
        """Every endpoint answered this event: Stripe's invoice finalization may proceed."""
        if event["type"] != "invoice.created":
            return
        state = self.store.find(event.get("account") or self.platform_account, event["livemode"])
        if state is not None:
            self.timeline.invoice_created_delivered(state, event["data"]["object"]["id"], now)

    # Mounts -----------------------------------------------------------------------------
    def transport(self) -> httpx.AsyncBaseTransport:
        from backend.simulator.transport import SimulatorTransport

        return SimulatorTransport(self)

    def asgi_app(self, *, background_interval: float | None = None) -> Any:
        from backend.simulator.asgi import create_app

        return create_app(self, background_interval=background_interval)

    def stripe_client(self, api_key: str = "sk_test_simulator", **kwargs: Any) -> stripe.StripeClient:
        from backend.simulator.transport import stripe_client

        return stripe_client(self, api_key, **kwargs)

    async def aclose(self) -> None:
        await self.webhooks.aclose()
