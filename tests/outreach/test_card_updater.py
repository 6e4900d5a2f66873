"""A card the networks refreshed in place counts like a card update: one retry, credited as a card update."""

from __future__ import annotations

from datetime import timedelta

from backend.simulator.behaviours import ExpiredCard, Succeeds
from backend.simulator.card_updater import refresh_card_in_place
from tests.outreach.journey import failed_invoice, messages, outbox


async def test_an_automatically_updated_card_is_retried_once_and_the_card_emails_stop(stack, config):
    # The card hard-declined (expired); the networks' updater gives it a new expiry under the same id.
    account = await stack.install()
    customer, invoice = await failed_invoice(stack, account, ExpiredCard())
    waiting = await stack.recovery(account, invoice)
    [card] = [pm for pm in stack.sim.state(account).all("payment_method") if pm["customer"] == customer]

    refresh_card_in_place(stack.sim, account, card["id"], Succeeds())
    await stack.settle()
    await stack.advance(timedelta(days=10), step=timedelta(hours=6))

    recovery = await stack.recovery(account, invoice)
    charges = [c for c in stack.charges(account, customer) if c["status"] == "succeeded"]
    story = await messages(stack, recovery.id)
    sent = [m.step for m in story if m.status == "sent"]
    async with stack.uow_factory() as uow:
        attempts = await uow.attempts.for_recovery(recovery.id)
    assert waiting.status == "awaiting_customer"
    assert (recovery.status, recovery.recovered_by) == ("recovered", "card_update")
    assert [(a.trigger, a.outcome) for a in attempts[1:]] == [("card_updater", "succeeded")]
    assert len(charges) == 2  # the signup and the one retry
    assert sent == ["card_update"] and len(outbox(config)) == 1
    assert {m.status for m in story if m.status != "sent"} == {"cancelled"}  # the rest never goes out
