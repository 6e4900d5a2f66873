"""Customer outreach from failure to payment: e-mails, the card-update page, Checkout, tracking."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from backend.simulator.behaviours import Declines, LostCard, RequiresAuthentication, Succeeds
from tests.outreach.journey import csrf_field, failed_invoice, link_path, messages, outbox, text_of

BERLIN = ZoneInfo("Europe/Berlin")


async def test_a_soft_decline_gets_six_emails_in_daytime_and_never_just_before_a_retry(stack, config):
    account = await stack.install({"brand_name": "Demo Coffee Club"})
    _customer, invoice = await failed_invoice(stack, account, Declines("do_not_honor"))
    recovery = await stack.recovery(account, invoice)

    await stack.advance(timedelta(days=29))

    sent = [m for m in await messages(stack, recovery.id) if m.status == "sent"]
    retries = [a.attempted_at for a in await stack.attempts(recovery.id) if a.trigger == "schedule"]
    assert [m.step for m in sent] == ["notice", "reminder", "access_warning", "suspension_warning",
                                      "last_chance", "final_notice"]
    assert all(9 <= m.sent_at.astimezone(BERLIN).hour < 20 for m in sent)
    assert retries and not any(timedelta(0) < r - m.sent_at <= timedelta(hours=6) for m in sent for r in retries)
    emails = outbox(config)
    assert len(emails) == 6
    assert emails[0]["From"].addresses[0].display_name == "Demo Coffee Club"
    assert "€25.00" in text_of(emails[0])


async def test_no_email_goes_out_after_the_invoice_is_paid(stack, config):
    account = await stack.install()
    _customer, invoice = await failed_invoice(stack, account, Declines("do_not_honor"))
    await stack.advance(timedelta(days=1))

    stack.sim.pay_invoice_out_of_band(account, invoice)
    await stack.settle()
    await stack.advance(timedelta(days=29), step=timedelta(hours=6))

    recovery = await stack.recovery(account, invoice)
    sent = [m.step for m in await messages(stack, recovery.id) if m.status == "sent"]
    assert recovery.status == "recovered"
    assert sent == ["notice"]
    assert len(outbox(config)) == 1


async def test_a_hard_decline_asks_for_a_new_card_at_once_in_the_customers_language(stack, config):
    account = await stack.install({"brand_name": "Kaffee Klub"})

    await failed_invoice(stack, account, LostCard(), locales=["de-DE"])

    [first] = outbox(config)
    assert first["Subject"] == "Bitte aktualisieren Sie Ihre Karte für Kaffee Klub"
    assert "25,00\xa0€" in text_of(first)
    assert "erneut mit Ihrer Karte" not in text_of(first)  # never "we will try your card again"


async def test_the_link_in_the_email_leads_through_checkout_to_one_immediate_retry(stack, config, client):
    account = await stack.install({"brand_name": "Demo Coffee Club"})
    customer, invoice = await failed_invoice(stack, account, LostCard())
    [mail] = outbox(config)

    clicked = await client.get(link_path(mail, "Update your card"))
    page = await client.get(urlsplit(clicked.headers["location"]).path)
    to_checkout = await client.post(f"{urlsplit(str(page.url)).path}/checkout",
                                    data={"csrf_token": csrf_field(page.text)})
    session_id = urlsplit(to_checkout.headers["location"]).path.rsplit("/", 1)[-1]
    new_card = stack.sim.complete_checkout_session(account, session_id, Succeeds(), brand="mastercard")
    done = await client.get(f"{urlsplit(str(page.url)).path}/done", params={"session_id": session_id})
    again = await client.get(f"{urlsplit(str(page.url)).path}/done", params={"session_id": session_id})
    await stack.settle()  # the checkout.session.completed webhook arrives too

    recovery = await stack.recovery(account, invoice)
    charged = [c for c in stack.charges(account, customer) if c["payment_method"] == new_card]
    assert clicked.status_code == 303
    assert page.status_code == 200 and "€25.00" in page.text and "Demo Coffee Club" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert to_checkout.status_code == 303
    assert done.status_code == 200 and again.status_code == 200
    assert (recovery.status, recovery.recovered_by) == ("recovered", "card_update")
    assert len(charged) == 1


async def test_a_form_without_its_csrf_token_is_refused(stack, config, client):
    account = await stack.install()
    await failed_invoice(stack, account, LostCard())
    [mail] = outbox(config)
    clicked = await client.get(link_path(mail, "Update your card"))
    page_path = urlsplit(clicked.headers["location"]).path

    forged = await client.post(f"{page_path}/checkout", data={"csrf_token": "forged"})

    assert forged.status_code == 403
    assert not [r for r in stack.writes() if "/v1/checkout/sessions" in r.url.path]


async def test_tampered_expired_and_paid_links_get_branded_pages_with_the_right_status(stack, config, client):
    account = await stack.install({"brand_name": "Demo Coffee Club"})
    _customer, invoice = await failed_invoice(stack, account, LostCard())
    recovery = await stack.recovery(account, invoice)
    links = stack.app.state.outreach.links
    good = links.card_update_token(recovery.id, recovery.deadline)
    expired = links.signer.sign("card-update", recovery.id, stack.clock.now() - timedelta(seconds=1))

    tampered = await client.get(f"/r/{good[:-2]}xx")
    too_late = await client.get(f"/r/{expired}")
    stack.sim.pay_invoice_out_of_band(account, invoice)
    await stack.settle()
    paid = await client.get(f"/r/{good}")

    assert tampered.status_code == 404 and "This link is not valid" in tampered.text
    assert too_late.status_code == 410 and "This link has expired" in too_late.text
    assert "Demo Coffee Club" in too_late.text
    assert paid.status_code == 410 and "This invoice is already paid" in paid.text
    assert "Traceback" not in tampered.text + too_late.text + paid.text


async def test_opens_and_clicks_are_counted_once(stack, config, client):
    account = await stack.install()
    _customer, invoice = await failed_invoice(stack, account, LostCard())
    recovery = await stack.recovery(account, invoice)
    [mail] = outbox(config)
    pixel = next(part for part in mail.get_body(("html",)).get_content().split('"') if "/t/o/" in part)

    first = await client.get(urlsplit(pixel).path)
    await client.get(urlsplit(pixel).path)
    await client.get(link_path(mail, "Update your card"))
    await client.get(link_path(mail, "Update your card"))

    async with stack.uow_factory() as uow:
        engagement = await uow.messages.engagement(account)
    [message] = [m for m in await messages(stack, recovery.id) if m.status == "sent"]
    assert first.headers["content-type"] == "image/gif"
    assert (engagement.sent, engagement.opened, engagement.clicked) == (1, 1, 1)
    assert message.opened_at is not None and message.clicked_at is not None


async def test_an_unsubscribed_customer_gets_no_more_emails(stack, config, client):
    account = await stack.install()
    _customer, invoice = await failed_invoice(stack, account, Declines("do_not_honor"))
    [mail] = outbox(config)
    page = await client.get(link_path(mail, "Unsubscribe from payment reminders"))

    done = await client.post(link_path(mail, "Unsubscribe from payment reminders"),
                             data={"csrf_token": csrf_field(page.text)})
    await stack.advance(timedelta(days=10), step=timedelta(hours=6))

    recovery = await stack.recovery(account, invoice)
    steps = {m.step: m.status for m in await messages(stack, recovery.id)}
    assert done.status_code == 200 and "You're unsubscribed" in done.text
    assert steps["notice"] == "sent"
    assert steps["reminder"] == "skipped" and steps["access_warning"] == "skipped"
    assert len(outbox(config)) == 1


async def test_a_payment_the_bank_wants_confirmed_sends_one_confirm_email_to_the_invoice_page(stack, config, client):
    account = await stack.install({"brand_name": "Demo Coffee Club"})
    _customer, invoice = await failed_invoice(stack, account, RequiresAuthentication())

    confirm = [m for m in outbox(config) if m["Subject"] == "Please confirm your payment to Demo Coffee Club"]
    clicked = await client.get(link_path(confirm[0], "Confirm your payment"))

    assert len(confirm) == 1 and len(outbox(config)) == 1
    assert clicked.status_code == 303
    assert clicked.headers["location"] == stack.invoice(account, invoice)["hosted_invoice_url"]


async def test_coming_back_after_the_webhook_already_recovered_the_invoice_still_says_thank_you(stack, config,
                                                                                                 client):
    account = await stack.install()
    customer, invoice = await failed_invoice(stack, account, LostCard())
    [mail] = outbox(config)
    clicked = await client.get(link_path(mail, "Update your card"))
    page_path = urlsplit(clicked.headers["location"]).path
    page = await client.get(page_path)
    to_checkout = await client.post(f"{page_path}/checkout", data={"csrf_token": csrf_field(page.text)})
    session_id = urlsplit(to_checkout.headers["location"]).path.rsplit("/", 1)[-1]
    stack.sim.complete_checkout_session(account, session_id, Succeeds())
    await stack.settle()  # checkout.session.completed and the retry win the race

    done = await client.get(f"{page_path}/done", params={"session_id": session_id})

    recovery = await stack.recovery(account, invoice)
    assert recovery.status == "recovered"
    assert done.status_code == 200 and "Your new card is saved" in done.text
    assert len([c for c in stack.charges(account, customer) if c["status"] == "succeeded"]) == 2


async def test_stripe_down_or_a_mangled_session_id_gets_a_branded_page_never_a_crash(stack, config, client):
    account = await stack.install({"brand_name": "Demo Coffee Club"})
    _customer, invoice = await failed_invoice(stack, account, LostCard())
    recovery = await stack.recovery(account, invoice)
    token = stack.app.state.outreach.links.card_update_token(recovery.id, recovery.deadline)

    stack.sim.faults.inject(503, count=20, path_prefix="/v1/invoices")
    outage = await client.get(f"/r/{token}")
    stack.sim.faults.clear()
    mangled = await client.get(f"/r/{token}/done", params={"session_id": "cs_test_1\n"})
    sms_link = await client.get("/s/msg_0123456789abcdef01234567x")

    assert outage.status_code == 503 and "This page is not available right now" in outage.text
    assert mangled.status_code == 404 and "This link is not valid" in mangled.text
    assert sms_link.status_code == 404
    assert "Traceback" not in outage.text + mangled.text + sms_link.text
    assert outage.headers["referrer-policy"] == "no-referrer"
