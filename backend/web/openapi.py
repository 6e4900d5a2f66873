"""The OpenAPI document of /api/v1, built from the response models in `web/schemas.py`.

The UI's TypeScript types are generated from this document (`make api-types`), so the two cannot drift.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.web import schemas

_REF = "#/components/schemas/{model}"
_IDENTITY = [
    {"name": "user_id", "in": "query", "required": True, "schema": {"type": "string"},
     "description": "userContext.id; signed together with account_id"},
    {"name": "account_id", "in": "query", "required": True, "schema": {"type": "string"},
     "description": "userContext.account.id; the only account the answer concerns"},
    {"name": "mode", "in": "query", "required": False, "schema": {"type": "string", "enum": ["test", "live"]}},
]
_SIGNATURE: list[dict[str, list[str]]] = [{"stripeSignature": []}]
_ERRORS = {
    status: {"description": description,
             "content": {"application/json": {"schema": {"$ref": _REF.format(model="ErrorResponse")}}}}
    for status, description in (("400", "malformed request"), ("401", "missing, wrong or stale signature"),
                                ("404", "not this account's, or Recoup is not installed"),
                                ("409", "the recovery's state does not allow it"),
                                ("422", "a field is invalid; nothing was changed"))}


def _ok(model: type[schemas.ApiModel]) -> dict[str, Any]:
    return {"200": {"description": "OK",
                    "content": {"application/json": {"schema": {"$ref": _REF.format(model=model.__name__)}}}},
            **_ERRORS}


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema or {"type": "string"},
            "description": description}


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    identity = {"user_id": {"type": "string"}, "account_id": {"type": "string"},
                "mode": {"type": "string", "enum": ["test", "live"]}}
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": {**identity, **properties},
        "required": ["user_id", "account_id", *required]}}}}


def _paths() -> dict[str, Any]:
    invoice = {"name": "invoice_id", "in": "path", "required": True, "schema": {"type": "string"}}
    statuses = ["observing", "scheduled", "awaiting_customer", "paused", "recovered", "exhausted", "closed"]
    actions = ["retry_now", "pause", "resume", "stop", "enrol"]
    return {
        "/api/v1/settings": {
            "get": {"operationId": "getSettings", "parameters": _IDENTITY, "responses": _ok(schemas.SettingsResponse)},
            "put": {"operationId": "saveSettings",
                    "requestBody": _body({"settings": {"type": "object",
                                                       "description": "any subset of RecoverySettings"}},
                                         ["settings"]),
                    "responses": _ok(schemas.SettingsResponse)},
        },
        "/api/v1/invoices/{invoice_id}/recovery": {
            "get": {"operationId": "getRecovery", "parameters": [invoice, *_IDENTITY],
                    "responses": _ok(schemas.RecoveryResponse)},
        },
        "/api/v1/invoices/{invoice_id}/recovery/actions": {
            "post": {"operationId": "runRecoveryAction", "parameters": [invoice],
                     "requestBody": _body({"action": {"type": "string", "enum": actions}}, ["action"]),
                     "responses": _ok(schemas.RecoveryActionResponse)},
        },
        "/api/v1/recoveries": {
            "get": {"operationId": "listRecoveries", "parameters": [
                *_IDENTITY,
                _query("status", "only recoveries in this state", type="string", enum=statuses),
                _query("customer", "only this customer's recoveries (cus_…)"),
                _query("subscription", "only this subscription's recoveries (sub_…)"),
                _query("page", "1-based page of 20, newest first", type="integer", minimum=1),
            ], "responses": _ok(schemas.RecoveryList)},
        },
        "/api/v1/overview": {
            "get": {"operationId": "getOverview", "parameters": _IDENTITY, "responses": _ok(schemas.Overview)},
        },
        "/api/v1/analytics": {
            "get": {"operationId": "getAnalytics", "parameters": [
                *_IDENTITY,
                _query("from", "first day, YYYY-MM-DD (UTC); default 29 days before `to`", type="string",
                       format="date"),
                _query("to", "last day, YYYY-MM-DD (UTC), included; default today", type="string", format="date"),
            ], "responses": {**_ok(schemas.Analytics)}},
        },
        "/api/v1/takeover": {
            "get": {"operationId": "getTakeover", "parameters": _IDENTITY, "responses": _ok(schemas.TakeoverResponse)},
            "post": {"operationId": "startTakeover",
                     "requestBody": _body({"look_back_days": {
                         "type": "integer", "minimum": 1, "maximum": 365,
                         "description": "how far back to scan; 60 when left out"}}, []),
                     "responses": {"202": {"description": "a takeover started", "content": {"application/json": {
                         "schema": {"$ref": _REF.format(model="TakeoverResponse")}}}},
                                   **_ok(schemas.TakeoverResponse)}},
        },
        **_audit_paths(invoice),
        "/api/v1/sms/credentials": {
            "get": {"operationId": "getSmsCredentials", "parameters": _IDENTITY,
                    "responses": _ok(schemas.SmsCredentials)},
            "put": {"operationId": "saveSmsCredentials",
                    "requestBody": _body({"credentials": {"type": "object", "properties": {
                        "account_sid": {"type": "string"}, "auth_token": {"type": "string"},
                        "from_number": {"type": "string"}},
                        "required": ["account_sid", "auth_token", "from_number"],
                        "description": "stored in Stripe's Secret Store, never by Recoup"}}, ["credentials"]),
                    "responses": _ok(schemas.SmsCredentials)},
        },
    }


def _audit_paths(invoice: dict[str, Any]) -> dict[str, Any]:
    page = _ok(schemas.AuditPage)
    # format=csv answers the same page as CSV with a header row, and the next cursor in a header.
    page["200"] = {**page["200"], "content": {**page["200"]["content"], "text/csv": {"schema": {"type": "string"}}},
                   "headers": {"Recoup-Next-Starting-After": {"schema": {"type": "integer"},
                                                              "description": "the next page's starting_after"}}}
    return {
        "/api/v1/audit": {
            "get": {"operationId": "exportAudit", "parameters": [
                *_IDENTITY,
                _query("format", "json (default) or csv", type="string", enum=["json", "csv"]),
                _query("limit", "rows per page, 1 to 500 (default 100)", type="integer", minimum=1, maximum=500),
                _query("starting_after", "the seq after which the page starts", type="integer", minimum=0),
            ], "responses": page},
        },
        "/api/v1/invoices/{invoice_id}/audit": {
            "get": {"operationId": "getInvoiceAudit", "parameters": [invoice, *_IDENTITY],
                    "responses": _ok(schemas.InvoiceAudit)},
        },
        "/api/v1/account/data-deletion": {
            "post": {"operationId": "deleteAccountData",
                     "requestBody": _body({"confirm": {"type": "string",
                                                       "description": "exactly `delete <account_id>`"}},
                                          ["confirm"]),
                     "responses": _ok(schemas.DataDeletion)},
        },
    }


def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the Dashboard API."""
    _, definitions = models_json_schema([(model, "serialization") for model in schemas.RESPONSE_MODELS],
                                        ref_template=_REF)
    components = definitions.get("$defs", {})
    # The settings come from the domain's dataclass, which has defaults but is always sent whole.
    settings = components["RecoverySettings"]
    settings["required"] = list(settings["properties"])
    return {
        "openapi": "3.1.0",
        "info": {"title": "Recoup Dashboard API", "version": "1",
                 "description": "Called by Recoup's Stripe Dashboard views; see docs/api.md."},
        "paths": _paths(),
        "components": {
            "schemas": components,
            "securitySchemes": {"stripeSignature": {
                "type": "apiKey", "in": "header", "name": "Stripe-Signature",
                "description": "fetchStripeSignature() over {user_id, account_id}, checked with the app secret"}},
        },
        "security": _SIGNATURE,
    }


async def get_openapi(_request: Request) -> JSONResponse:
    return JSONResponse(openapi_document())


ROUTES = [Route("/api/v1/openapi.json", get_openapi, methods=["GET"])]
