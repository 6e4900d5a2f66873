"""A retry whose answer was lost is still credited to Recoup when invoice.paid arrives first."""

from __future__ import annotations

from datetime import timedelta

import httpx

from backend.simulator.behaviours import Declines, Succeeds
from tests.conftest import START
from tests.harness import recoup_with_simulator
from tests.scenarios.test_recovery_flows import failed_subscription_invoice


class PayAnswersLost(httpx.AsyncBaseTransport):
    """While `losing` is set, every Invoice Pay reaches Stripe and takes effect, but its answer never returns."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self.losing = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if self.losing and request.url.path.endswith("/pay"):
            raise httpx.ReadTimeout("the answer was lost on the way back", request=request)
        return response


async def test_a_charge_whose_answer_was_lost_is_credited_to_the_retry_not_to_someone_else(engine, config):
    transports: list[PayAnswersLost] = []

    def losing_answers(inner, _clock, _sim):
        transports.append(PayAnswersLost(inner))
        return transports[0]

    async with recoup_with_simulator(engine, config, START, wrap_stripe=losing_answers) as stack:
        account = await stack.install()
        customer, card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
        stack.sim.set_card_behaviour(account, card, Succeeds())
        transports[0].losing = True
        # The retry charges the card but never hears so; Stripe's invoice.paid then reaches Recoup first.
        while (await stack.recovery(account, invoice)).status != "recovered":
            await stack.advance(timedelta(hours=1))
        transports[0].losing = False

        await stack.advance(timedelta(hours=2), step=timedelta(minutes=1))

        recovery = await stack.recovery(account, invoice)
        succeeded = [c for c in stack.charges(account, customer) if c["status"] == "succeeded"]
        assert (recovery.status, recovery.recovered_by) == ("recovered", "recoup_retry")
        assert len(succeeded) == 2  # the signup and the retry: the re-run charged nothing more
