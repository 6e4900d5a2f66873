"""Observe-only: a retry that happens on paper, so the merchant sees what Recoup would do."""

from __future__ import annotations

from backend.domain.billing import InvoiceStatus
from backend.domain.recovery import Attempt, card_history, latest_card
from backend.jobs.loading import Loaded, load
from backend.jobs.outcomes import Done, Outcome
from backend.jobs.runner import JobDeps, JobRun
from backend.services.planning import plan_and_queue
from backend.services.settled_invoices import close_for_settled_invoice


async def observe_attempt(deps: JobDeps, run: JobRun, loaded: Loaded) -> Outcome:
    """Record the retry that would have been made and plan the next as if it declined again."""
    recovery = loaded.recovery
    invoice = await deps.gateway.retrieve_invoice(recovery.account, recovery.invoice_id)  # reads are fine
    if invoice.status is not InvoiceStatus.OPEN:
        return await close_for_settled_invoice(deps, run, invoice)
    now = deps.clock.now()
    async with deps.uow_factory() as uow:
        fresh = await load(uow, recovery.id)
        assert fresh is not None
        last_pm, brand = latest_card(fresh.attempts)
        # Paper attempts have their own budget: going live later starts with the full live one.
        number = fresh.recovery.paper_attempt(fresh.attempts)
        await uow.attempts.add(Attempt(
            recovery_id=recovery.id, number=number, attempted_at=now, outcome="observed",
            idempotency_key=f"observe:{recovery.id}:{number}",
            trigger=str(run.job.payload.get("trigger", "schedule")), payment_method_id=last_pm,
            card_brand=brand, decline_code=fresh.recovery.latest_decline_code))
        # Observed attempts are not charges, so they do not count against the card network budget.
        await plan_and_queue(uow, fresh.recovery, fresh.settings,
                             card=card_history(fresh.attempts, last_pm, brand), now=now)
        await uow.recoveries.save(fresh.recovery)
        await run.finish(uow)
        await uow.commit()
    return Done()
