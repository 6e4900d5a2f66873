"""A process killed mid-payment: the retry runs again once, with the same key, and charges once."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.processes.support import dashboard, free_port, kill_hard, start, stop, wait_until

pytestmark = pytest.mark.slow
WEBHOOK_SECRET = "whsec_crash_test"
APP_SECRET = "absec_crash_test"
API_KEY = "sk_test_crash"


def test_a_payment_interrupted_by_sigkill_is_charged_exactly_once(tmp_path: Path):
    sim_port, recoup_port = free_port(), free_port()
    sim_base, recoup_base = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{recoup_port}"
    database = tmp_path / "recoup.db"
    recoup_env = {
        "STRIPE_SECRET_KEY": API_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_APP_SECRET": APP_SECRET,
        "LINK_SIGNING_SECRET": "l" * 40, "STRIPE_API_BASE": sim_base, "DATABASE_URL": f"sqlite:///{database}",
        "PORT": str(recoup_port), "PUBLIC_BASE_URL": recoup_base, "SCHEDULER_TICK_SECONDS": "0.2",
        "JOB_LEASE_SECONDS": "3",
    }
    simulator = start("backend.simulator", {"SIM_PORT": str(sim_port), "SIM_CLOCK": "system",
                                            "SIM_WEBHOOK_URL": f"{recoup_base}/webhooks/stripe",
                                            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}, tmp_path / "sim.log")
    recoup = start("backend", recoup_env, tmp_path / "recoup.log")
    try:
        wait_until(f"{sim_base}/_sim/clock")
        wait_until(f"{recoup_base}/readyz")
        scenario = httpx.post(f"{sim_base}/_sim/scenarios", json={
            "customers": 1, "failure_mix": {"generic_decline": 1.0}, "smart_retries": False}).json()
        account, customer = scenario["accounts"][0], scenario["customers"][0]
        invoice = customer["invoice"]
        _wait_for(lambda: dashboard(recoup_base, "GET", "/api/v1/settings", account, APP_SECRET).status_code == 200)
        assert dashboard(recoup_base, "PUT", "/api/v1/settings", account, APP_SECRET,
                         settings={"enabled": True}).status_code == 200
        assert dashboard(recoup_base, "POST", f"/api/v1/invoices/{invoice}/recovery/actions", account,
                         APP_SECRET, action="enrol").status_code == 200
        _wait_for(lambda: _recovery(recoup_base, account, invoice)["next_attempt_at"] is not None)
        httpx.post(f"{sim_base}/_sim/cards/{customer['payment_method']}/behaviour",
                   json={"account": account, "behaviour": "succeeds"})
        # Stripe will take the payment at once but answer only after five seconds.
        httpx.post(f"{sim_base}/_sim/faults", json={"response_delay_seconds": 5,
                                                   "path_prefix": f"/v1/invoices/{invoice}/pay"})
        assert dashboard(recoup_base, "POST", f"/api/v1/invoices/{invoice}/recovery/actions", account,
                         APP_SECRET, action="retry_now").status_code == 200

        # The control API is not delayed: it shows the charge while Recoup still waits for the answer.
        _wait_for(lambda: _successful_charges(sim_base, account) == 2)
        kill_hard(recoup)
        running_when_killed = _job_rows(database)
        httpx.delete(f"{sim_base}/_sim/faults")
        recoup = start("backend", recoup_env, tmp_path / "recoup.log")
        wait_until(f"{recoup_base}/readyz")
        # Stripe's invoice.paid may already have closed the recovery; the interrupted job must still
        # run again and learn from Stripe that the payment was its own.
        _wait_for(lambda: ("pay_invoice", "done") in {(kind, status) for kind, status, _ in _job_rows(database)},
                  timeout=30)

        recovery = _recovery(recoup_base, account, invoice)
        pay_jobs = [row for row in _job_rows(database) if row[0] == "pay_invoice"]
        charges = _successful_charges(sim_base, account)
    finally:
        stop(recoup)
        stop(simulator)

    assert ("pay_invoice", "running") in {(kind, status) for kind, status, _ in running_when_killed}
    assert recovery["recovered_by"] == "recoup_retry"
    assert [(a["number"], a["outcome"]) for a in recovery["attempts"]] == [(0, "declined"), (1, "succeeded")]
    assert [(status, tries) for _kind, status, tries in pay_jobs if status == "done"] == [("done", 2)]
    assert charges == 2  # the signup, and the recovery: the re-run charged nothing more


def _wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (httpx.HTTPError, KeyError, TypeError):
            pass
        time.sleep(0.2)
    raise TimeoutError("the condition did not come true in time")


def _recovery(base: str, account: str, invoice: str) -> dict:
    return dashboard(base, "GET", f"/api/v1/invoices/{invoice}/recovery", account, APP_SECRET).json()["recovery"]


def _successful_charges(base: str, account: str) -> int:
    events = httpx.get(f"{base}/_sim/events", params={"account": account, "type": "charge.succeeded"}).json()
    return len(events["data"])


def _job_rows(database: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT kind, status, tries FROM job ORDER BY id").fetchall()
