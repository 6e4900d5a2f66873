"""The hash chain: any change to a row's fields or details is found, redaction is not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from backend.domain.audit_chain import (
    GENESIS,
    REDACTED,
    ChainFields,
    ChainRow,
    details_digest,
    row_hash,
    verify,
)

START = datetime(2026, 11, 2, 8, tzinfo=UTC)


def chain(length: int) -> list[ChainRow]:
    rows, prev = [], GENESIS
    for seq in range(1, length + 1):
        details = {"object_id": f"cus_1Person{seq}", "idempotency_key": f"recoup:rec_1:default:pm_1Card{seq}"}
        fields = ChainFields(seq=seq, account_id="acct_1A", livemode=False, occurred_at=START + timedelta(minutes=seq),
                             kind="stripe_write", operation="customers.update", actor=f"job:pay_invoice:{seq}",
                             invoice_id="in_1A", recovery_id="rec_1", request_id=f"req_{seq}", http_status=200,
                             outcome="succeeded", details_digest=details_digest(details))
        row = ChainRow(fields, prev, row_hash(prev, fields), details)
        rows.append(row)
        prev = row.row_hash
    return rows


CHANGES = {
    "operation": "invoices.void", "actor": "dashboard:usr_1Mallory", "invoice_id": "in_1B", "request_id": "req_x",
    "http_status": 402, "outcome": "refused", "occurred_at": START - timedelta(days=1), "livemode": True,
    "account_id": "acct_1B", "kind": "merchant_action",
}


def test_an_untouched_chain_verifies() -> None:
    assert verify(chain(5), head_seq=5, head_hash=chain(5)[-1].row_hash).ok


@given(seq=st.integers(1, 5), field=st.sampled_from(sorted(CHANGES)))
def test_changing_any_field_of_any_row_breaks_the_chain_at_that_row(seq: int, field: str) -> None:
    rows = chain(5)
    target = rows[seq - 1]
    rows[seq - 1] = replace(target, fields=replace(target.fields, **{field: CHANGES[field]}))

    check = verify(rows)

    assert (check.broken_seq, "modified" in (check.why or "")) == (seq, True)


@given(seq=st.integers(1, 5))
def test_changing_the_details_breaks_the_chain_but_redacting_them_does_not(seq: int) -> None:
    changed, redacted = chain(5), chain(5)
    changed[seq - 1] = replace(changed[seq - 1], details={"object_id": "cus_1Other"})
    redacted[seq - 1] = replace(redacted[seq - 1], details=dict(REDACTED))

    assert verify(changed).broken_seq == seq
    assert verify(redacted).ok


def test_a_missing_row_and_a_swapped_pair_are_named() -> None:
    rows = chain(5)

    missing = verify([*rows[:2], *rows[3:]])
    missing_last = verify(rows[:4], head_seq=5)
    swapped = verify([rows[0], replace(rows[2], fields=replace(rows[2].fields, seq=2)),
                      replace(rows[1], fields=replace(rows[1].fields, seq=3)), *rows[3:]])

    assert (missing.broken_seq, missing.why) == (3, "row 3 is missing (deleted)")
    assert missing_last.broken_seq == 5 and "deleted from the end" in (missing_last.why or "")
    assert swapped.broken_seq == 2 and "reordered" in (swapped.why or "")


def test_the_canonical_form_does_not_depend_on_key_order_or_time_zone() -> None:
    fields = chain(1)[0].fields
    shifted = replace(fields, occurred_at=fields.occurred_at.astimezone(tz=None))

    assert details_digest({"a": 1, "b": 2}) == details_digest({"b": 2, "a": 1})
    assert row_hash(GENESIS, fields) == row_hash(GENESIS, shifted)
