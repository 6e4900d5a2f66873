"""End of dunning cut short after its first Stripe write still finishes when it runs again later."""

from __future__ import annotations

from datetime import timedelta

import httpx

from backend.simulator.behaviours import Declines
from tests.conftest import START
from tests.harness import recoup_with_simulator
from tests.scenarios.test_recovery_flows import failed_subscription_invoice


class InvoiceWritesFail(httpx.AsyncBaseTransport):
    """Stripe answers 500 to updates and voids of invoices while `failing` is set; all else works."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self.failing = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.failing and request.method == "POST" and request.url.path.startswith("/v1/invoices/") \
                and not request.url.path.endswith("/pay"):
            return httpx.Response(500, json={"error": {"type": "api_error", "message": "simulated"}})
        return await self._inner.handle_async_request(request)


async def test_end_actions_interrupted_after_the_first_write_are_completed_by_a_later_run(engine, config):
    writes: list[InvoiceWritesFail] = []

    def failing_writes(inner, _clock, _sim):
        writes.append(InvoiceWritesFail(inner))
        return writes[0]

    async with recoup_with_simulator(engine, config, START, wrap_stripe=failing_writes) as stack:
        account = await stack.install({"max_retries": 1, "dunning_days": 7, "invoice_action": "void"})
        _customer, _card, subscription, invoice = await failed_subscription_invoice(
            stack, account, Declines("generic_decline"))
        # The subscription gets its dunning_complete stamp, then the invoice writes fail for longer than
        # the gateway's own retries: the job stops half-way and comes back later, at another moment.
        writes[0].failing = True
        await stack.advance(timedelta(days=7, hours=12), step=timedelta(hours=6))
        halfway = await stack.recovery(account, invoice)
        stamped = stack.sim.object(account, subscription)["metadata"].get("dunning_complete")
        writes[0].failing = False

        await stack.advance(timedelta(days=1), step=timedelta(minutes=30))

        recovery = await stack.recovery(account, invoice)
        assert (halfway.status, halfway.outcome, stamped is not None) == ("exhausted", "end_actions_pending", True)
        assert (recovery.status, recovery.outcome) == ("exhausted", "exhausted")
        assert stack.invoice(account, invoice)["status"] == "void"
        assert stack.sim.object(account, subscription)["metadata"]["dunning_complete"] == stamped
