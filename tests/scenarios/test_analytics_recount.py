"""Analytics read from the daily buckets equal a brute-force recount of the raw rows, for any history.

Histories are random: failures in several currencies over several days, retries declining and
succeeding, card updates, customers paying unprompted, payments made elsewhere, exhaustion,
closings, a late correction of who paid, disputes (opened, won, lost, delivered late), refunds
(partial, full, repeated), and messages sent, opened and clicked.
"""

from __future__ import annotations

import itertools
import statistics
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from backend.domain.attribution import Attribution
from backend.domain.billing import StripeAccount
from backend.domain.recovery import Attempt, Recovery
from backend.domain.recovery_state import RecoveryEvent
from backend.domain.settings import RecoverySettings
from backend.services.analytics import Analytics, analytics
from backend.services.lifecycle import correct_attribution, end_recovery, open_recovery
from backend.services.money_back import charge_disputed, charge_refunded
from backend.services.outreach_records import MessageRecord, message_id
from backend.services.records import AccountRecord, AccountStatus
from backend.services.webhook_events import ChargeDisputed, ChargeRefunded
from tests.conftest import START

CURRENCIES = ("eur", "usd", "jpy")
RECOUP = ("recoup_retry", "card_update")
_accounts = itertools.count()

step = st.tuples(
    st.sampled_from(["fail", "fail", "decline", "retry_paid", "card_update_paid", "customer_paid",
                     "paid_elsewhere", "exhausted", "closed", "correct", "dispute", "dispute_won",
                     "dispute_lost", "refund", "message", "open", "click"]),
    st.integers(0, 30),  # which recovery (modulo how many exist)
    st.integers(1, 50_000),  # an amount
    st.integers(0, 60),  # hours that pass before this step
)


async def run(uow_factory, account: StripeAccount, history) -> datetime:
    now, recoveries, messages = START, [], []
    for kind, pick, amount, hours in history:
        now += timedelta(hours=hours)
        async with uow_factory() as uow:
            if kind == "fail" or not recoveries:
                recoveries.append(await _fail(uow, account, len(recoveries), amount, now))
            else:
                target = await uow.recoveries.get(recoveries[pick % len(recoveries)])
                await _apply(uow, account, kind, target, amount, now, messages, pick)
            await uow.commit()
    return now


async def _fail(uow, account, n, amount, now) -> str:
    recovery = Recovery.open(recovery_id=f"rec_{account.id[-8:]}x{n}", account=account, invoice_id=f"in_{n}x",
                             customer_id="cus_1", subscription_id=None, amount=amount,
                             currency=CURRENCIES[amount % 3], settings=RecoverySettings(), now=now, reason="test")
    recovery.next_attempt_at = now + timedelta(hours=amount % 72)
    await open_recovery(uow, recovery, now)
    await uow.attempts.add(Attempt(recovery_id=recovery.id, number=0, attempted_at=now, outcome="declined",
                                   idempotency_key=f"k:{recovery.id}:0", trigger="stripe",
                                   payment_intent_id=f"pi_{recovery.id}", charge_id=f"ch_{recovery.id}0"))
    return recovery.id


