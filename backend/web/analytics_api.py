"""GET /api/v1/analytics: an account's figures over a chosen period."""

from __future__ import annotations

from datetime import date, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.domain.analytics import DEFAULT_PERIOD_DAYS, MAX_PERIOD_DAYS
from backend.services.analytics import Analytics, analytics
from backend.web import schemas
from backend.web.context import context_of
from backend.web.dashboard_auth import DashboardCaller, json_response, signed
from backend.web.errors import HttpError
from backend.web.presenters import to_json


def _day(raw: object, name: str) -> date | None:
    if raw is None or raw == "":
        return None
    text = str(raw)
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise HttpError(400, "invalid_period", f"{name} must be a date like 2026-11-30", name) from None


def period_of(query: dict[str, object], today: date) -> tuple[date, date]:
    """The period asked for (30 days when one end is missing, ending today when both are); 400 if invalid."""
    first, last = _day(query.get("from"), "from"), _day(query.get("to"), "to")
    span = timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if last is None:
        last = today if first is None else first + span
    if first is None:
        first = last - span
    if first > last:
        raise HttpError(400, "invalid_period", "from must not be after to", "from")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise HttpError(400, "invalid_period", f"a period is at most {MAX_PERIOD_DAYS} days", "from")
    return first, last


def analytics_model(view: Analytics) -> schemas.Analytics:
    return schemas.Analytics(
        period_from=view.first_day.isoformat(), period_to=view.last_day.isoformat(),
        currencies=[schemas.CurrencyAnalytics(
            currency=c.currency, failed=c.failed, recovered=c.recovered, refunded=c.refunded,
            dispute_lost=c.dispute_lost, net_recovered=c.net_recovered, paid_without_recoup=c.paid_without_recoup,
            exhausted=c.exhausted, in_flight=c.in_flight, rate_by_amount=c.rate_by_amount,
            success_fee=schemas.SuccessFee(percent=c.fee.percent, on_recovered=c.fee.on_recovered,
                                           refunded=c.fee.refunded, net=c.fee.net)) for c in view.currencies],
        recovered_count=view.recovered_count, exhausted_count=view.exhausted_count,
        in_flight_count=view.in_flight_count, rate_by_count=view.rate_by_count,
        causes=schemas.CauseShares(paid=view.causes.paid, retry=view.causes.retry,
                                   card_update=view.causes.card_update, customer=view.causes.customer,
                                   other=view.causes.other),
        median_days_to_recover=view.median_days_to_recover,
        due_next_24h=[schemas.DueSoon(currency=d.currency, count=d.count, amount=d.amount) for d in view.due_next_24h],
        messages_sent=view.messages_sent, open_rate=view.open_rate, click_rate=view.click_rate,
        disputes=schemas.DisputeCounts(open=view.disputes.open, won=view.disputes.won, lost=view.disputes.lost),
        success_fee_percent=view.success_fee_percent)


@signed
async def get_analytics(request: Request, caller: DashboardCaller) -> Response:
    context = context_of(request)
    now = context.clock.now()
    first, last = period_of(caller.body, now.date())
    view = await analytics(context.uow_factory, caller.account, first, last, now)
    return json_response(to_json(analytics_model(view)))


ROUTES = [Route("/api/v1/analytics", get_analytics, methods=["GET"])]
