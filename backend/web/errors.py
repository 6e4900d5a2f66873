"""Every error the edge reports, as JSON `{"error": {"code", "message", "field"?}}`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from backend.adapters.stripe.events import MalformedEvent
from backend.domain.recovery_state import IllegalTransition
from backend.domain.settings import InvalidSetting
from backend.services.errors import AccountNotInstalled, ActionNotAllowed, RecoveryNotFound
from backend.services.ports import StripeRequestRejected, StripeUnavailable
from backend.services.unit_of_work import StaleRecord


class HttpError(Exception):
    """An error with its HTTP status, raised by the edge itself."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, str] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _from_exception(error: Exception) -> tuple[int, str, str, str | None]:
    """The one table that maps failures to statuses."""
    match error:
        case HttpError():
            return error.status, error.code, error.message, error.field
        case InvalidSetting():
            return 422, "invalid_setting", error.message, error.field
        case MalformedEvent():
            return 400, "invalid_event", str(error), error.field
        case AccountNotInstalled():
            return 404, "account_not_installed", "Recoup is not installed on this account", None
        case RecoveryNotFound():
            return 404, "not_found", "no recovery for that invoice", None
        case ActionNotAllowed() | IllegalTransition():
            return 409, "conflict", str(error), None
        case StaleRecord():
            # Two actions on one recovery at once: the first wins, the other is told to look again.
            return 409, "conflict", "the recovery changed while this request ran; reload and try again", None
        case StripeRequestRejected(http_status=404):
            # Another account's object is as invisible as one that does not exist.
            return 404, "not_found", "no such object in this Stripe account", None
        case StripeRequestRejected(http_status=401 | 403):
            # Stripe refuses Recoup's key for the account: the app was uninstalled or its access revoked.
            # Nothing the merchant sent was wrong and retrying will not help, so it is not a 5xx.
            return 403, "stripe_access_revoked", ("Stripe no longer lets Recoup act on this account; "
                                                  "reinstall the app to resume recovery"), None
        case StripeRequestRejected():
            return 502, "stripe_refused", f"Stripe refused the request: {error}", None
        case StripeUnavailable():
            return 503, "stripe_unavailable", "Stripe could not be reached; try again shortly", None
    raise error


async def handle_known_error(_request: Request, error: Exception) -> JSONResponse:
    status, code, message, field = _from_exception(error)
    return error_response(status, code, message, field)


KNOWN_ERRORS: tuple[type[Exception], ...] = (
    HttpError, InvalidSetting, MalformedEvent, AccountNotInstalled, RecoveryNotFound, ActionNotAllowed,
    IllegalTransition, StaleRecord, StripeRequestRejected, StripeUnavailable,
)
