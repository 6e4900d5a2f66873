"""Analytics of one account and mode over a chosen period, read from the daily buckets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from backend.domain.analytics import SuccessFee, median_days, ratio, success_fee
from backend.domain.billing import StripeAccount
from backend.services.account_settings import load_settings, require_installed
from backend.services.analytics_ports import DueSoon
from backend.services.unit_of_work import UnitOfWorkFactory

DUE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class CurrencyFigures:
    """Money of one currency over the period, in its smallest unit."""

    currency: str
    failed: int
    recovered: int  # what Recoup caused, as paid
    refunded: int
    dispute_lost: int
    net_recovered: int  # recovered − refunds − lost disputes (never counting the same money twice)
    paid_without_recoup: int
    exhausted: int
    in_flight: int  # failed in the period and still open
    rate_by_amount: float | None
    fee: SuccessFee


@dataclass(frozen=True)
class CauseShares:
    """Of the invoices paid in the period: who caused the payment (shares of the count)."""

    paid: int
    retry: float | None
    card_update: float | None
    customer: float | None
    other: float | None


@dataclass(frozen=True)
class Disputes:
    open: int
    won: int
    lost: int


@dataclass(frozen=True)
class Analytics:
    first_day: date
    last_day: date
    currencies: list[CurrencyFigures]
    recovered_count: int
    exhausted_count: int
    in_flight_count: int
    rate_by_count: float | None
    causes: CauseShares
    median_days_to_recover: float | None
    due_next_24h: list[DueSoon]
    messages_sent: int
    open_rate: float | None
    click_rate: float | None
    disputes: Disputes
    success_fee_percent: int


async def analytics(uow_factory: UnitOfWorkFactory, account: StripeAccount, first_day: date, last_day: date,
                    now: datetime) -> Analytics:
    """Sum the daily buckets of the period; no scan of the account's recoveries or attempts."""
    async with uow_factory() as uow:
        await require_installed(uow, account)
        settings = await load_settings(uow, account)
        totals = await uow.analytics.period(account, first_day.isoformat(), last_day.isoformat())
        due = await uow.analytics.due_before(account, now + DUE_WINDOW)
    percent = settings.success_fee_percent
    sums: dict[str, int] = {}
    for counters in totals.by_currency.values():
        for name, value in counters.items():
            sums[name] = sums.get(name, 0) + value
    paid = sum(sums.get(f"{cause}_count", 0) for cause in ("retry", "card_update", "customer", "elsewhere"))
    return Analytics(
        first_day=first_day, last_day=last_day,
        currencies=[_currency(currency, counters, percent) for currency, counters in totals.by_currency.items()],
        recovered_count=sums.get("recovered_count", 0), exhausted_count=sums.get("exhausted_count", 0),
        in_flight_count=sums.get("in_flight_count", 0),
        rate_by_count=ratio(sums.get("recovered_count", 0),
                            sums.get("recovered_count", 0) + sums.get("exhausted_count", 0)),
        causes=CauseShares(paid=paid, retry=ratio(sums.get("retry_count", 0), paid),
                           card_update=ratio(sums.get("card_update_count", 0), paid),
                           customer=ratio(sums.get("customer_count", 0), paid),
                           other=ratio(sums.get("elsewhere_count", 0), paid)),
        median_days_to_recover=median_days(totals.days_to_recover),
        due_next_24h=due, messages_sent=totals.sent, open_rate=ratio(totals.opened, totals.sent),
        click_rate=ratio(totals.clicked, totals.sent),
        disputes=Disputes(open=sums.get("dispute_open_count", 0), won=sums.get("dispute_won_count", 0),
                          lost=sums.get("dispute_lost_count", 0)),
        success_fee_percent=percent)


def _currency(currency: str, counters: dict[str, int], percent: int) -> CurrencyFigures:
    recovered, exhausted = counters["recovered_amount"], counters["exhausted_amount"]
    reversed_money = counters["reversed_amount"]
    return CurrencyFigures(
        currency=currency, failed=counters["failed_amount"], recovered=recovered,
        refunded=counters["refunded_amount"], dispute_lost=counters["dispute_lost_amount"],
        net_recovered=recovered - reversed_money,
        paid_without_recoup=counters["customer_amount"] + counters["elsewhere_amount"],
        exhausted=exhausted, in_flight=counters["in_flight_amount"],
        rate_by_amount=ratio(recovered, recovered + exhausted),
        fee=success_fee(recovered, reversed_money, percent))
