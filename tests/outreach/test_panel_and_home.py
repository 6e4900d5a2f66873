"""The merchant sees every message on the invoice panel and the e-mail engagement on Home."""

from __future__ import annotations

import dataclasses

from backend.services.outreach_ports import DeliveryRefused, OutgoingEmail
from backend.simulator.behaviours import LostCard
from tests.outreach.journey import failed_invoice, link_path, outbox
from tests.web.test_recovery_api import signed_get


async def test_the_panel_lists_messages_and_home_counts_opens_and_clicks(stack, config, client):
    account = await stack.install()
    _customer, invoice = await failed_invoice(stack, account, LostCard())
    [mail] = outbox(config)
    await client.get(link_path(mail, "Update your card"))

    panel = (await client.get(f"/api/v1/invoices/{invoice}/recovery", **signed_get(account.id, stack))).json()
    home = (await client.get("/api/v1/overview", **signed_get(account.id, stack))).json()

    messages = panel["recovery"]["messages"]
    assert messages[0]["step"] == "card_update" and messages[0]["status"] == "sent"
    assert messages[0]["opened_at"] and messages[0]["clicked_at"]
    assert {m["status"] for m in messages[1:]} == {"planned"}
    assert panel["recovery"]["customer_unsubscribed"] is False
    assert home["emails"] == {"sent": 1, "opened": 1, "clicked": 1, "failed": 0}


class RefusingMailer:
    async def send(self, email: OutgoingEmail) -> str:
        raise DeliveryRefused(f"the mail server refused {email.to}: 550 mailbox unavailable")


async def test_a_refused_address_shows_on_the_panel(stack, config, client):
    runner = stack.app.state.runner
    runner._deps = dataclasses.replace(runner._deps, outreach=dataclasses.replace(runner._deps.outreach,
                                                                                    mailer=RefusingMailer()))
    account = await stack.install()
    _customer, invoice = await failed_invoice(stack, account, LostCard())

    panel = (await client.get(f"/api/v1/invoices/{invoice}/recovery", **signed_get(account.id, stack))).json()

    [first, *_] = panel["recovery"]["messages"]
    assert first["status"] == "failed"
    assert "550 mailbox unavailable" in first["error"] and first["to"] == "ada@customer.example"
