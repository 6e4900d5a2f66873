"""`make run` with no Stripe keys: a working demo on the simulator, and only then."""

from __future__ import annotations

import logging

import httpx

from backend.config import load_config
from backend.demo import banner_lines
from backend.runtime import build_service
from backend.services.account_settings import read_settings
from tests.outreach.journey import csrf_field


async def test_without_keys_recoup_runs_a_seeded_demo_against_the_simulator(tmp_path, caplog):
    config = load_config({"DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", "SCHEDULER_ENABLED": "false",
                          "OUTBOX_DIR": str(tmp_path / "outbox")})
    app = build_service(config)

    with caplog.at_level(logging.WARNING, logger="backend.demo"):
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as http:
                clock = await http.get("/_sim/clock")
                await app.state.runner.drain()
                account = app.state.demo_account
                link = app.state.demo_card_update_link
                banner = banner_lines(config, account, link)
                page = await http.get(link.removeprefix(config.public_base_url))
                path = link.removeprefix(config.public_base_url)
                to_checkout = await http.post(f"{path}/checkout", data={"csrf_token": csrf_field(page.text)})
                checkout = await http.get(to_checkout.headers["location"])
                back = await http.post(to_checkout.headers["location"])
                done = await http.get(back.headers["location"].removeprefix(config.public_base_url))
                settings = await read_settings(app.state.context.uow_factory, account)
                async with app.state.context.uow_factory() as uow:
                    recoveries = await uow.recoveries.open_for_account(account)
                    planned = [m for r in recoveries for m in await uow.messages.for_recovery(r.id)]

    assert clock.status_code == 200
    assert settings.enabled
    assert recoveries, "the overdue chase should have found the demo's failed invoices"
    assert any(str(tmp_path / "outbox") in line for line in banner)
    assert page.status_code == 200 and "Demo Coffee Club" in page.text
    assert to_checkout.headers["location"].startswith("/_sim/checkout/cs_test_")
    assert checkout.status_code == 200 and "Save card" in checkout.text
    assert done.status_code == 200 and "Your new card is saved" in done.text
    assert planned, "the demo's customers get e-mails (sent in their daytime, so perhaps not yet)"


async def test_with_keys_the_simulator_is_nowhere_to_be_seen(tmp_path):
    config = load_config({"DATABASE_URL": f"sqlite:///{tmp_path}/live.db", "STRIPE_SECRET_KEY": "sk_test_real",
                          "STRIPE_WEBHOOK_SECRET": "whsec_real", "STRIPE_APP_SECRET": "absec_real",
                          "LINK_SIGNING_SECRET": "k" * 40, "SCHEDULER_ENABLED": "false"})
    app = build_service(config)

    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://live") as http:
            response = await http.get("/_sim/clock")

    assert response.status_code == 404


async def test_every_address_in_the_demo_banner_answers(tmp_path):
    config = load_config({"DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", "SCHEDULER_ENABLED": "false"})
    app = build_service(config)

    async with app.router.lifespan_context(app):
        lines = banner_lines(config, app.state.demo_account, app.state.demo_card_update_link)
        links = [word for line in lines for word in line.split() if word.startswith(config.public_base_url)]
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=config.public_base_url) as http:
            answers = {link: (await http.get(link.removeprefix(config.public_base_url))).status_code for link in links}

    assert len(links) >= 3
    assert answers == dict.fromkeys(links, 200)
    assert any("python -m backend api GET /api/v1/overview --account acct_" in line for line in lines)
