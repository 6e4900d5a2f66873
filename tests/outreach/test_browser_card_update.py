"""A real browser opens the link from the e-mail, goes through simulated Checkout and comes back."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.async_api import Route, async_playwright

from backend.adapters.signed_links import SignedLinks
from backend.simulator.behaviours import LostCard, Succeeds
from tests.outreach.journey import failed_invoice, link_path, outbox

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "browser"


@contextlib.asynccontextmanager
async def serving(app) -> AsyncIterator[str]:
    """Serve the app on a free local port, in this event loop (its lifespan already runs)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)  # waits for the socket to listen, not for simulated time
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
def screenshot_path() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS / "card-update.png"


async def test_a_customer_updates_their_card_in_a_real_browser(stack, config, screenshot_path):
    account = await stack.install({"brand_name": "Demo Coffee Club", "brand_color": "#0A7E52"})

    async def simulated_checkout(route: Route) -> None:
        # Stripe's hosted Checkout, played by the simulator: a card form, then back to success_url.
        session_id = urlsplit(route.request.url).path.split("/")[3]
        if route.request.method == "GET":
            await route.fulfill(content_type="text/html", body=(
                "<html><body><h1>Stripe Checkout (simulated)</h1>"
                f"<form method='post' action='/c/pay/{session_id}/confirm'>"
                "<button id='save'>Save card</button></form></body></html>"))
            return
        stack.sim.complete_checkout_session(account, session_id, Succeeds(), brand="mastercard")
        success = stack.sim.object(account, session_id)["success_url"]
        await route.fulfill(status=303, headers={"Location": success.replace("{CHECKOUT_SESSION_ID}", session_id)})

    async with serving(stack.app) as base, async_playwright() as playwright:
        # The e-mail's links name the public URL, which is this server's free local port here.
        stack.app.state.outreach.links.signer = SignedLinks(config.link_secret, base)
        _customer, invoice = await failed_invoice(stack, account, LostCard())
        [mail] = outbox(config)
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.route("https://checkout.stripe.com/**", simulated_checkout)

        await page.goto(base + link_path(mail, "Update your card"))
        amount = await page.get_by_test_id("amount").inner_text()
        await page.get_by_role("button", name="Add a new card securely").click()
        await page.wait_for_url("https://checkout.stripe.com/**")
        await page.click("#save")
        await page.wait_for_url(f"{base}/r/**/done?session_id=*")
        heading = await page.locator("h1").inner_text()
        await page.screenshot(path=str(screenshot_path), full_page=True)
        await browser.close()
    await stack.settle()

    recovery = await stack.recovery(account, invoice)
    assert amount == "€25.00"
    assert heading == "Thank you! Your new card is saved."
    assert (recovery.status, recovery.recovered_by) == ("recovered", "card_update")
    assert screenshot_path.stat().st_size > 0
    assert stack.invoice(account, invoice)["status"] == "paid"

