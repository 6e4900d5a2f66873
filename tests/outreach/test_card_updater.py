"""A card the networks refreshed in place counts like a card update: one retry, credited to the updater."""

from __future__ import annotations

from datetime import timedelta

from backend.simulator.behaviours import ExpiredCard, Succeeds
from backend.simulator.card_updater import refresh_card_in_place
from tests.outreach.journey import failed_invoice, messages, outbox


async def test_an_automatically_updated_card_is_retried_once_and_the_card_emails_stop(stack, config):
    account = await stack.install()
    customer, invoice = await failed_invoice(stack, account, ExpiredCard())
    waiting = await stack.recovery(account, invoice)
    [card] = [pm for pm in stack.sim.state(account).all("payment_method") if pm["customer"] == customer]

    refresh_card_in_place(stack.sim, account, card["id"], Succeeds())
    await stack.settle()
    await stack.advance(timedelta(days=10), step=timedelta(hours=6))

    recovery = await stack.recovery(account, invoice)
    charges = [c for c in stack.charges(account, customer) if c["status"] == "succeeded"]
    sent = [m.step for m in await messages(stack, recovery.id) if m.status == "sent"]
    assert waiting.status == "awaiting_customer"
    assert (recovery.status, recovery.recovered_by) == ("recovered", "card_updater")
    assert len(charges) == 2  # the signup and the one retry
    assert sent == ["card_update"] and len(outbox(config)) == 1
