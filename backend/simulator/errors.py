"""Stripe's error bodies, as an exception the request pipeline turns into a response."""

from __future__ import annotations

from typing import Any


class StripeError(Exception):
    """An API error with the status and `{"error": {...}}` body Stripe would send."""

    def __init__(self, status: int, error: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(error.get("message", ""))
        self.status = status
        self.error = {k: v for k, v in error.items() if v is not None}
        self.headers = headers or {}

    def body(self, request_log_url: str | None = None) -> dict[str, Any]:
        error = dict(self.error)
        if request_log_url is not None:
            error["request_log_url"] = request_log_url
        return {"error": error}


def request_log_url(request_id: str, livemode: bool | None) -> str | None:
    """Where the Dashboard shows the request; Stripe adds it once it knows the key's mode."""
    if livemode is None:
        return None
    return f"https://dashboard.stripe.com/{'' if livemode else 'test/'}logs/{request_id}"


def invalid_request(message: str, *, param: str | None = None, code: str | None = None,
                    status: int = 400) -> StripeError:
    error: dict[str, Any] = {"type": "invalid_request_error", "message": message, "param": param,
                             "code": code}
    if code:
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    return StripeError(status, error)


def unknown_parameter(param: str) -> StripeError:
    return invalid_request(f"Received unknown parameter: {param}", param=param,
                           code="parameter_unknown")


def missing_parameter(param: str) -> StripeError:
    return invalid_request(f"Missing required param: {param}.", param=param,
                           code="parameter_missing")


def resource_missing(kind: str, object_id: str, param: str = "id") -> StripeError:
    return invalid_request(f"No such {kind}: '{object_id}'", param=param, code="resource_missing",
                           status=404)


def no_api_key() -> StripeError:
    return StripeError(401, {
        "type": "invalid_request_error",
        "message": ("You did not provide an API key. You need to provide your API key in the "
                    "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                    "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for "
                    "details, or we can help at https://support.stripe.com/."),
    })


def invalid_api_key(key: str) -> StripeError:
    return StripeError(401, {"type": "invalid_request_error",
                             "message": f"Invalid API Key provided: {redact(key)}"})


def account_invalid(key: str, account: str) -> StripeError:
    return StripeError(403, {
        "type": "invalid_request_error", "code": "account_invalid",
        "doc_url": "https://stripe.com/docs/error-codes/account-invalid",
        "message": (f"The provided key '{redact(key)}' does not have access to account "
                    f"'{account}' (or that account does not exist). Application access may "
                    "have been revoked."),
    })


def idempotency_mismatch(key: str) -> StripeError:
    return StripeError(400, {
        "type": "idempotency_error",
        "message": ("Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. Try using a key other than '{key}' if you "
                    "meant to execute a different request."),
    })


def idempotency_other_endpoint(key: str) -> StripeError:
    return StripeError(400, {
        "type": "idempotency_error",
        "message": ("Keys for idempotent requests can only be used for the same endpoint they "
                    f"were first used for. Try using a key other than '{key}' if you meant to "
                    "execute a different request."),
    })


def idempotency_key_in_use(key: str) -> StripeError:
    return StripeError(409, {
        "type": "idempotency_error", "code": "idempotency_key_in_use",
        "doc_url": "https://stripe.com/docs/error-codes/idempotency-key-in-use",
        "message": ("There is currently another in-progress request using this Idempotent Key "
                    "(that probably means you submitted twice, and the other request is still "
                    f"going through): {key}. Please try again later."),
    })


def idempotency_key_too_long(key: str) -> StripeError:
    # Stripe documents the 255-character limit; the exact wording of its refusal is not
    # published, so this message is the simulator's own.
    return invalid_request(
        f"Idempotency-Key must be at most 255 characters long; the one provided has {len(key)}.")


def rate_limited(reason: str = "global-rate") -> StripeError:
    # Stripe names the limiter that fired in Stripe-Rate-Limited-Reason (global-rate,
    # endpoint-rate, global-concurrency, ...); no Stripe-Should-Retry is sent, so
    # stripe-python leaves the back-off to the caller.
    message = ("Request rate limit exceeded. Learn more about rate limits here "
               "https://stripe.com/docs/rate-limits." if reason.endswith("rate") else
               "Too many concurrent requests. Learn more about rate limits here "
               "https://stripe.com/docs/rate-limits.")
    return StripeError(429, {
        "type": "invalid_request_error", "code": "rate_limit",
        "doc_url": "https://stripe.com/docs/error-codes/rate-limit", "message": message,
    }, headers={"Stripe-Rate-Limited-Reason": reason})


def lock_timeout() -> StripeError:
    # A write to an object another request is changing. Stripe asks clients to retry it
    # (stripe-python honours Stripe-Should-Retry: true, "eg; in cases of lock timeouts").
    return StripeError(429, {
        "type": "invalid_request_error", "code": "lock_timeout",
        "doc_url": "https://stripe.com/docs/error-codes/lock-timeout",
        "message": ("This object cannot be accessed right now because another API request or "
                    "Stripe process is currently accessing it. If you see this error "
                    "intermittently, retry the request. If you see this error frequently and "
                    "are making multiple concurrent requests to a single object, make your "
                    "requests serially or at a lower rate. See https://stripe.com/docs/"
                    "rate-limits for more information."),
    }, headers={"Stripe-Should-Retry": "true"})


def server_error(status: int) -> StripeError:
    return StripeError(status, {
        "type": "api_error",
        "message": ("An unknown error occurred. Please try again later or contact support "
                    "if the problem persists."),
    })


def redact(key: str) -> str:
    prefix = key.rsplit("_", 1)[0] + "_" if "_" in key else ""
    return f"{prefix}{'*' * 12}{key[-4:]}"
