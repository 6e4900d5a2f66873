"""P1: webhook ingest over loopback against real uvicorn servers, Recoup against a bare endpoint.

A load generator POSTs signed, realistic events (for each invoice: payment failed, the failed
charge, the invoice updated, and for half of them paid) over several connections, to Recoup and
to the bare endpoint (signature check and one insert of the raw event) on the same database kind.
Both servers run the same way (one uvicorn process, access log off); Recoup's scheduler is off
so only ingest is measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import stripe
from sqlalchemy import text

from backend.adapters.db.engine import create_engine
from backend.adapters.db.migrations import upgrade_to_head
from bench.databases import POSTGRES_URL, SQLITE
from bench.ingest_server import RAW_TABLE
from bench.options import Options
from bench.payloads import WEBHOOK_SECRET, event, failed_invoice, install_event, signed
from bench.summary import summarise
from bench.table import rate, ratio, render
from bench.timing import REPEATS, BenchFailure

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "acct_1BenchIngest"
APP_SECRET = "absec_bench_ingest"
CONNECTIONS = 8


def _events(invoices: int, offset: int) -> list[tuple[bytes, dict[str, str]]]:
    now = datetime.now(UTC)
    bodies = []
    for n in range(offset, offset + invoices):
        invoice = failed_invoice(n, created=now)
        charge = {"id": f"ch_bench{n:08d}", "object": "charge", "amount": 2500, "currency": "usd",
                  "customer": invoice["customer"], "status": "failed", "failure_code": "card_declined",
                  "outcome": {"type": "issuer_declined", "reason": "generic_decline"}, "created": invoice["created"]}
        updated = {**invoice, "next_payment_attempt": None, "attempt_count": 1}
        paid = {**invoice, "status": "paid", "amount_paid": 2500, "amount_remaining": 0}
        batch = [("invoice.payment_failed", invoice), ("charge.failed", charge), ("invoice.updated", updated)]
        if n % 2:
            batch.append(("invoice.paid", paid))
        for k, (kind, obj) in enumerate(batch):
            bodies.append(signed(event(kind, ACCOUNT, obj, event_id=f"evt_{n:08d}_{k}", created=now), at=now))
    return bodies


async def _load(base: str, requests: list[tuple[bytes, dict[str, str]]]) -> tuple[float, list[float]]:
    queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    latencies: list[float] = []
    failures: list[str] = []

    async def connection(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            body, headers = queue.get_nowait()
            started = time.perf_counter()
            answer = await http.post("/webhooks/stripe", content=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                failures.append(f"{answer.status_code} {answer.text[:200]}")

    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        started = time.perf_counter()
        await asyncio.gather(*(connection(http) for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - started
    if failures:
        raise BenchFailure(f"{len(failures)} webhooks refused, first: {failures[0]}")
    return len(requests) / elapsed, latencies


@asynccontextmanager
async def _server(mode: str, database_url: str) -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory() as scratch:
        port = _free_port()
        env = {**os.environ, "STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
               "STRIPE_APP_SECRET": APP_SECRET, "LINK_SIGNING_SECRET": "b" * 40, "DATABASE_URL": database_url,
               "PORT": str(port), "STRIPE_API_BASE": "http://127.0.0.1:9", "SCHEDULER_ENABLED": "false",
               "LOG_LEVEL": "WARNING"}
        log = (Path(scratch) / "server.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "bench.ingest_server", mode], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            await _wait_ready(base, process)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)


async def _wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(600):
            if process.poll() is not None:
                raise BenchFailure(f"the server exited with {process.returncode}")
            try:
                if (await http.get(f"{base}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise BenchFailure("the server did not become ready")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _enable_recovery(base: str) -> None:
    now = datetime.now(UTC)
    body, headers = signed(install_event(ACCOUNT, created=now), at=now)
    async with httpx.AsyncClient(base_url=base) as http:
        (await http.post("/webhooks/stripe", content=body, headers=headers)).raise_for_status()
        payload = json.dumps({"user_id": "usr_bench", "account_id": ACCOUNT}, separators=(",", ":"))
        signature = stripe.WebhookSignature.generate_signature_header(payload, APP_SECRET, timestamp=int(time.time()))
        answer = await http.put("/api/v1/settings", json={"user_id": "usr_bench", "account_id": ACCOUNT,
                                                          "mode": "test", "settings": {"enabled": True}},
                                headers={"Stripe-Signature": signature})
        answer.raise_for_status()


@asynccontextmanager
async def _database(kind: str) -> AsyncIterator[str]:
    """A fresh database URL of `kind`, migrated, with the bare endpoint's raw table beside Recoup's."""
    if kind == SQLITE:
        with tempfile.TemporaryDirectory() as scratch:
            url = f"sqlite:///{scratch}/ingest.db"
            await _prepare(url.replace("sqlite://", "sqlite+aiosqlite://"))
            yield url
        return
    name = f"bench_ingest_{uuid.uuid4().hex[:8]}"
    admin = POSTGRES_URL.replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    try:
        await _prepare(url)
        yield url
    finally:
        connection = await asyncpg.connect(admin)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def _prepare(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
        async with engine.begin() as connection:
            await connection.execute(text(f"CREATE TABLE {RAW_TABLE} (event_id VARCHAR(255) PRIMARY KEY, body TEXT)"))
    finally:
        await engine.dispose()


async def _measure(kind: str, invoices: int) -> dict[str, float]:
    """Both servers run side by side; each round loads the bare endpoint, then Recoup, back to back.

    The machine's load changes from one second to the next, so the two sides of the ratio are
    measured in alternation and the median round is kept (latencies are pooled over the rounds).
    """
    rates: dict[str, list[float]] = {"bare": [], "recoup": []}
    latencies: dict[str, list[float]] = {"bare": [], "recoup": []}
    per_round = -(-invoices // REPEATS)
    async with _database(kind) as url, _server("bare", url) as bare, _server("recoup", url) as recoup:
        await _enable_recovery(recoup)
        bases = {"bare": bare, "recoup": recoup}
        for base in bases.values():
            await _load(base, _events(max(10, invoices // 10), offset=10_000_000))  # warm-up
        for n in range(REPEATS):
            for mode, base in bases.items():
                per_second, measured = await _load(base, _events(per_round, offset=n * per_round))
                rates[mode].append(per_second)
                latencies[mode].extend(measured)
    figures: dict[str, float] = {}
    for mode in bases:
        figures[f"{mode}_rate"] = statistics.median(rates[mode])
        figures[f"{mode}_p50"] = statistics.median(latencies[mode])
        figures[f"{mode}_p99"] = statistics.quantiles(latencies[mode], n=100)[98]
    figures["ratio"] = statistics.median(r / b for r, b in zip(rates["recoup"], rates["bare"], strict=True))
    return figures


async def run(options: Options) -> str:
    invoices = options.size(full=1000, quick=60)
    rows, lines = [], []
    for kind in options.databases:
        f = await _measure(kind, invoices)
        for mode, label in (("bare", "bare endpoint (baseline)"), ("recoup", "Recoup")):
            rows.append([kind, label, rate(f[f"{mode}_rate"]), f"{f[f'{mode}_p50']:.1f}", f"{f[f'{mode}_p99']:.1f}",
                         ratio(f["ratio"] if mode == "recoup" else 1.0)])
        lines.append(summarise(f"P1 ingest {kind}: ratio={f['ratio']:.2f} "
                               f"recoup={f['recoup_rate']:.0f}/s bare={f['bare_rate']:.0f}/s "
                               f"p99={f['recoup_p99']:.1f}ms"))
    events = sum(4 if n % 2 else 3 for n in range(invoices))
    table = render(f"P1. Webhook ingest over loopback: {events:,} signed events, {CONNECTIONS} connections, "
                   f"one uvicorn process each, {REPEATS} alternating rounds (median)",
                   ["db", "endpoint", "events/s", "p50 ms", "p99 ms", "vs bare"],
                   rows, labels=2)
    skipped = options.skip_line()
    return "\n".join([table, *lines, *([skipped] if skipped else [])])
