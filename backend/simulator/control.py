"""The JSON control API under /_sim/: scenarios, clock, events, faults, cards, checkout."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.domain.billing import StripeAccount
from backend.simulator.behaviours import behaviour_from_spec
from backend.simulator.errors import StripeError
from backend.simulator.scenarios import build_scenario

if TYPE_CHECKING:
    from backend.simulator.simulator import Simulator


def control_routes(sim: Simulator) -> list[Route]:
    async def body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        return dict(await request.json()) if raw else {}

    def account_of(data: dict[str, Any]) -> StripeAccount:
        return StripeAccount(str(data["account"]), bool(data.get("livemode", False)))

    async def run_and_deliver() -> dict[str, Any]:
        steps = await sim.run_until_now()
        delivered = await sim.deliver_pending()
        return {"now": sim.clock.now().isoformat(), "steps": steps, "delivered": delivered}

    async def scenarios(request: Request) -> JSONResponse:
        data = await body(request)
        allowed = {"customers", "accounts", "seed", "smart_retries", "failure_mix",
                   "failing_share", "livemode", "amount", "currency"}
        unknown = set(data) - allowed
        if unknown:
            return _error(400, f"unknown fields: {sorted(unknown)}")
        result = build_scenario(sim, **data)
        await sim.deliver_pending()
        return JSONResponse(result)

    async def clock(request: Request) -> JSONResponse:
        if request.method == "GET":
            return JSONResponse({"now": sim.clock.now().isoformat(),
                                 "manual": hasattr(sim.clock, "advance")})
        data = await body(request)
        advance = getattr(sim.clock, "advance", None)
        if advance is None:
            return _error(409, "the simulator runs on a clock that cannot be moved")
        if "advance_seconds" in data:
            advance(timedelta(seconds=float(data["advance_seconds"])))
        elif "to" in data:
            target = datetime.fromisoformat(str(data["to"]))
            if target < sim.clock.now():
                return _error(400, "time never moves backwards")
            advance(target - sim.clock.now())
        return JSONResponse(await run_and_deliver())

    async def run(request: Request) -> JSONResponse:
        return JSONResponse(await run_and_deliver())

    async def events(request: Request) -> JSONResponse:
        q = request.query_params
        by_event: dict[str, list[dict[str, Any]]] = {}
        for delivery in sim.webhooks.queue:
            by_event.setdefault(delivery.event_id, []).append(delivery.summary())
        listed = sim.events.select(account=q.get("account"), type_=q.get("type"))
        return JSONResponse({"data": [
            {"id": e["id"], "type": e["type"], "account": e.get("account"), "livemode": e["livemode"],
             "created": e["created"], "deliveries": by_event.get(e["id"], []),
             **({"event": e} if q.get("full") == "true" else {})} for e in listed]})

    async def accounts(request: Request) -> JSONResponse:
        data = await body(request)
        account = sim.install_account(data.get("account"), livemode=bool(data.get("livemode")),
                                      smart_retries=bool(data.get("smart_retries", True)))
        await sim.deliver_pending()
        return JSONResponse({"account": account.id, "livemode": account.livemode})

    async def card_behaviour(request: Request) -> JSONResponse:
        data = await body(request)
        pm = request.path_params["payment_method"]
        sim.set_card_behaviour(account_of(data), pm, behaviour_from_spec(data["behaviour"]))
        return JSONResponse({"payment_method": pm, "behaviour": data["behaviour"]})

    async def complete_checkout(request: Request) -> JSONResponse:
        data = await body(request)
        behaviour = behaviour_from_spec(data["behaviour"]) if "behaviour" in data else None
        pm = sim.complete_checkout_session(account_of(data), request.path_params["session"],
                                           behaviour, set_default=bool(data.get("set_default")))
        await sim.deliver_pending()
        return JSONResponse({"payment_method": pm})

    async def faults(request: Request) -> JSONResponse:
        if request.method == "DELETE":
            sim.faults.clear()
            return JSONResponse({"cleared": True})
        data = await body(request)
        if "status" in data:
            sim.faults.inject(int(data["status"]), int(data.get("count", 1)),
                              account=data.get("account"), path_prefix=data.get("path_prefix"),
                              after_effect=bool(data.get("after_effect", False)))
        if "latency_seconds" in data:
            sim.faults.set_latency(float(data["latency_seconds"]))
        if "response_delay_seconds" in data:
            sim.faults.set_response_delay(float(data["response_delay_seconds"]),
                                          path_prefix=data.get("path_prefix"))
        if "endpoint_rate_limit_per_second" in data:
            limit = data["endpoint_rate_limit_per_second"]
            sim.faults.set_endpoint_rate_limit(None if limit is None else int(limit))
        if "concurrency_limit" in data:
            limit = data["concurrency_limit"]
            sim.faults.concurrency_limit = None if limit is None else int(limit)
        if "rate_limit_per_second" in data:
            limit = data["rate_limit_per_second"]
            sim.faults.set_rate_limit(None if limit is None else int(limit),
                                      account=data.get("account"))
        return JSONResponse({"ok": True})

    async def webhooks(request: Request) -> JSONResponse:
        action = request.path_params["action"]
        data = await body(request)
        if action == "hold":
            sim.webhooks.hold()
        elif action == "release":
            sim.webhooks.release()
        elif action == "duplicate":
            sim.webhooks.duplicate(str(data["event"]))
        elif action == "reorder":
            sim.webhooks.reorder(str(data.get("how", "reverse")), int(data.get("seed", 0)))
        elif action != "flush":
            return _error(404, f"unknown webhook action: {action}")
        delivered = await sim.deliver_pending()
        return JSONResponse({"delivered": delivered, "pending": len(sim.webhooks.pending())})

    async def money_back(request: Request) -> JSONResponse:
        data = await body(request)
        account, action = account_of(data), request.path_params["action"]
        target = str(request.path_params["object"])
        try:
            if action == "refund":
                amount = data.get("amount")
                made = {"refund": sim.refund_charge(account, target, None if amount is None else int(amount))}
            elif action == "dispute":
                made = {"dispute": sim.dispute_charge(account, target, reason=str(data.get("reason", "fraudulent")))}
            elif action == "close":
                outcome = data.get("outcome")
                if outcome not in ("won", "lost"):
                    return _error(400, "outcome must be won or lost")
                sim.close_dispute(account, target, won=outcome == "won")
                made = {"dispute": target, "status": str(outcome)}
            else:
                return _error(404, f"unknown action: {action}")
        except (KeyError, ValueError, StripeError) as error:
            return _error(400, str(error))
        await sim.deliver_pending()
        return JSONResponse(made)

    return [
        Route("/_sim/charges/{object}/{action}", money_back, methods=["POST"]),
        Route("/_sim/disputes/{object}/{action}", money_back, methods=["POST"]),
        Route("/_sim/scenarios", scenarios, methods=["POST"]),
        Route("/_sim/clock", clock, methods=["GET", "POST"]),
        Route("/_sim/run", run, methods=["POST"]),
        Route("/_sim/events", events, methods=["GET"]),
        Route("/_sim/accounts", accounts, methods=["POST"]),
        Route("/_sim/cards/{payment_method}/behaviour", card_behaviour, methods=["POST"]),
        Route("/_sim/checkout_sessions/{session}/complete", complete_checkout, methods=["POST"]),
        Route("/_sim/faults", faults, methods=["POST", "DELETE"]),
        Route("/_sim/webhooks/{action}", webhooks, methods=["POST"]),
    ]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message}}, status_code=status)