async def _apply(uow, account, kind, recovery, amount, now, messages, pick) -> None:
    paid = {"retry_paid": Attribution.RECOUP_RETRY, "card_update_paid": Attribution.CARD_UPDATE,
            "customer_paid": Attribution.CUSTOMER, "paid_elsewhere": Attribution.OUT_OF_BAND}
    payment = f"pi_{recovery.id}"
    if kind == "decline":
        number = len(await uow.attempts.for_recovery(recovery.id))
        await uow.attempts.add(Attempt(recovery_id=recovery.id, number=number, attempted_at=now,
                                       outcome="declined", idempotency_key=f"k:{recovery.id}:{number}",
                                       trigger="schedule", payment_intent_id=payment))
    elif kind in paid:
        await end_recovery(uow, recovery, RecoveryEvent.PAID, outcome="paid", attribution=paid[kind], now=now)
    elif kind == "exhausted":
        await end_recovery(uow, recovery, RecoveryEvent.EXHAUSTED, outcome="exhausted", now=now)
    elif kind == "closed":
        await end_recovery(uow, recovery, RecoveryEvent.CLOSED_ELSEWHERE, outcome="invoice_void", now=now)
    elif kind == "correct" and recovery.status == "recovered":
        await correct_attribution(uow, recovery, Attribution.RECOUP_RETRY, now)
    elif kind.startswith("dispute"):
        status = {"dispute": "needs_response", "dispute_won": "won", "dispute_lost": "lost"}[kind]
        await charge_disputed(uow, ChargeDisputed(account=account, dispute_id="du_1", charge_id="ch_unknown",
                                                  payment_intent_id=payment, amount=amount, currency="eur",
                                                  status=status, at=now), now)
    elif kind == "refund":
        await charge_refunded(uow, ChargeRefunded(account=account, charge_id="ch_unknown", payment_intent_id=payment,
                                                  amount=recovery.amount, amount_refunded=min(amount, recovery.amount),
                                                  currency=recovery.currency, at=now), now)
    elif kind == "message":
        message = MessageRecord(id=message_id(recovery.id, "email", f"s{len(messages)}"), recovery_id=recovery.id,
                                account_id=account.id, livemode=account.livemode, customer_id="cus_1",
                                channel="email", step="day_0", status="planned", send_at=now, created_at=now)
        await uow.messages.add(message)
        message.status, message.sent_at = "sent", now
        await uow.messages.save(message)
        await uow.messages.save(message)  # saving a sent message again counts nothing
        messages.append(message.id)
    elif kind in ("open", "click") and messages:
        chosen = messages[pick % len(messages)]
        await (uow.messages.mark_opened if kind == "open" else uow.messages.mark_clicked)(chosen, now)


async def recount(uow_factory, account: StripeAccount, first: date, last: date, now: datetime, fee: int):
    """The period's figures the slow way, from the recovery, attempt and notification rows."""
    async with uow_factory.engine.connect() as connection:
        rows = (await connection.execute(text(
            "SELECT r.currency, r.amount, r.status, r.started_at, r.closed_at, r.recovered_by, r.refunded_amount,"
            " r.dispute_status, r.disputed_amount, r.next_attempt_at,"
            " (SELECT COUNT(*) FROM attempt a WHERE a.recovery_id = r.id) FROM recovery r"
            " WHERE r.account_id = :a AND r.livemode = :l"), {"a": account.id, "l": account.livemode})).all()
        sent = (await connection.execute(text(
            "SELECT sent_at, opened_at, clicked_at FROM notification"
            " WHERE account_id = :a AND livemode = :l AND status = 'sent'"),
            {"a": account.id, "l": account.livemode})).all()

    def day(moment):
        moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
        return moment.date()

    def within(moment):
        return moment is not None and first <= day(moment) <= last

    money: dict[str, dict[str, int]] = {}
    counts = {"recovered": 0, "exhausted": 0, "in_flight": 0, "paid": 0, "retry": 0, "card_update": 0,
              "customer": 0, "open": 0, "won": 0, "lost": 0}
    took: list[int] = []
    due: dict[str, tuple[int, int]] = {}
    for currency, amount, status, started, closed, by, refunded, dispute, disputed, next_at, attempts in rows:
        assert attempts >= 1  # every recovery keeps the failure that opened it
        m = money.setdefault(currency, {k: 0 for k in ("failed", "recovered", "refunded", "lost", "reversed",
                                                       "elsewhere", "exhausted", "in_flight")})
        if within(started):
            m["failed"] += amount
            if closed is None:
                m["in_flight"] += amount
                counts["in_flight"] += 1
        if closed is None and next_at is not None and _aware(next_at) < now + timedelta(hours=24):
            count, total = due.get(currency, (0, 0))
            due[currency] = (count + 1, total + amount)
        if not within(closed):
            continue
        if status == "exhausted":
            m["exhausted"] += amount
            counts["exhausted"] += 1
        if status != "recovered":
            continue
        counts["paid"] += 1
        cause = by if by in ("recoup_retry", "card_update", "customer") else "other"
        counts[cause] = counts.get(cause, 0) + 1
        if by not in RECOUP:
            m["elsewhere"] += amount
            continue
        counts["recovered"] += 1
        lost = disputed if dispute == "lost" else 0
        m["recovered"] += amount
        m["refunded"] += refunded
        m["lost"] += lost
        m["reversed"] += min(amount, refunded + lost)
        if dispute:
            counts[dispute] += 1
        took.append((_aware(closed) - _aware(started)).days)
    messages = [(s, o, c) for s, o, c in sent if within(s)]
    return money, counts, took, due, messages


