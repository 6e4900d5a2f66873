"""Assertions about the headers every gateway request must carry."""

from __future__ import annotations

import httpx

from backend.domain.billing import StripeAccount

from .worlds import LIVE_KEY, TEST_KEY

PINNED_VERSION = "2026-10-28.endive"


def assert_sent_for(request: httpx.Request, account: StripeAccount, *,
                    idempotency_key: str | None = None) -> None:
    """Check Stripe-Account, the pinned version, the mode's key and the idempotency key."""
    assert request.headers["Stripe-Account"] == account.id
    assert request.headers["Stripe-Version"] == PINNED_VERSION
    assert request.headers["Authorization"] == f"Bearer {LIVE_KEY if account.livemode else TEST_KEY}"
    if idempotency_key is None:
        assert "Idempotency-Key" not in request.headers
    else:
        assert request.headers["Idempotency-Key"] == idempotency_key
