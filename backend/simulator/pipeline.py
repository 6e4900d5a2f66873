"""One API request end to end: auth, account, faults, parameters, idempotency, handler, response."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field
from typing import Any

from backend.simulator import (
    routes_apps,
    routes_customers,
    routes_invoices,
    routes_payments,
    routes_subscriptions,
)
from backend.simulator.errors import (
    StripeError,
    account_invalid,
    invalid_api_key,
    invalid_request,
    no_api_key,
)
from backend.simulator.events import RequestInfo
from backend.simulator.faults import Faults
from backend.simulator.forms import decode_form, expand_paths
from backend.simulator.idempotency import IdempotencyStore, StoredResponse, fingerprint
from backend.simulator.paramspec import check_params
from backend.simulator.ports import Clock
from backend.simulator.routing import Ctx, Route, Services, match
from backend.simulator.state import AccountState, Store

ROUTES: list[Route] = (routes_invoices.ROUTES + routes_customers.ROUTES + routes_payments.ROUTES
                       + routes_subscriptions.ROUTES + routes_apps.ROUTES)


@dataclass
class ApiRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    query: str = ""
    body: bytes = b""


@dataclass
class ApiResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


class Pipeline:
    def __init__(self, store: Store, services: Services, clock: Clock, faults: Faults,
                 platform_account: str, api_keys: frozenset[str] | None = None) -> None:
        self._store = store
        self._services = services
        self._clock = clock
        self._faults = faults
        self._idempotency = IdempotencyStore()
        self._platform_account = platform_account
        self._api_keys = api_keys
        self.request_count = 0

    async def handle(self, request: ApiRequest) -> ApiResponse:
        if self._faults.latency_seconds:
            await asyncio.sleep(self._faults.latency_seconds)
        response = self.handle_now(request)
        delay = self._faults.response_delay(request.path)
        if delay:
            await asyncio.sleep(delay)
        return response

    def handle_now(self, request: ApiRequest) -> ApiResponse:
        """Answer without the injected latency (the async wrapper adds it)."""
        self.request_count += 1
        request_id = self._services.ids.request()
        headers = {"Request-Id": request_id, "Content-Type": "application/json",
                   "Stripe-Version": request.headers.get("stripe-version", "2026-10-28.endive")}
        try:
            status, body = self._process(request, request_id, headers)
        except StripeError as error:
            status, body = error.status, _dump(error.body())
            headers.update(error.headers)
        return ApiResponse(status, body, headers)

    def _process(self, request: ApiRequest, request_id: str,
                 headers: dict[str, str]) -> tuple[int, bytes]:
        key, livemode = self._authenticate(request)
        found = match(ROUTES, request.method, request.path)
        if found is None:
            raise invalid_request(
                f"Unrecognized request URL ({request.method}: {request.path}). Please see "
                "https://stripe.com/docs or we can help at https://support.stripe.com/.",
                status=404)
        route, path_args = found
        account = request.headers.get("stripe-account") or self._platform_account
        state = self._store.find(account, livemode)
        if state is None or not state.installed:
            raise account_invalid(key, account)
        self._faults.check(account, livemode, request.path)
        raw = request.query if request.method in ("GET", "DELETE") else request.body.decode()
        params = decode_form(raw)
        check_params(params, route.spec)
        idem_key = request.headers.get("idempotency-key") if request.method == "POST" else None
        if idem_key is None:
            return self._run(route, path_args, params, state, RequestInfo(request_id, None))
        now = self._clock.now()
        stored = self._idempotency.lookup(account, livemode, idem_key, request.method,
                                          request.path, params, now)
        headers["Idempotency-Key"] = idem_key
        if stored is not None:
            headers.update({"Idempotent-Replayed": "true", "Original-Request": stored.request_id})
            return stored.status, stored.body
        headers["Original-Request"] = request_id
        try:
            status, body = self._run(route, path_args, params, state,
                                     RequestInfo(request_id, idem_key))
        except StripeError as error:
            # Errors raised while the request ran are part of its stored outcome.
            status, body = error.status, _dump(error.body())
            headers.update(error.headers)
        self._idempotency.save(account, livemode, idem_key, StoredResponse(
            request.method, request.path, fingerprint(params), status, body, request_id, now))
        return status, body

    def _run(self, route: Route, path_args: dict[str, str], params: dict[str, Any],
             state: AccountState, info: RequestInfo) -> tuple[int, bytes]:
        ctx = Ctx(state, self._clock.now(), params, expand_paths(params), self._services)
        with self._services.events.request(info):
            return 200, _dump(route.handler(ctx, **path_args))

    def _authenticate(self, request: ApiRequest) -> tuple[str, bool]:
        auth = request.headers.get("authorization", "")
        if not auth:
            raise no_api_key()
        scheme, _, key = auth.partition(" ")
        key = key.strip()
        if scheme.lower() == "basic":
            # Stripe also takes the key as the Basic-auth user name (`curl -u sk_test_…:`).
            key = base64.b64decode(key + "===").decode(errors="replace").split(":", 1)[0]
        elif scheme.lower() != "bearer":
            raise no_api_key()
        if not key:
            raise no_api_key()
        if self._api_keys is not None and key not in self._api_keys:
            raise invalid_api_key(key)
        for prefix, livemode in (("sk_test_", False), ("rk_test_", False),
                                 ("sk_live_", True), ("rk_live_", True)):
            if key.startswith(prefix) and len(key) > len(prefix):
                return key, livemode
        raise invalid_api_key(key)


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, indent=2).encode()
