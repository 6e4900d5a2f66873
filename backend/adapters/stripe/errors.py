"""Turn stripe-python's exceptions into the gateway port's two failure kinds."""

from __future__ import annotations

from collections.abc import Mapping

import stripe

from backend.services.ports import StripeRequestRejected, StripeUnavailable

# Errors about the request itself: repeating it unchanged cannot succeed.
_REJECTIONS: tuple[type[stripe.StripeError], ...] = (
    stripe.InvalidRequestError,  # 400/404: bad parameter, missing object
    stripe.IdempotencyError,  # the same key was used with different parameters
    stripe.AuthenticationError,  # 401: wrong or revoked key
    stripe.PermissionError,  # 403: the app lacks a permission, or the account revoked it
    stripe.CardError,  # 402 outside Invoice Pay, e.g. attaching an unusable card
)


def translate(error: stripe.StripeError) -> StripeRequestRejected | StripeUnavailable:
    """Map one SDK error to the port's exception; the caller raises it `from` the original."""
    if isinstance(error, _REJECTIONS):
        return rejection(error)
    # RateLimitError, APIError (5xx, 409 after retries, unreadable bodies) and
    # APIConnectionError (timeouts, resets) are all "try again later".
    status = f"HTTP {error.http_status}" if error.http_status else "no response"
    return StripeUnavailable(f"Stripe unavailable ({status}): {error.user_message or error}")


def rejection(error: stripe.StripeError) -> StripeRequestRejected:
    """Describe a refused request with Stripe's code, param, status and request id."""
    body = error_body(error)
    return StripeRequestRejected(
        str(body.get("message") or error.user_message or type(error).__name__),
        code=_str_or_none(body.get("code")) or error.code,
        param=_str_or_none(body.get("param")),
        http_status=error.http_status,
        request_id=error.request_id,
    )


def error_body(error: stripe.StripeError) -> Mapping[str, object]:
    """Return the JSON `error` object of a Stripe error response, or an empty mapping."""
    body = error.json_body
    if isinstance(body, Mapping):
        inner = body.get("error")
        if isinstance(inner, Mapping):
            return inner
    return {}


def may_retry_rate_limit(error: stripe.StripeError) -> bool:
    """Tell whether a 429 should be retried by the gateway.

    stripe-python 16.1 (`HTTPClient._should_retry`) retries 409, 5xx, connection errors and any
    response carrying `Stripe-Should-Retry: true`, but not a plain 429, although Stripe's rate-limit
    guide asks clients to back off and retry one. When the header is present the SDK has
    already acted on it: `false` means Stripe says a retry is pointless, `true` means the SDK's
    own retries are used up.
    """
    if not isinstance(error, stripe.RateLimitError):
        return False
    headers = {key.lower() for key in (error.headers or {})}
    return "stripe-should-retry" not in headers


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
