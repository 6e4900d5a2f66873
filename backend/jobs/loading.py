"""The one place that loads the recovery a job works on, and says whether the job may act now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backend.domain.recovery import Attempt, Recovery
from backend.domain.recovery_state import RecoveryStatus
from backend.domain.settings import RecoverySettings
from backend.jobs.outcomes import Done, Outcome, Parked
from backend.jobs.runner import JobDeps, JobRun
from backend.services.account_settings import load_settings
from backend.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Loaded:
    recovery: Recovery
    settings: RecoverySettings
    attempts: list[Attempt]

    @property
    def status(self) -> RecoveryStatus:
        return self.recovery.state


async def load(uow: UnitOfWork, recovery_id: str | None) -> Loaded | None:
    if recovery_id is None:
        return None
    recovery = await uow.recoveries.get(recovery_id)
    if recovery is None:
        return None
    return Loaded(recovery, await load_settings(uow, recovery.account), await uow.attempts.for_recovery(recovery.id))


async def load_for_job(deps: JobDeps, run: JobRun, *, resume_end_actions: bool = False,
                       keep_ended: Callable[[Recovery], bool] | None = None) -> Loaded | Outcome:
    """Load the job's recovery, or return what the job amounts to when it must not act now.

    Recovery switched off parks the job (switching on brings it back); an ended or paused recovery
    finishes it (resuming re-plans). `resume_end_actions` lets end of dunning finish what it started;
    `keep_ended` hands back an ended recovery the job still has business with.
    """
    async with deps.uow_factory() as uow:
        loaded = await load(uow, run.job.recovery_id)
    if loaded is None:
        return await finish(deps, run)
    recovery = loaded.recovery
    if not recovery.is_open and keep_ended is not None and keep_ended(recovery):
        return loaded
    ended = not recovery.is_open and not (resume_end_actions and recovery.end_actions_pending)
    if ended or loaded.status is RecoveryStatus.PAUSED:
        return await finish(deps, run)
    if not loaded.settings.enabled:
        return Parked()
    return loaded


async def finish(deps: JobDeps, run: JobRun) -> Done:
    async with deps.uow_factory() as uow:
        await run.finish(uow)
        await uow.commit()
    return Done()
