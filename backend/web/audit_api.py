"""The audit trail and data deletion in the Dashboard API (docs/api.md); every route is `signed`."""

from __future__ import annotations

import csv
import io
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.adapters.stripe.ids import is_stripe_id
from backend.domain.audit_chain import is_redacted
from backend.services.audit_records import AuditEntry
from backend.services.audit_trail import audit_page, invoice_audit
from backend.services.data_deletion import confirmation_phrase, delete_account_data
from backend.web import schemas
from backend.web.context import context_of
from backend.web.dashboard_auth import DashboardCaller, json_response, signed
from backend.web.errors import HttpError
from backend.web.presenters import to_json

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
NEXT_PAGE_HEADER = "Recoup-Next-Starting-After"
CSV_COLUMNS = ("seq", "occurred_at", "kind", "operation", "object_id", "actor", "invoice_id", "idempotency_key",
               "request_id", "http_status", "outcome", "error", "redacted", "row_hash")
_MAX_CURSOR = 2**62


def entry_model(entry: AuditEntry) -> schemas.AuditEntry:
    fields, details = entry.fields, entry.details
    return schemas.AuditEntry(
        seq=fields.seq, occurred_at=fields.occurred_at.isoformat(), kind=cast(schemas.AuditKind, fields.kind),
        operation=fields.operation, object_id=_text(details.get("object_id")), actor=fields.actor,
        invoice_id=fields.invoice_id, idempotency_key=_text(details.get("idempotency_key")),
        request_id=fields.request_id, http_status=fields.http_status,
        outcome=cast(schemas.AuditOutcome, fields.outcome), error=_text(details.get("error")),
        redacted=is_redacted(details), row_hash=entry.row_hash)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _whole_number(query: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    text = str(raw)
    if not text.isascii() or not text.isdigit() or len(text) > 19 or not low <= int(text) <= high:
        raise HttpError(422, "invalid_page", f"{name} must be a whole number from {low} to {high}", name)
    return int(text)


@signed
async def get_audit(request: Request, caller: DashboardCaller) -> Response:
    query = caller.body
    output = query.get("format") or "json"
    if output not in ("json", "csv"):
        raise HttpError(422, "invalid_format", "format must be json or csv", "format")
    limit = _whole_number(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    after = _whole_number(query, "starting_after", 0, 0, _MAX_CURSOR)
    page = await audit_page(context_of(request).uow_factory, caller.account, after_seq=after, limit=limit)
    entries = [entry_model(entry) for entry in page.entries]
    cursor = entries[-1].seq if page.has_more and entries else None
    if output == "json":
        return json_response(to_json(schemas.AuditPage(entries=entries, has_more=page.has_more,
                                                        next_starting_after=cursor)))
    headers = {"Content-Disposition": f'attachment; filename="recoup-audit-{caller.account.id}.csv"'}
    if cursor is not None:
        headers[NEXT_PAGE_HEADER] = str(cursor)
    return Response(_csv(entries), media_type="text/csv; charset=utf-8", headers=headers)


def _csv(entries: list[schemas.AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        values = entry.model_dump(mode="json")
        writer.writerow([_cell(values[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    # A spreadsheet would run a cell starting with = + - @ as a formula.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@signed
async def get_invoice_audit(request: Request, caller: DashboardCaller) -> Response:
    invoice_id = str(request.path_params["invoice_id"])
    if not is_stripe_id(invoice_id, "in"):
        raise HttpError(404, "not_found", "no such invoice")
    entries = await invoice_audit(context_of(request).uow_factory, caller.account, invoice_id)
    return json_response(to_json(schemas.InvoiceAudit(entries=[entry_model(entry) for entry in entries])))


@signed
async def post_data_deletion(request: Request, caller: DashboardCaller) -> Response:
    expected = confirmation_phrase(caller.account)
    if caller.body.get("confirm") != expected:
        raise HttpError(400, "confirmation_required",
                        f'deleting data cannot be undone: send {{"confirm": "{expected}"}}', "confirm")
    context = context_of(request)
    counts = await delete_account_data(context.uow_factory, context.clock, caller.account)
    return json_response(to_json(schemas.DataDeletion(deleted=counts.as_json())))


ROUTES = [
    Route("/api/v1/audit", get_audit, methods=["GET"]),
    Route("/api/v1/invoices/{invoice_id}/audit", get_invoice_audit, methods=["GET"]),
    Route("/api/v1/account/data-deletion", post_data_deletion, methods=["POST"]),
]
