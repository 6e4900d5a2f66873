"""One API request end to end: auth, account, faults, parameters, idempotency, handler, response."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field
from typing import Any

from backend.simulator import (
    routes_apps,
    routes_card_tokens,
    routes_customers,
    routes_invoices,
    routes_payment_pages,
    routes_payments,
    routes_setup_intents,
    routes_subscriptions,
    routes_test_flows,
)
from backend.simulator.errors import (
    StripeError,
    account_invalid,
    invalid_api_key,
    invalid_request,
    no_api_key,
    request_log_url,
    server_error,
)
from backend.simulator.events import RequestInfo
from backend.simulator.faults import Faults
from backend.simulator.forms import decode_form, expand_paths
from backend.simulator.idempotency import (
    IdempotencyStore,
    StoredResponse,
    check_key_length,
    fingerprint,
)
from backend.simulator.paramspec import check_params, check_values
from backend.simulator.ports import Clock
from backend.simulator.routing import Ctx, Route, Services, match
from backend.simulator.state import AccountState, Store

ROUTES: list[Route] = (routes_invoices.ROUTES + routes_customers.ROUTES + routes_payments.ROUTES
                       + routes_subscriptions.ROUTES + routes_apps.ROUTES
                       + routes_test_flows.ROUTES + routes_setup_intents.ROUTES
                       + routes_payment_pages.ROUTES + routes_card_tokens.ROUTES)


@dataclass
class ApiRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    query: str = ""
    body: bytes = b""


@dataclass(frozen=True)
class Admitted:
    """A request that passed every check and may now take effect."""

    route: Route
    path_args: dict[str, str]
    params: dict[str, Any]
    state: AccountState
    account: str
    livemode: bool
    request_id: str
    method: str
    path: str
    idem_key: str | None


@dataclass(frozen=True)
class Answer:
    """A response decided before the handler runs (an idempotent replay)."""

    status: int
    body: bytes


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
        """Answer one request; injected latency runs while its Idempotency-Key is held."""
        self.request_count += 1
        request_id = self._services.ids.request()
        headers = {"Request-Id": request_id, "Content-Type": "application/json",
                   "Stripe-Version": request.headers.get("stripe-version", "2026-10-28.endive")}
        admitted: Admitted | Answer | None = None
        livemode: bool | None = None
        try:
            key, livemode = self._authenticate(request)
            admitted = self._admit(request, key, livemode, request_id, headers)
            if isinstance(admitted, Answer):
                status, body = admitted.status, admitted.body
            else:
                status, body = await self._run_admitted(admitted, headers)
        except StripeError as error:
            status, body = error.status, _dump(error.body(request_log_url(request_id, livemode)))
            headers.update(error.headers)
        finally:
            if isinstance(admitted, Admitted) and admitted.idem_key is not None:
                self._idempotency.release(admitted.account, admitted.livemode, admitted.idem_key)
        delay = self._faults.response_delay(request.path)
        if delay:
            await asyncio.sleep(delay)
        return ApiResponse(status, body, headers)

    async def _run_admitted(self, admitted: Admitted, headers: dict[str, str]) -> tuple[int, bytes]:
        """Hold the objects a write changes while it runs; a second writer gets lock_timeout."""
        locks = list(admitted.path_args.values()) if admitted.method != "GET" else []
        self._faults.enter(admitted.account, admitted.livemode, locks)
        try:
            if self._faults.latency_seconds:
                await asyncio.sleep(self._faults.latency_seconds)
            return self._execute(admitted, headers)
        finally:
            self._faults.leave(admitted.account, admitted.livemode, locks)

    def _admit(self, request: ApiRequest, key: str, livemode: bool, request_id: str,
               headers: dict[str, str]) -> Admitted | Answer:
        """Everything Stripe checks before a request may take effect; nothing here is stored."""
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
        self._faults.check(account, livemode, request.method, request.path, route.endpoint)
        raw = request.query if request.method in ("GET", "DELETE") else request.body.decode()
        params = decode_form(raw)
        check_params(params, route.spec)
        check_values(params, route.spec)
        idem_key = request.headers.get("idempotency-key") if request.method == "POST" else None
        admitted = Admitted(route, path_args, params, state, account, livemode, request_id,
                            request.method, request.path, idem_key)
        if idem_key is None:
            return admitted
        check_key_length(idem_key)
        headers["Idempotency-Key"] = idem_key
        stored = self._idempotency.claim(account, livemode, idem_key, request.method,
                                         request.path, params, self._clock.now())
        if stored is not None:
            headers.update({"Idempotent-Replayed": "true", "Original-Request": stored.request_id})
            headers.update(stored.headers)
            return Answer(stored.status, stored.body)
        headers["Original-Request"] = request_id
        return admitted

    def _execute(self, admitted: Admitted, headers: dict[str, str]) -> tuple[int, bytes]:
        """Run the handler; with an Idempotency-Key its outcome is stored, errors included."""
        info = RequestInfo(admitted.request_id, admitted.idem_key)
        if admitted.idem_key is None:
            status, body = self._run(admitted, info)
            return self._after_effect(admitted, status, body)
        stored_headers: dict[str, str] = {}
        try:
            status, body = self._run(admitted, info)
            status, body = self._after_effect(admitted, status, body)
        except StripeError as error:
            # Errors raised while the request ran are part of its stored outcome.
            status = error.status
            body = _dump(error.body(request_log_url(admitted.request_id, admitted.livemode)))
            headers.update(error.headers)
            if status >= 500:
                # The effect may have happened: retrying cannot undo it, so Stripe says not to.
                stored_headers["Stripe-Should-Retry"] = "false"
        self._idempotency.save(admitted.account, admitted.livemode, admitted.idem_key,
                               StoredResponse(admitted.method, admitted.path,
                                              fingerprint(admitted.params), status, body,
                                              admitted.request_id, self._clock.now(),
                                              stored_headers))
        return status, body

    def _after_effect(self, admitted: Admitted, status: int, body: bytes) -> tuple[int, bytes]:
        """A fault injected after the effect: the change is made, the caller gets a 5xx."""
        fault = self._faults.after_effect(admitted.account, admitted.method, admitted.path)
        if fault is not None:
            raise server_error(fault)
        return status, body

    def _run(self, admitted: Admitted, info: RequestInfo) -> tuple[int, bytes]:
        ctx = Ctx(admitted.state, self._clock.now(), admitted.params,
                  expand_paths(admitted.params), self._services)
        with self._services.events.request(info):
            return 200, _dump(admitted.route.handler(ctx, **admitted.path_args))

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
    # Stripe pretty-prints its answers, but the whitespace means nothing to a client, and only
    # unindented output goes through the C encoder (about ten times faster for an invoice).
    return json.dumps(obj).encode()
