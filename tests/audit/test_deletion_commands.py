"""`python -m backend delete-data` needs --yes; DATA_RETENTION_DAYS reaches the daily job."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace

from backend.adapters.clock import ManualClock
from backend.adapters.db.engine import create_engine
from backend.adapters.db.migrations import upgrade_to_head
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.cli import main
from backend.config import load_config
from backend.domain.billing import StripeAccount
from backend.scheduler import build_scheduler
from backend.services.audit_trail import audit_page, record_merchant_action

ACCOUNT = StripeAccount("acct_1Leaving0000", False)


async def _one_action(url: str) -> None:
    engine = create_engine(url)
    await upgrade_to_head(engine)
    async with SqlUnitOfWorkFactory(engine)() as uow:
        await record_merchant_action(uow, datetime(2026, 11, 2, tzinfo=UTC), ACCOUNT, "recovery.stop",
                                     details={"object_id": "cus_1Leaver"})
        await uow.commit()
    await engine.dispose()


async def _entries(url: str):
    engine = create_engine(url)
    entries = (await audit_page(SqlUnitOfWorkFactory(engine), ACCOUNT, after_seq=0, limit=100)).entries
    await engine.dispose()
    return entries


def test_delete_data_without_yes_changes_nothing_and_with_yes_is_recorded(tmp_path, monkeypatch, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path}/recoup.db"
    monkeypatch.setenv("DATABASE_URL", url)
    asyncio.run(_one_action(url))

    refused = main(["delete-data", "--account", ACCOUNT.id])
    unchanged = asyncio.run(_entries(url))
    done = main(["delete-data", "--account", ACCOUNT.id, "--yes"])
    after = asyncio.run(_entries(url))
    verified = main(["audit", "verify", "--account", ACCOUNT.id])

    assert refused == 2 and len(unchanged) == 1 and unchanged[0].details == {"object_id": "cus_1Leaver"}
    assert done == 0 and "deleted the personal data of acct_1Leaving0000" in capsys.readouterr().out
    assert [e.fields.kind for e in after] == ["merchant_action", "data_deletion"]
    assert after[0].details == {"redacted": True} and after[1].fields.actor == "cli"
    assert verified == 0


def test_the_retention_period_is_configurable_and_reaches_the_daily_job():
    config = load_config({"DATA_RETENTION_DAYS": "7"})
    runner = SimpleNamespace(tick=lambda: None)
    scheduler = build_scheduler(runner, None, ManualClock(datetime(2026, 11, 2, tzinfo=UTC)),  # type: ignore[arg-type]
                                tick_seconds=1, data_retention_days=config.data_retention_days)

    assert load_config({}).data_retention_days == 30
    assert scheduler.get_job("daily-data-deletion").args[2] == 7
