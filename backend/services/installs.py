"""Install and uninstall: the account's lifecycle, robust to re-ordered deliveries."""

from __future__ import annotations

from datetime import datetime

from backend.domain.recovery_state import RecoveryEvent
from backend.domain.settings import RecoverySettings
from backend.services.lifecycle import end_recovery
from backend.services.records import AccountRecord, AccountStatus
from backend.services.unit_of_work import UnitOfWork
from backend.services.webhook_events import AppInstalled, AppUninstalled


def _last_change(record: AccountRecord) -> datetime:
    return max(record.installed_at, record.uninstalled_at or record.installed_at)


async def app_installed(uow: UnitOfWork, fact: AppInstalled) -> str:
    """Create the account with default settings (recovery off), or re-install it clean."""
    record = await uow.accounts.get(fact.account)
    if record is not None and fact.at < _last_change(record):
        return "stale"  # an older install event delivered after a newer uninstall
    if record is not None and record.status is AccountStatus.INSTALLED:
        return "already installed"
    # A re-install starts from the defaults; recoveries and attempts of before stay as history.
    await uow.accounts.save(AccountRecord(account_id=fact.account.id, livemode=fact.account.livemode,
                                          status=AccountStatus.INSTALLED, installed_at=fact.at,
                                          uninstalled_at=record.uninstalled_at if record else None))
    await uow.settings.save(fact.account, RecoverySettings().to_json(), fact.at)
    return "installed"


async def app_uninstalled(uow: UnitOfWork, fact: AppUninstalled, now: datetime) -> str:
    """Stop everything for the account: cancel its jobs, close its recoveries, mark it uninstalled."""
    record = await uow.accounts.get(fact.account)
    if record is not None and record.status is AccountStatus.UNINSTALLED \
            and fact.at <= _last_change(record):
        return "already uninstalled"
    if record is not None and fact.at < record.installed_at:
        return "stale"  # an older uninstall delivered after a newer re-install
    await uow.jobs.cancel_for_account(fact.account, now)
    for recovery in await uow.recoveries.open_for_account(fact.account):
        # Stripe refuses every call once the app is uninstalled, so nothing can be written back.
        await end_recovery(uow, recovery, RecoveryEvent.CLOSED_ELSEWHERE, outcome="app_uninstalled", now=now,
                           tag=False, restore_collection=False)
    await uow.accounts.save(AccountRecord(
        account_id=fact.account.id, livemode=fact.account.livemode, status=AccountStatus.UNINSTALLED,
        installed_at=record.installed_at if record else fact.at, uninstalled_at=fact.at))
    return "uninstalled"
