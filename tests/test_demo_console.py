"""The demo console, opened in a real browser: a newcomer sees recoveries and can move time."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import async_playwright

from backend.config import load_config
from backend.runtime import build_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SCREENSHOT = Path(__file__).resolve().parent.parent / "var" / "screenshots" / "demo-console.png"


@pytest.fixture
async def demo_url(tmp_path: Path) -> AsyncIterator[str]:
    config = load_config({"DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", "SCHEDULER_ENABLED": "false"})
    app = build_service(config)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:  # the server signals readiness only through this flag
        await asyncio.sleep(0.02)
    await app.state.runner.drain()  # the overdue chase finds the seeded failures
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        await serving


async def test_the_console_shows_every_recovery_and_moves_time_on(demo_url: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page()

        await page.goto(demo_url + "/")
        before = await page.text_content("#now")
        recoveries = await page.locator(".recovery").count()
        await page.click("text=Advance one week")
        await page.wait_for_load_state()
        after = await page.text_content("#now")
        timeline = await page.locator(".recovery li").all_text_contents()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)
        await browser.close()

    assert recoveries > 0
    assert before is not None and after is not None and after > before
    assert any("payment failed" in line for line in timeline)
    assert any("retry 1" in line for line in timeline), "a week on, the first retries have run"
    assert SCREENSHOT.stat().st_size > 0