def _aware(moment):
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return moment if moment.tzinfo else moment.replace(tzinfo=START.tzinfo)


def assert_same(view: Analytics, money, counts, took, due, messages, fee: int) -> None:
    shown = {c.currency: c for c in view.currencies}
    for currency, m in money.items():
        if not any(m.values()):
            assert currency not in shown or not any(
                (shown[currency].failed, shown[currency].recovered, shown[currency].exhausted))
            continue
        c = shown[currency]
        assert (c.failed, c.recovered, c.refunded, c.dispute_lost, c.net_recovered, c.paid_without_recoup,
                c.exhausted, c.in_flight) == (m["failed"], m["recovered"], m["refunded"], m["lost"],
                                              m["recovered"] - m["reversed"], m["elsewhere"], m["exhausted"],
                                              m["in_flight"]), currency
        decided = m["recovered"] + m["exhausted"]
        assert c.rate_by_amount == (m["recovered"] / decided if decided else None)
        on_recovered = (m["recovered"] * fee + 50) // 100
        assert c.fee.on_recovered == on_recovered
        assert c.fee.net == on_recovered - min(on_recovered, (m["reversed"] * fee + 50) // 100)
    assert (view.recovered_count, view.exhausted_count, view.in_flight_count) == (
        counts["recovered"], counts["exhausted"], counts["in_flight"])
    decided = counts["recovered"] + counts["exhausted"]
    assert view.rate_by_count == (counts["recovered"] / decided if decided else None)
    paid = counts["paid"]
    assert view.causes.paid == paid
    for name, key in (("retry", "recoup_retry"), ("card_update", "card_update"), ("customer", "customer")):
        assert getattr(view.causes, name) == (counts.get(key, 0) / paid if paid else None)
    assert view.median_days_to_recover == (statistics.median(took) if took else None)
    assert (view.disputes.open, view.disputes.won, view.disputes.lost) == (counts["open"], counts["won"],
                                                                           counts["lost"])
    assert {d.currency: (d.count, d.amount) for d in view.due_next_24h} == due
    sent = len(messages)
    assert view.messages_sent == sent
    assert view.open_rate == (sum(o is not None for _s, o, _c in messages) / sent if sent else None)
    assert view.click_rate == (sum(c is not None for _s, _o, c in messages) / sent if sent else None)


# Each example is a short history on its own account; the two databases share the strategy.
@settings(max_examples=50, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=st.lists(step, min_size=1, max_size=40), fee=st.integers(0, 50),
       window=st.tuples(st.integers(0, 20), st.integers(0, 20)))
async def test_analytics_over_any_period_equal_a_recount_of_the_rows(uow_factory, history, fee, window):
    account = StripeAccount(f"acct_1P{next(_accounts):08d}", False)
    async with uow_factory() as uow:
        await uow.accounts.save(AccountRecord(account_id=account.id, livemode=False,
                                              status=AccountStatus.INSTALLED, installed_at=START))
        await uow.settings.save(account, {**RecoverySettings().to_json(), "success_fee_percent": fee}, START)
        await uow.commit()

    now = await run(uow_factory, account, history)

    start = START.date()
    periods = [(start, now.date()), (start + timedelta(days=min(window)), start + timedelta(days=max(window)))]
    for first, last in periods:
        view = await analytics(uow_factory, account, first, last, now)
        assert_same(view, *await recount(uow_factory, account, first, last, now, fee), fee)
