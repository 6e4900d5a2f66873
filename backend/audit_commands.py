"""The operator's audit and data-deletion commands (`python -m backend audit verify | delete-data`)."""

from __future__ import annotations

import sys

from backend.adapters.clock import SystemClock
from backend.adapters.db.engine import create_engine
from backend.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from backend.adapters.stripe.ids import is_account_id
from backend.domain.billing import StripeAccount
from backend.services.audit_records import Cause, acting_for
from backend.services.audit_trail import verify_chain
from backend.services.data_deletion import delete_account_data


def _account(account_id: str, livemode: bool) -> StripeAccount | None:
    if not is_account_id(account_id):
        print(f"recoup: {account_id!r} is not a Stripe account id (acct_…)", file=sys.stderr)
        return None
    return StripeAccount(account_id, livemode)


async def verify_audit(database_url: str, account_id: str, livemode: bool) -> int:
    """Print OK and the row count, or the first broken row and why; 0 only when the chain holds."""
    account = _account(account_id, livemode)
    if account is None:
        return 2
    engine = create_engine(database_url)
    try:
        check = await verify_chain(SqlUnitOfWorkFactory(engine), account)
    finally:
        await engine.dispose()
    mode = "live" if livemode else "test"
    if check.ok:
        print(f"OK: {check.rows} audit rows of {account.id} ({mode} mode) verify")
        return 0
    print(f"BROKEN at seq {check.broken_seq}: {check.why} ({account.id}, {mode} mode)")
    return 1


async def delete_data(database_url: str, account_id: str, livemode: bool, *, confirmed: bool) -> int:
    """Delete the account's personal data when `--yes` confirms it."""
    account = _account(account_id, livemode)
    if account is None:
        return 2
    if not confirmed:
        print("recoup: deleting data cannot be undone; add --yes to confirm", file=sys.stderr)
        return 2
    engine = create_engine(database_url)
    try:
        with acting_for(Cause("cli")):
            counts = await delete_account_data(SqlUnitOfWorkFactory(engine), SystemClock(), account)
    finally:
        await engine.dispose()
    summary = ", ".join(f"{name} {count}" for name, count in counts.as_json().items())
    print(f"deleted the personal data of {account.id}: {summary}")
    return 0
