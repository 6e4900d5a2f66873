"""Reading and saving an account's recovery settings from the Dashboard."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.domain.billing import StripeAccount
from backend.domain.recovery_state import RecoveryStatus
from backend.domain.settings import RecoverySettings, apply_changes, from_json
from backend.services.audit_trail import record_merchant_action
from backend.services.errors import AccountNotInstalled
from backend.services.planning import queue_replan
from backend.services.ports import Clock
from backend.services.records import AccountStatus
from backend.services.unit_of_work import UnitOfWork, UnitOfWorkFactory

# Kept beside the merchant's settings, never one of them: when recovery was last switched on, so a
# failure that happened while it was off is not picked up by a job that runs after switching on.
ENABLED_SINCE = "enabled_since"


async def require_installed(uow: UnitOfWork, account: StripeAccount) -> None:
    record = await uow.accounts.get(account)
    if record is None or record.status is not AccountStatus.INSTALLED:
        raise AccountNotInstalled(account.id)


async def load_settings(uow: UnitOfWork, account: StripeAccount) -> RecoverySettings:
    """Return the account's settings (defaults when none were saved)."""
    stored = await uow.settings.get(account)
    return from_json(stored) if stored is not None else RecoverySettings()


async def read_settings(uow_factory: UnitOfWorkFactory, account: StripeAccount) -> RecoverySettings:
    async with uow_factory() as uow:
        await require_installed(uow, account)
        return await load_settings(uow, account)


async def save_settings(uow_factory: UnitOfWorkFactory, clock: Clock, account: StripeAccount,
                        changes: dict[str, Any]) -> RecoverySettings:
    """Validate and store `changes`, and carry out what switching modes means for open recoveries.

    Raises InvalidSetting (nothing is saved) or AccountNotInstalled.
    """
    now = clock.now()
    async with uow_factory() as uow:
        await require_installed(uow, account)
        stored = await uow.settings.get(account) or {}
        before = from_json(stored) if stored else RecoverySettings()
        after = apply_changes(before, changes)
        await uow.settings.save(account, _with_enabled_since(after, stored, before, now), now)
        if before.enabled and not after.enabled:
            # Off means off at once: nothing queued runs until recovery is switched back on.
            await uow.jobs.pause_for_account(account)
        if after.observe_only != before.observe_only:
            await _switch_observe_only(uow, account, after, now=now)
        if after.enabled and not before.enabled:
            await _replan_all(uow, account, now, why="recovery switched back on")
            await uow.jobs.resume_for_account(account, now)
        elif after.enabled and _plan_changed(before, after):
            # Every open recovery follows the new rules at once, including its end of dunning.
            await _replan_all(uow, account, now, why="settings changed", settings=after)
        await record_merchant_action(uow, now, account, "settings.save",
                                     details={"changed": sorted(str(name) for name in changes)})
        await uow.commit()
    return after


def _with_enabled_since(after: RecoverySettings, stored: dict[str, Any], before: RecoverySettings,
                        now: datetime) -> dict[str, Any]:
    values = after.to_json()
    since = stored.get(ENABLED_SINCE) if before.enabled else now.isoformat()
    if after.enabled and since:
        values[ENABLED_SINCE] = since
    return values


async def enabled_since(uow: UnitOfWork, account: StripeAccount) -> datetime | None:
    """When recovery was last switched on; None when it is off or was on before this was recorded."""
    stored = await uow.settings.get(account) or {}
    since = stored.get(ENABLED_SINCE)
    return datetime.fromisoformat(since) if isinstance(since, str) else None


def _plan_changed(before: RecoverySettings, after: RecoverySettings) -> bool:
    return (before.dunning_days, before.max_retries) != (after.dunning_days, after.max_retries)


async def _replan_all(uow: UnitOfWork, account: StripeAccount, now: datetime, *, why: str,
                      settings: RecoverySettings | None = None) -> None:
    for recovery in await uow.recoveries.open_for_account(account):
        if settings is not None:
            recovery.dunning_length_changed(settings)
        if recovery.state is not RecoveryStatus.PAUSED:
            await queue_replan(uow, recovery, now, why=why)
        await uow.recoveries.save(recovery)


async def _switch_observe_only(uow: UnitOfWork, account: StripeAccount, settings: RecoverySettings, *,
                               now: datetime) -> None:
    for recovery in await uow.recoveries.open_for_account(account):
        going_live = recovery.observe_only_switched(observe=settings.observe_only, now=now, settings=settings)
        if going_live and settings.enabled:
            # Plan real retries from now rather than replaying the paper schedule.
            await queue_replan(uow, recovery, now, why="observe-only switched off")
        await uow.recoveries.save(recovery)
