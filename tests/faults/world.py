"""A simulated Stripe process and real Recoup processes on one manual clock, driven step by step.

The simulator runs on a manual clock moved through its control API; each Recoup process
(`tests.faults.service_process`) reads that time when it starts and is told every move. A step
moves both clocks, then waits until neither side has anything left to do at that moment. Time
only jumps while the system is at rest, so a run is a function of its seed, not of how fast the
machine is; that is what lets a run interrupted by `kill -9` be compared with one that was not.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import stripe
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.processes.support import free_port, kill_hard, start, stop, wait_until

WEBHOOK_SECRET = "whsec_fault_suite"
APP_SECRET = "absec_fault_suite"
# Live mode: Stripe retries a live event's delivery for three days, a test-mode one only for hours.
API_KEYS = "sk_test_fault_suite,sk_live_fault_suite"
LEASE_SECONDS = 60
STUCK_AFTER_SECONDS = 1.5


@dataclass
class Service:
    """One Recoup process; `restart` replaces it on the same port, as a supervisor would."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.env['PORT']}"

    def launch(self) -> None:
        self.process = start("tests.faults.service_process", self.env, self.log)

    def kill(self) -> None:
        assert self.process is not None
        kill_hard(self.process)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


@dataclass
class World:
    sim_base: str
    services: list[Service]
    http: httpx.AsyncClient
    scenario: dict[str, Any] = field(default_factory=dict)
    restarts: int = 0

    # Time ---------------------------------------------------------------------------------
    async def now(self) -> datetime:
        return datetime.fromisoformat((await self.http.get(f"{self.sim_base}/_sim/clock")).json()["now"])

    async def move_to(self, moment: datetime) -> None:
        await self.move_clocks(moment)
        await self.settle()

    async def move_clocks(self, moment: datetime) -> None:
        """Move Stripe's clock, then Recoup's, and only then let the events of the move out.

        Signatures are dated by the wall clock on both sides, but an event of the move is created at
        the new time: Recoup must have reached that time before it acts on the event.
        """
        await self.http.post(f"{self.sim_base}/_sim/webhooks/hold")
        await self.http.post(f"{self.sim_base}/_sim/clock", json={"to": moment.isoformat()})
        for service in self.services:
            await self._until_up(lambda s=service: self.http.post(f"{s.base}/_fault/clock",
                                                                  json={"to": moment.isoformat()}))
        await self.http.post(f"{self.sim_base}/_sim/webhooks/release")

    async def run_for(self, span: timedelta, step: timedelta) -> None:
        end = await self.now() + span
        while (now := await self.now()) < end:
            await self.move_to(min(now + step, end))

    async def settle(self, timeout: float = 600.0) -> None:
        """Wait until Stripe has nothing to deliver and Recoup nothing due or in flight.

        A job left `running` by a killed process, or an event whose delivery failed while Recoup
        was down, waits for time to pass (the lease to expire, Stripe's next delivery attempt):
        time is moved on by just that much.
        """
        deadline = time.monotonic() + timeout
        quiet, last, since = 0, None, time.monotonic()
        while time.monotonic() < deadline:
            ran = (await self.http.post(f"{self.sim_base}/_sim/run")).json()
            queues = [await self._until_up(lambda s=s: self.http.get(f"{s.base}/_fault/queue"))
                      for s in self.services]
            due = sum(q["due"] for q in queues)
            running = sum(q["running"] for q in queues)
            state = (due, running, ran["steps"], ran["delivered"])
            if state != last:
                last, since = state, time.monotonic()
            if due == 0 and running == 0 and not ran["steps"] and not ran["delivered"]:
                quiet += 1
                if quiet >= 2:
                    retry_at = await self._next_redelivery()
                    if retry_at is None:
                        return
                    await self.move_clocks(max(retry_at, await self.now()))
                    quiet = 0
            else:
                quiet = 0
                if due == 0 and running and time.monotonic() - since > STUCK_AFTER_SECONDS:
                    await self.move_clocks(await self.now() + timedelta(seconds=LEASE_SECONDS + 1))
                    since = time.monotonic()
            await asyncio.sleep(0.05)
        raise TimeoutError(f"the system did not come to rest: {last}")

    async def _next_redelivery(self) -> datetime | None:
        """When Stripe next tries an event it could not deliver (Recoup was down), if any."""
        if not (await self.http.post(f"{self.sim_base}/_sim/webhooks/flush")).json()["pending"]:
            return None
        events = (await self.http.get(f"{self.sim_base}/_sim/events")).json()["data"]
        waiting = [datetime.fromisoformat(d["next_attempt_at"]) for e in events for d in e["deliveries"]
                   if d["status"] == "pending"]
        return min(waiting, default=None)

    async def _until_up(self, call: Any, timeout: float = 60.0) -> Any:
        """Call a Recoup process, waiting out a restart in progress."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                response = await call()
                if response.status_code == 200:
                    return response.json()
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("a Recoup process did not come back")
            await asyncio.sleep(0.05)

    # Merchant and Stripe side -------------------------------------------------------------
    async def failed_renewals(self, *, accounts: int, customers: int, seed: int,
                              settings: dict[str, Any] | None = None) -> None:
        """Failed renewals drawn from the default failure mix, each enrolled, recovery on."""
        self.scenario = (await self.http.post(f"{self.sim_base}/_sim/scenarios", json={
            "accounts": accounts, "customers": customers, "seed": seed, "smart_retries": False,
            "livemode": True},
            timeout=120)).json()
        await self.settle()
        service = self.services[0]
        for account in self.scenario["accounts"]:
            answer = await self.dashboard(service, "PUT", "/api/v1/settings", account,
                                          settings={"enabled": True, **(settings or {})})
            assert answer.status_code == 200, answer.text
        for customer in self.scenario["customers"]:
            answer = await self.dashboard(service, "POST", f"/api/v1/invoices/{customer['invoice']}/recovery/actions",
                                          customer["account"], action="enrol")
            # A kill may lose the answer to an enrolment that took effect; asked again, Recoup says so.
            assert answer.status_code == 200 or "already in recovery" in answer.text, answer.text
        await self.settle()

    async def dashboard(self, service: Service, method: str, path: str, account: str,
                        **body: Any) -> httpx.Response:
        identity = {"user_id": "usr_fault", "account_id": account, "mode": "live"}
        signed = json.dumps({"user_id": "usr_fault", "account_id": account}, separators=(",", ":"))
        headers = {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(
            signed, APP_SECRET, timestamp=int(time.time()))}
        for _ in range(200):  # a kill may land during the call: ask again once the service is back
            try:
                if method == "GET":
                    return await self.http.get(service.base + path, params=identity, headers=headers)
                return await self.http.request(method, service.base + path, json={**identity, **body},
                                               headers=headers)
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
        raise TimeoutError(f"{method} {path} never answered")

    async def successful_charges(self) -> Counter[str]:
        events = (await self.http.get(f"{self.sim_base}/_sim/events",
                                      params={"type": "charge.succeeded", "full": "true"})).json()["data"]
        return Counter(e["event"]["data"]["object"]["customer"] for e in events)


async def end_state(world: World, engine: AsyncEngine) -> list[tuple[Any, ...]]:
    """Per failed renewal, in scenario order: what Recoup decided, what it tried, what was charged."""
    charges = await world.successful_charges()
    async with engine.connect() as connection:
        recoveries = {row.invoice_id: row for row in (await connection.execute(text(
            "SELECT id, invoice_id, status, outcome, recovered_by FROM recovery"))).all()}
        attempts: dict[str, list[tuple[int, str]]] = {}
        for row in (await connection.execute(text(
                "SELECT recovery_id, number, outcome FROM attempt ORDER BY recovery_id, number"))).all():
            attempts.setdefault(row.recovery_id, []).append((row.number, row.outcome))
    state = []
    for customer in world.scenario["customers"]:
        recovery = recoveries.get(customer["invoice"])
        state.append((customer["behaviour"], charges[customer["customer"]],
                      None if recovery is None else (recovery.status, recovery.outcome, recovery.recovered_by,
                                                     tuple(attempts.get(recovery.id, [])))))
    return state


async def job_summary(engine: AsyncEngine, now: datetime) -> dict[str, Any]:
    """How the job table ended: by status, anything stranded (due but not done), anything failed."""
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT kind, status, run_at, last_error FROM job"))).all()
    stranded = [(r.kind, r.status) for r in rows
                if r.status == "running" or (r.status == "pending" and _aware(r.run_at) <= now)]
    return {"statuses": Counter(r.status for r in rows), "stranded": stranded,
            "failed": [(r.kind, r.last_error) for r in rows if r.status == "failed"]}


def _aware(moment: Any) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment  # type: ignore[no-any-return]


def simulator_env(port: int, recoup_ports: list[int]) -> dict[str, str]:
    return {"SIM_PORT": str(port), "SIM_CLOCK": "manual", "SIM_TICK_SECONDS": "3600",
            "SIM_WEBHOOK_URL": f"http://127.0.0.1:{recoup_ports[0]}/webhooks/stripe",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}


def service_env(database_url: str, sim_base: str) -> dict[str, str]:
    port = free_port()
    return {"STRIPE_SECRET_KEY": API_KEYS, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_APP_SECRET": APP_SECRET,
            "LINK_SIGNING_SECRET": "f" * 40, "STRIPE_API_BASE": sim_base, "DATABASE_URL": database_url,
            "PORT": str(port), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "SCHEDULER_TICK_SECONDS": "0.05",
            "JOB_LEASE_SECONDS": str(LEASE_SECONDS), "LOG_LEVEL": "WARNING"}


START = datetime(2031, 3, 3, 7, 0, tzinfo=UTC)


@asynccontextmanager
async def running_world(logs: Path, database_url: str, *, services: int = 1) -> AsyncIterator[World]:
    """A simulator process on a manual clock set to START, and `services` Recoup processes."""
    sim_port = free_port()
    sim_base = f"http://127.0.0.1:{sim_port}"
    envs = [service_env(database_url, sim_base) for _ in range(services)]
    simulator = start("backend.simulator", simulator_env(sim_port, [int(e["PORT"]) for e in envs]),
                      logs / "simulator.log")
    fleet = [Service(env, logs / f"recoup-{n}.log") for n, env in enumerate(envs)]
    try:
        wait_until(f"{sim_base}/_sim/clock")
        httpx.post(f"{sim_base}/_sim/clock", json={"to": START.isoformat()}).raise_for_status()
        for service in fleet:
            service.launch()
            wait_until(f"{service.base}/readyz")
        async with httpx.AsyncClient(timeout=120) as http:
            yield World(sim_base, fleet, http)
    finally:
        for service in fleet:
            service.stop()
        stop(simulator)
