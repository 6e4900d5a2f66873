"""Webhook ingest through the real app: opening a recovery, and a redelivery, against an ignored event."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from backend.adapters.clock import ManualClock
from backend.app import create_app
from backend.domain.billing import StripeAccount
from backend.services.account_settings import save_settings
from bench.databases import fresh_database
from bench.options import Options
from bench.payloads import event, failed_invoice, install_event, product, signed
from bench.table import rate, ratio, render
from bench.timing import BenchFailure, Stopwatch, median_of
from bench.wiring import START, bench_config, unreachable_gateway

ACCOUNT = "acct_bench"
URL = "http://recoup.bench"
Signed = tuple[bytes, dict[str, str]]

IGNORED = "ignored: product.created is not used"
OPENED = "queued"  # the request only records the event and queues the job that opens the recovery
DUPLICATE = "duplicate"


def _events(n: int) -> tuple[list[Signed], list[Signed]]:
    """Sign every body before the clock starts: signing is Stripe's cost, not Recoup's."""
    ignored = [signed(event("product.created", ACCOUNT, product(i, created=START),
                            event_id=f"evt_prod{i:08d}", created=START), at=START) for i in range(n)]
    failed = [signed(event("invoice.payment_failed", ACCOUNT, failed_invoice(i, created=START),
                           event_id=f"evt_fail{i:08d}", created=START), at=START) for i in range(n)]
    return ignored, failed


async def _post_all(http: httpx.AsyncClient, requests: list[Signed], expected: str) -> float:
    """POST the events one after another; return the seconds taken, after checking every answer."""
    watch = Stopwatch()
    with watch.measure():
        answers = [await http.post("/webhooks/stripe", content=body, headers=headers)
                   for body, headers in requests]
    for answer in answers:
        outcome: Any = answer.json().get("outcome") if answer.status_code == 200 else answer.text
        if outcome != expected:
            raise BenchFailure(f"webhook answered {answer.status_code} {outcome!r}, expected {expected!r}")
    return watch.seconds


async def _install_and_enable(http: httpx.AsyncClient, app: Starlette, clock: ManualClock) -> None:
    body, headers = signed(install_event(ACCOUNT, created=START), at=START)
    (await http.post("/webhooks/stripe", content=body, headers=headers)).raise_for_status()
    await save_settings(app.state.context.uow_factory, clock, StripeAccount(ACCOUNT, False), {"enabled": True})


async def _round(kind: str, n: int) -> dict[str, float]:
    ignored, failed = _events(n)
    async with fresh_database(kind) as database:
        clock = ManualClock(START)
        gateway = unreachable_gateway()
        app = create_app(bench_config(database.url), gateway=gateway, clock=clock, engine=database.main,
                         migrate_on_start=False, signature_clock=clock)
        async with app.router.lifespan_context(app), \
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=URL) as http:
            await _install_and_enable(http, app, clock)
            figures = {"ignored": await _post_all(http, ignored, IGNORED),
                       "opened": await _post_all(http, failed, OPENED),
                       "duplicate": await _post_all(http, failed, DUPLICATE)}
        await gateway.aclose()
    return figures


async def run(options: Options) -> str:
    n = options.size(full=150, quick=20)
    rows: list[list[str]] = []
    for kind in options.databases:
        medians = await median_of(lambda k=kind: _round(k, n),
                                  warm_up=lambda k=kind: _round(k, 20))
        baseline = medians["ignored"]
        for label, key in (("product.created, ignored (baseline)", "ignored"),
                           ("invoice.payment_failed, queues its recovery", "opened"),
                           ("same payment_failed redelivered", "duplicate")):
            rows.append([kind, label, rate(n / medians[key]), ratio(medians[key] / baseline)])
    table = render(f"1. Webhook ingest: {n} signed events per path, POSTed one at a time to the app",
                   ["db", "path", "events/s", "cost per event vs ignored"], rows, labels=2)
    skipped = options.skip_line()
    return f"{table}\n{skipped}" if skipped else table
