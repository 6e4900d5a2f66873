"""Recoup's configuration and a Stripe gateway for benchmarks whose code paths never call Stripe."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.adapters.stripe import StripeSdkGateway
from backend.config import Config
from bench.payloads import WEBHOOK_SECRET

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def bench_config(database_url: str) -> Config:
    # The scheduler stays off: the benchmarks drive the job runner themselves, on a manual clock.
    return Config(database_url=database_url, webhook_secrets=(WEBHOOK_SECRET,),
                  app_secrets=("absec_bench",), stripe_test_key="sk_test_bench",
                  link_secret="l" * 32, scheduler_enabled=False)


def unreachable_gateway() -> StripeSdkGateway:
    """A real gateway aimed at a closed port with no retries, so a stray Stripe call fails at once."""
    return StripeSdkGateway(test_key="sk_test_bench", live_key=None, api_base="http://127.0.0.1:9",
                            max_network_retries=0, timeout=1.0)
