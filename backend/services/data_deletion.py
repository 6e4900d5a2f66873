"""Leaving cleanly: delete an account's personal data on request, or some days after uninstall."""

from __future__ import annotations

from datetime import timedelta

from backend.domain.billing import StripeAccount
from backend.services.audit_records import ErasureCounts, NewAuditEntry
from backend.services.audit_trail import DATA_DELETION, record
from backend.services.ports import Clock
from backend.services.unit_of_work import UnitOfWorkFactory

REQUESTED = "requested"
AFTER_UNINSTALL = "after_uninstall"


def confirmation_phrase(account: StripeAccount) -> str:
    """What a merchant types to confirm, so a stray request cannot delete anything."""
    return f"delete {account.id}"


async def delete_account_data(uow_factory: UnitOfWorkFactory, clock: Clock, account: StripeAccount,
                              reason: str = REQUESTED) -> ErasureCounts:
    """Cancel the account's jobs, strip personal data everywhere, and record the deletion in the chain."""
    now = clock.now()
    async with uow_factory() as uow:
        counts = await uow.erasure.erase_account(account, now)
        await uow.erasure.record_deletion(account, now, reason)
        # Appending first locks the chain's head: a Stripe write reported meanwhile waits for this
        # commit, so no row can slip in between the redaction and the record of it.
        deletion = await record(uow, now, NewAuditEntry(
            account=account, kind=DATA_DELETION, operation="account.data_deletion", outcome="succeeded",
            details={"reason": reason, **counts.as_json()}))
        await uow.audit.redact_details(account, before_seq=deletion.fields.seq)
        await uow.commit()
    return counts


async def delete_data_after_uninstall(uow_factory: UnitOfWorkFactory, clock: Clock, days: int) -> int:
    """Delete the data of every account uninstalled at least `days` ago; return how many."""
    async with uow_factory() as uow:
        due = await uow.erasure.due_after_uninstall(clock.now() - timedelta(days=days))
    for account in due:
        await delete_account_data(uow_factory, clock, account, AFTER_UNINSTALL)
    return len(due)
