"""Helpers for statements built once with bound parameters, for reads that run on every page view.

A statement built once keeps its cache key, so SQLAlchemy reuses its compiled form instead of
rebuilding the statement and hashing it again on each call; selecting table columns rather than
ORM entities runs it as a Core statement that builds no ORM objects for the rows.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam

from backend.domain.billing import StripeAccount


def of_account(table: Table) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The account filter of a prebuilt statement; bind it with `account_params`."""
    return table.c.account_id == bindparam("account_id"), table.c.livemode == bindparam("livemode")


def account_params(account: StripeAccount) -> dict[str, Any]:
    return {"account_id": account.id, "livemode": account.livemode}


def columns_of(table: Table, record_type: type) -> list[Any]:
    """The table's columns a record is made of, in the record's field order."""
    return [table.c[f.name] for f in fields(record_type)]
