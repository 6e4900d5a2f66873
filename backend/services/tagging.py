"""Tag the invoice with its recovery status, and stop Stripe retrying an invoice Recoup manages."""

from __future__ import annotations

from backend.domain.billing import InvoiceStatus
from backend.services.account_settings import load_settings
from backend.services.job_runner import JobDeps, JobRun
from backend.services.recovery_jobs_common import park

STATUS_KEY = "recoup_status"
RECOVERY_KEY = "recoup_recovery_id"
# Stripe keeps void invoices read-only for most fields; a tag there would only fail.
_TAGGABLE = (InvoiceStatus.OPEN, InvoiceStatus.PAID, InvoiceStatus.UNCOLLECTIBLE)


async def tag_invoice(deps: JobDeps, run: JobRun) -> None:
    async with deps.uow_factory() as uow:
        recovery = await uow.recoveries.get(run.job.recovery_id or "")
        settings = await load_settings(uow, run.job.account) if recovery else None
    if settings is not None and not settings.enabled:
        await park(deps, run)
        return
    if recovery is None or settings is None or settings.observe_only:
        async with deps.uow_factory() as uow:  # observe-only writes nothing to Stripe
            await run.finish(uow)
            await uow.commit()
        return
    status = str(run.job.payload.get("status", "in_recovery"))
    invoice = await deps.gateway.retrieve_invoice(recovery.account, recovery.invoice_id)
    wanted = {STATUS_KEY: status, RECOVERY_KEY: recovery.id}
    stripe_retrying = invoice.status is InvoiceStatus.OPEN and invoice.next_payment_attempt is not None
    stop_stripe = stripe_retrying and settings.pause_stripe_retries and invoice.auto_advance
    already_tagged = all(invoice.metadata.get(k) == v for k, v in wanted.items())
    if invoice.status in _TAGGABLE and (not already_tagged or stop_stripe):
        await deps.gateway.update_invoice(
            recovery.account, invoice.id, idempotency_key=f"recoup:{run.job.dedupe_key}",
            metadata=None if already_tagged else wanted, auto_advance=False if stop_stripe else None)
    async with deps.uow_factory() as uow:
        fresh = await uow.recoveries.get(recovery.id)
        if fresh is not None and stripe_retrying and not fresh.stripe_retrying:
            # Remembered for the warning in Settings and Home: double retries burn the card's
            # network budget even when Recoup stopped Stripe on this one invoice.
            fresh.stripe_retrying = True
            await uow.recoveries.save(fresh)
        await run.finish(uow)
        await uow.commit()
