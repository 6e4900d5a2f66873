"""SQL storage of takeovers and their progress."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from backend.adapters.db.repositories import to_record
from backend.adapters.db.tables import TakeoverRow
from backend.domain.billing import StripeAccount
from backend.services.takeover_records import TakeoverRecord, TakeoverStatus
from backend.services.unit_of_work import StaleRecord


def _running_key(record: TakeoverRecord) -> str | None:
    if record.status != TakeoverStatus.RUNNING:
        return None
    return f"{record.account_id}:{'live' if record.livemode else 'test'}"


class SqlTakeovers:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: TakeoverRecord) -> None:
        values = {f.name: getattr(record, f.name) for f in fields(record)}
        self._session.add(TakeoverRow(**values, running_key=_running_key(record)))
        # Flushed now so that a second running takeover of the account fails here, inside the
        # caller's transaction (the unit of work turns the unique violation into StaleRecord).
        await self._session.flush()

    async def get(self, takeover_id: str) -> TakeoverRecord | None:
        row = await self._session.get(TakeoverRow, takeover_id)
        return _record(row) if row else None

    async def latest(self, account: StripeAccount) -> TakeoverRecord | None:
        rows = (await self._session.execute(
            select(TakeoverRow).where(TakeoverRow.account_id == account.id,
                                      TakeoverRow.livemode == account.livemode)
            .order_by(col(TakeoverRow.running_key).is_(None), col(TakeoverRow.started_at).desc(),
                      col(TakeoverRow.id).desc()).limit(1))).scalars().all()
        return _record(rows[0]) if rows else None

    async def save(self, record: TakeoverRecord) -> None:
        values = {f.name: getattr(record, f.name) for f in fields(record) if f.name not in ("id", "version")}
        result = await self._session.execute(
            update(TakeoverRow)
            .where(col(TakeoverRow.id) == record.id, col(TakeoverRow.version) == record.version)
            .values(**values, running_key=_running_key(record), version=record.version + 1)
            .execution_options(synchronize_session=False))
        if not result.rowcount:  # type: ignore[attr-defined]
            raise StaleRecord(f"takeover {record.id} was changed by another worker")
        record.version += 1


def _record(row: TakeoverRow) -> TakeoverRecord:
    record = to_record(TakeoverRecord, row)
    record.skipped = dict(row.skipped or {})
    return record
