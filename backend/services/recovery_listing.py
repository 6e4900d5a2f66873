"""The Dashboard's lists of recoveries: all of an account's, or one customer's or subscription's."""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.billing import StripeAccount
from backend.services.account_settings import require_installed
from backend.services.records import RecoveryRecord
from backend.services.unit_of_work import UnitOfWorkFactory

PAGE_SIZE = 20


@dataclass(frozen=True)
class RecoveryFilter:
    status: str | None = None
    customer_id: str | None = None
    subscription_id: str | None = None


@dataclass(frozen=True)
class RecoveryPage:
    recoveries: list[RecoveryRecord]
    page: int
    has_more: bool


async def list_recoveries(uow_factory: UnitOfWorkFactory, account: StripeAccount, wanted: RecoveryFilter,
                          page: int) -> RecoveryPage:
    """Return one page (1-based) of the account's recoveries, newest first."""
    async with uow_factory() as uow:
        await require_installed(uow, account)
        # One row more than a page tells whether another page follows, without counting them all.
        found = await uow.recoveries.search(
            account, status=wanted.status, customer_id=wanted.customer_id,
            subscription_id=wanted.subscription_id, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return RecoveryPage(found[:PAGE_SIZE], page, len(found) > PAGE_SIZE)
