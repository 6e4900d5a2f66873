"""LOG_FORMAT=json: one JSON object per line, naming the account, recovery and job; never a secret."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import pytest

from backend.config import ConfigError, load_config
from backend.observability.logs import configure_logging
from backend.simulator.behaviours import Declines
from tests.scenarios.test_recovery_flows import failed_subscription_invoice


@pytest.fixture
def json_lines():
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    written = io.StringIO()
    configure_logging("INFO", "json", stream=written)
    yield lambda: [json.loads(line) for line in written.getvalue().splitlines()]
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


async def test_a_jobs_log_lines_name_its_account_recovery_and_job(stack, json_lines):
    account = await stack.install()
    stack.sim.faults.inject(503, count=8)  # the assessment's first run meets Stripe down and says so
    _customer, _card, _sub, invoice = await failed_subscription_invoice(stack, account, Declines("generic_decline"))
    await stack.advance(timedelta(minutes=10), step=timedelta(minutes=1))

    lines = json_lines()
    recovery = await stack.recovery(account, invoice)
    job_lines = [line for line in lines if line["logger"] == "backend.jobs"]
    from_jobs = [line for line in job_lines if "(apply_event," not in line["message"]]  # the recovery's own
    assert {line["account_id"] for line in job_lines} == {account.id}  # webhook events' jobs name it too
    assert from_jobs[0]["level"] == "WARNING" and "StripeUnavailable" in from_jobs[0]["message"]
    assert any(line["level"] == "INFO" and "done in" in line["message"] for line in from_jobs)
    assert {line["account_id"] for line in from_jobs} == {account.id}
    assert {line["recovery_id"] for line in from_jobs} == {recovery.id}
    assert all(isinstance(line["job_id"], int) for line in from_jobs)
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)


def test_secrets_are_masked_in_every_line(json_lines):
    log = logging.getLogger("backend.test")

    log.warning("calling Stripe with sk_live_51Hsecretkey and whsec_abc123, header %s", "Bearer sk_test_xyz")
    try:
        raise RuntimeError("bad key rk_live_zzz999")
    except RuntimeError:
        log.exception("failed with absec_topsecret")

    text = json.dumps(json_lines())
    for secret in ("51Hsecretkey", "abc123", "sk_test_xyz", "zzz999", "topsecret"):
        assert secret not in text
    assert "sk_live_***" in text and "whsec_***" in text


def test_an_unknown_log_format_is_refused_by_name():
    with pytest.raises(ConfigError) as refused:
        load_config({"LOG_FORMAT": "xml"})

    assert refused.value.name == "LOG_FORMAT"
    assert load_config({"LOG_FORMAT": "JSON"}).log_format == "json"
