"""A verified Stripe event travels to its job as plain JSON; the job applies it in its own transaction."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from typing import Any

from backend.domain.billing import CardDecline, StripeAccount
from backend.jobs.outcomes import Done, Outcome
from backend.jobs.runner import JobDeps, JobRun
from backend.services import webhook_events as events
from backend.services.event_effects import apply_fact
from backend.services.webhook_events import Fact

log = logging.getLogger(__name__)

# Every fact a job may carry, by name: a new kind of event is one entry here.
QUEUED_FACTS: dict[str, type[Any]] = {cls.__name__: cls for cls in (
    events.InvoicePaymentFailed, events.InvoicePaid, events.InvoiceClosed, events.InvoiceUpdated,
    events.SubscriptionDeleted, events.DefaultPaymentMethodChanged, events.CardUpdateCompleted,
    events.CardAutomaticallyUpdated, events.PaymentActionRequired, events.ChargeDisputed, events.ChargeRefunded)}


def encode_fact(fact: Fact) -> dict[str, Any]:
    """Return the fact as JSON values (times as ISO strings), tagged with its kind."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(fact):
        value = getattr(fact, field.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, StripeAccount):
            value = {"id": value.id, "livemode": value.livemode}
        elif isinstance(value, CardDecline):
            value = dataclasses.asdict(value)
        values[field.name] = value
    return {"fact": type(fact).__name__, "values": values}


def decode_fact(payload: dict[str, Any]) -> Fact:
    """Rebuild the fact `encode_fact` stored; raise KeyError for a kind this version does not know."""
    kind = QUEUED_FACTS[str(payload["fact"])]
    values: dict[str, Any] = {}
    for field in dataclasses.fields(kind):
        if field.name not in payload["values"]:
            continue  # a field added since the job was queued keeps its default
        raw = payload["values"][field.name]
        if field.name == "account":
            raw = StripeAccount(raw["id"], raw["livemode"])
        elif field.name == "decline" and raw is not None:
            raw = CardDecline(**raw)
        elif isinstance(raw, str) and field.name in ("at", "next_payment_attempt"):
            raw = datetime.fromisoformat(raw)
        values[field.name] = raw
    fact: Fact = kind(**values)
    return fact


async def apply_event(deps: JobDeps, run: JobRun) -> Outcome:
    """Apply a queued event (open a recovery, close one, queue a retry...) and finish, in one transaction."""
    fact = decode_fact(run.job.payload)
    async with deps.uow_factory() as uow:
        outcome = await apply_fact(uow, fact, deps.clock.now())
        await run.finish(uow)
        await uow.commit()
    log.info("job %s applied %s: %s", run.job.dedupe_key, type(fact).__name__, outcome)
    return Done()
