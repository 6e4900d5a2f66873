"""Ingest one Stripe event: deduplicate it and queue its effects, in one transaction."""

from __future__ import annotations

import logging

from backend.jobs.kinds import JobKind
from backend.services.event_effects import apply_fact
from backend.services.ports import Clock
from backend.services.queued_events import encode_fact
from backend.services.records import NewJob
from backend.services.unit_of_work import UnitOfWorkFactory
from backend.services.webhook_events import (
    AppInstalled,
    AppUninstalled,
    EventEnvelope,
    Fact,
    Ignored,
    InvoicePaymentFailed,
)

log = logging.getLogger(__name__)
# Outcomes of events that changed nothing: events Recoup has no use for and the echoes of its own
# writes (a retry's payment_failed, its auto_advance update). They matter only when debugging.
_CHANGED_NOTHING = ("ignored", "already ", "stale", "no automatic collection", "queued 0 ")


async def ingest_event(uow_factory: UnitOfWorkFactory, clock: Clock, envelope: EventEnvelope,
                       fact: Fact) -> str:
    """Record the event once and queue the one job that applies it; a second delivery changes nothing.

    The request does only this, so Stripe's delivery stays fast whatever the event means. An event
    with work to do is recorded as its job alone (the job's unique dedupe key `event:<id>` is the
    deduplication, one insert per delivery); every other event as a `webhook_event` row. Install
    and uninstall stay in the request: they are cheap, and every later event depends on them.
    """
    now = clock.now()
    fact = _needs_no_work(fact)
    async with uow_factory() as uow:
        match fact:
            case Ignored() | AppInstalled() | AppUninstalled():
                fresh = await uow.events.record(
                    event_id=envelope.event_id, type=envelope.type, account_id=envelope.account_id,
                    livemode=envelope.livemode, outcome="ignored" if isinstance(fact, Ignored) else "processed",
                    now=now)
                if not fresh:
                    return "duplicate"
                outcome = f"ignored: {fact.reason}" if isinstance(fact, Ignored) else await apply_fact(uow, fact, now)
            case _:
                fresh = await uow.jobs.enqueue(NewJob(kind=JobKind.APPLY_EVENT, account=fact.account, run_at=now,
                                                      dedupe_key=f"event:{envelope.event_id}",
                                                      payload=encode_fact(fact)), now)
                if not fresh:
                    return "duplicate"
                outcome = "queued"
        await uow.commit()
    level = logging.DEBUG if outcome.startswith(_CHANGED_NOTHING) else logging.INFO
    log.log(level, "event %s %s for %s: %s", envelope.event_id, envelope.type, envelope.account_id, outcome)
    return outcome


def _needs_no_work(fact: Fact) -> Fact:
    """Answer at once what the event itself says Recoup will never act on (no read: ingest stays cheap)."""
    if isinstance(fact, InvoicePaymentFailed) and fact.collection_method != "charge_automatically":
        return Ignored("the customer pays this invoice by hand")
    return fact
