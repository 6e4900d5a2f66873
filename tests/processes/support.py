"""Real processes for the tests that kill them: free ports, start-up waits, signed calls."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import stripe

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(module: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("ab")
    return subprocess.Popen([sys.executable, "-m", module, *(["serve"] if module == "backend" else [])],
                            cwd=ROOT, env={**os.environ, **env}, stdout=handle, stderr=subprocess.STDOUT)


def wait_until(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no shutdown hooks, no finally blocks, exactly like a crashed host."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_hard(process)


def dashboard(base: str, method: str, path: str, account: str, secret: str, **body: Any) -> httpx.Response:
    """Call the Dashboard API the way the extension does, signed now."""
    identity = {"user_id": "usr_1Ops", "account_id": account, "mode": "test"}
    signed = json.dumps({"user_id": identity["user_id"], "account_id": account}, separators=(",", ":"))
    headers = {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(
        signed, secret, timestamp=int(time.time()))}
    if method == "GET":
        return httpx.get(base + path, params=identity, headers=headers, timeout=10)
    return httpx.request(method, base + path, json={**identity, **body}, headers=headers, timeout=10)
