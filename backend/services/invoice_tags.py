"""Tag the invoice with its recovery status; pause Stripe's own retries while Recoup manages it, and give them back."""

from __future__ import annotations

from backend.domain.billing import InvoiceStatus
from backend.jobs.loading import finish
from backend.jobs.outcomes import Done, Outcome, Parked
from backend.jobs.runner import JobDeps, JobRun
from backend.services.account_settings import load_settings

STATUS_KEY = "recoup_status"
RECOVERY_KEY = "recoup_recovery_id"
# Stripe keeps void invoices read-only for most fields; a tag there would only fail.
_TAGGABLE = (InvoiceStatus.OPEN, InvoiceStatus.PAID, InvoiceStatus.UNCOLLECTIBLE)


async def tag_invoice(deps: JobDeps, run: JobRun) -> Outcome:
    async with deps.uow_factory() as uow:
        recovery = await uow.recoveries.get(run.job.recovery_id or "")
        settings = await load_settings(uow, run.job.account) if recovery else None
    if settings is not None and not settings.enabled:
        return Parked()
    if recovery is None or settings is None or settings.observe_only:
        return await finish(deps, run)  # observe-only writes nothing to Stripe
    status = str(run.job.payload.get("status", "in_recovery"))
    invoice = await deps.gateway.retrieve_invoice(recovery.account, recovery.invoice_id)
    wanted = {STATUS_KEY: status, RECOVERY_KEY: recovery.id}
    stripe_retrying = invoice.status is InvoiceStatus.OPEN and invoice.next_payment_attempt is not None \
        and invoice.auto_advance
    stop_stripe = stripe_retrying and settings.pause_stripe_retries and recovery.is_open
    already_tagged = all(invoice.metadata.get(k) == v for k, v in wanted.items())
    if invoice.status in _TAGGABLE and (not already_tagged or stop_stripe):
        await deps.gateway.update_invoice(
            recovery.account, invoice.id, idempotency_key=f"recoup:{run.job.dedupe_key}",
            metadata=None if already_tagged else wanted, auto_advance=False if stop_stripe else None)
    async with deps.uow_factory() as uow:
        fresh = await uow.recoveries.get(recovery.id)
        if fresh is not None and fresh.is_open:
            # The warning in Settings and Home says what is true now: Stripe is retrying only if
            # Recoup did not (or may not) switch its automatic collection off.
            fresh.stripe_collection(retrying=stripe_retrying and not stop_stripe,
                                    auto_advance_found=True if stop_stripe else None)
            await uow.recoveries.save(fresh)
        await run.finish(uow)
        await uow.commit()
    return Done()


async def restore_collection(deps: JobDeps, run: JobRun) -> Outcome:
    """Recoup let go of an invoice it had paused: switch Stripe's automatic collection back on."""
    async with deps.uow_factory() as uow:
        recovery = await uow.recoveries.get(run.job.recovery_id or "")
    if recovery is None or not recovery.collection_to_restore():
        return await finish(deps, run)
    invoice = await deps.gateway.retrieve_invoice(recovery.account, recovery.invoice_id)
    if invoice.status is InvoiceStatus.OPEN and not invoice.auto_advance:
        await deps.gateway.update_invoice(recovery.account, invoice.id,
                                          idempotency_key=f"recoup:{run.job.dedupe_key}", auto_advance=True)
    async with deps.uow_factory() as uow:
        fresh = await uow.recoveries.get(recovery.id)
        if fresh is not None:
            fresh.collection_restored()
            await uow.recoveries.save(fresh)
        await run.finish(uow)
        await uow.commit()
    return Done()
