"""Every write Recoup sends to Stripe has exactly one row in the account's audit trail."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from backend.services.audit_trail import STRIPE_WRITE, audit_page, invoice_audit, verify_chain
from backend.simulator.behaviours import Declines, InsufficientFundsUntilPayday, Succeeds


async def all_entries(stack, account):
    return (await audit_page(stack.uow_factory, account, after_seq=0, limit=10_000)).entries


async def test_each_write_of_a_recovery_has_one_row_with_its_key_and_stripes_request_id(stack):
    account = await stack.install({"card_rotation": True})
    customer = stack.sim.create_customer(account, country="US")
    stack.sim.attach_card(account, customer, Succeeds(), brand="mastercard", default=False)
    stack.sim.attach_card(account, customer, Declines("do_not_honor"), default=True)
    subscription = stack.sim.create_subscription(account, customer)
    invoice = stack.sim.create_failed_invoice(account, subscription)
    await stack.settle()

    await stack.advance(timedelta(days=4))
    entries = [e for e in await all_entries(stack, account) if e.fields.kind == STRIPE_WRITE]
    sent = Counter(request.headers.get("Idempotency-Key") for request in stack.writes())

    assert (await stack.recovery(account, invoice)).status == "recovered"
    assert {"invoices.pay", "invoices.update", "customers.update"} <= {e.fields.operation for e in entries}
    assert Counter(e.details["idempotency_key"] for e in entries) == sent
    assert all(e.fields.request_id and e.fields.request_id.startswith("req_") for e in entries)
    assert all(e.fields.http_status == 200 and e.fields.actor.startswith("job:") for e in entries)
    assert (await verify_chain(stack.uow_factory, account)).ok


async def test_the_invoice_panel_lists_what_was_done_to_that_invoice(stack):
    account = await stack.install()
    customer = stack.sim.create_customer(account, country="US")
    stack.sim.attach_card(account, customer, InsufficientFundsUntilPayday())
    subscription = stack.sim.create_subscription(account, customer)
    invoice = stack.sim.create_failed_invoice(account, subscription)
    await stack.settle()

    entries = await invoice_audit(stack.uow_factory, account, invoice)

    assert entries and {e.fields.invoice_id for e in entries} == {invoice}
    assert "invoices.update" in {e.fields.operation for e in entries}
