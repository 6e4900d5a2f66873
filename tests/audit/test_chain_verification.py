"""`python -m backend audit verify` finds a modified, deleted or reordered row, and names it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from backend.adapters.clock import ManualClock
from backend.adapters.db.engine import create_engine
from backend.adapters.db.migrations import upgrade_to_head
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.cli import main
from backend.domain.billing import StripeAccount
from backend.services.audit_trail import record_merchant_action

ACCOUNT = StripeAccount("acct_1ChainTest0000A", False)
OTHER = StripeAccount("acct_1ChainTest0000B", False)


async def _chain_of_four(url: str) -> None:
    engine = create_engine(url)
    await upgrade_to_head(engine)
    clock = ManualClock(datetime(2026, 11, 2, 8, 0, 0, 123456, tzinfo=UTC))
    uow_factory = SqlUnitOfWorkFactory(engine)
    for number in range(4):
        for account in (ACCOUNT, OTHER):
            async with uow_factory() as uow:
                await record_merchant_action(uow, clock.now(), account, "recovery.pause",
                                             invoice_id=f"in_1Invoice{number}",
                                             details={"note": f"customer cus_1Secret{number}"})
                await uow.commit()
    await engine.dispose()


async def _run_sql(url: str, *statements: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement), {"account": ACCOUNT.id})
    await engine.dispose()


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/recoup.db"
    monkeypatch.setenv("DATABASE_URL", url)
    asyncio.run(_chain_of_four(url))
    return url


def verify(capsys) -> tuple[int, str]:
    code = main(["audit", "verify", "--account", ACCOUNT.id])
    return code, capsys.readouterr().out


def test_an_untouched_chain_verifies_with_its_row_count(database, capsys):
    code, out = verify(capsys)

    assert code == 0
    assert out.startswith("OK: 4 audit rows")


@pytest.mark.parametrize(("tampering", "seq", "why"), [
    ("UPDATE audit_entry SET operation = 'recovery.resume' WHERE seq = 2 AND account_id = :account", 2, "modified"),
    ("UPDATE audit_entry SET details = '{\"note\": \"nothing\"}' WHERE seq = 3 AND account_id = :account", 3,
     "modified"),
    ("UPDATE audit_entry SET http_status = 200 WHERE seq = 1 AND account_id = :account", 1, "modified"),
    ("DELETE FROM audit_entry WHERE seq = 2 AND account_id = :account", 2, "missing (deleted)"),
    ("DELETE FROM audit_entry WHERE seq = 4 AND account_id = :account", 4, "missing (deleted from the end)"),
])
def test_a_changed_or_deleted_row_is_found_by_its_sequence_number(database, capsys, tampering, seq, why):
    asyncio.run(_run_sql(database, tampering))

    code, out = verify(capsys)

    assert code == 1
    assert out.startswith(f"BROKEN at seq {seq}:") and why in out


def test_two_rows_swapped_are_reported_as_reordered(database, capsys):
    asyncio.run(_run_sql(database,
                         "UPDATE audit_entry SET seq = 100 WHERE seq = 2 AND account_id = :account",
                         "UPDATE audit_entry SET seq = 2 WHERE seq = 3 AND account_id = :account",
                         "UPDATE audit_entry SET seq = 3 WHERE seq = 100 AND account_id = :account"))

    code, out = verify(capsys)

    assert code == 1
    assert out.startswith("BROKEN at seq 2:") and "reordered" in out


def test_tampering_with_one_account_leaves_the_other_chain_verifying(database, capsys):
    asyncio.run(_run_sql(database, "DELETE FROM audit_entry WHERE seq = 2 AND account_id = :account"))

    code = main(["audit", "verify", "--account", OTHER.id])

    assert code == 0
    assert capsys.readouterr().out.startswith("OK: 4 audit rows")
