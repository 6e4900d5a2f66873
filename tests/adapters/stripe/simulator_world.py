"""The in-process Stripe simulator as a contract-test world."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from backend.adapters.clock import ManualClock
from backend.domain.billing import StripeAccount
from backend.simulator.behaviours import Declines, Succeeds
from backend.simulator.simulator import Simulator
from backend.simulator.transport import BASE_URL

from .recording import RecordingTransport
from .worlds import TEST_KEY, Ids

START = datetime(2026, 1, 5, 9, tzinfo=UTC)

# What the respx world's canned decline says, so both worlds are held to the same answers.
INSUFFICIENT_FUNDS = Declines(decline_code="insufficient_funds", advice_code="try_again_later",
                              network_advice_code="01", network_decline_code="51")


class SimulatorWorld:
    """A fresh simulator with one installed test-mode account, reached through its httpx transport."""

    api_base: str | None = BASE_URL

    def __init__(self) -> None:
        self.sim = Simulator(ManualClock(START))
        self.account: StripeAccount = self.sim.install_account(livemode=False)
        self._recorder = RecordingTransport(self.sim.transport())
        self.http_client = httpx.AsyncClient(transport=self._recorder)

    @property
    def requests(self) -> list[httpx.Request]:
        return self._recorder.requests

    async def aclose(self) -> None:
        await self.http_client.aclose()
        await self.sim.aclose()

    async def failed_invoice(self) -> Ids:
        customer = self.sim.create_customer(self.account, country="DE")
        card = self.sim.attach_card(self.account, customer, INSUFFICIENT_FUNDS)
        subscription = self.sim.create_subscription(self.account, customer, amount=2000,
                                                    currency="eur")
        invoice = self.sim.create_failed_invoice(self.account, subscription)
        return Ids(customer=customer, invoice=invoice, subscription=subscription,
                   payment_methods=(card,))

    async def payable_invoice(self) -> Ids:
        return self._one_off_invoice(Succeeds())

    async def declining_invoice(self) -> Ids:
        return self._one_off_invoice(INSUFFICIENT_FUNDS)

    async def customer_with_cards(self, count: int) -> Ids:
        customer = self.sim.create_customer(self.account, country="DE")
        cards = tuple(self.sim.attach_card(self.account, customer, Succeeds(), default=n == 0)
                      for n in range(count))
        return Ids(customer=customer, payment_methods=cards)

    async def subscription(self) -> Ids:
        customer = self.sim.create_customer(self.account, country="DE")
        card = self.sim.attach_card(self.account, customer, Succeeds())
        subscription = self.sim.create_subscription(self.account, customer, amount=2000,
                                                    currency="eur")
        return Ids(customer=customer, subscription=subscription, payment_methods=(card,))

    async def open_invoices(self, count: int) -> Ids:
        customer = self.sim.create_customer(self.account)
        self.sim.attach_card(self.account, customer, Succeeds())
        invoices = tuple(self.sim.create_invoice(self.account, customer, amount=1000, attempt=False)
                         for _ in range(count))
        return Ids(customer=customer, invoices=invoices)

    async def stored_secret(self, name: str, payload: str) -> None:
        # Stored through a separate client, so the recorder only sees the gateway's requests.
        client = self.sim.stripe_client(TEST_KEY)
        await client.v1.apps.secrets.create_async(
            {"name": name, "payload": payload, "scope": {"type": "account"}},
            {"stripe_account": self.account.id})

    def _one_off_invoice(self, behaviour: Declines | Succeeds) -> Ids:
        customer = self.sim.create_customer(self.account, country="DE")
        card = self.sim.attach_card(self.account, customer, behaviour)
        invoice = self.sim.create_invoice(self.account, customer, amount=2000, currency="eur",
                                          attempt=False)
        return Ids(customer=customer, invoice=invoice, payment_methods=(card,))
