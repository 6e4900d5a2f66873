"""Hypothesis strategies for what an attacker or a careless client sends to the three doors."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

from tests.conftest import START
from tests.hostile.support import failed_invoice

# Text that has hurt parsers and databases before: NUL, line breaks, direction overrides,
# lone surrogates are impossible in JSON text, so the rest of Unicode stands in for them.
NASTY_CHARACTERS = ["\u0000", "\n", "\r", "\t", "\u202e", "\u2066", "\ufeff", "\u00e9", "'", '"', "\\", "<", "%"]
nasty_text = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(NASTY_CHARACTERS) | st.text(max_size=5), max_size=12).map("".join),
    st.integers(min_value=256, max_value=3000).map(lambda n: "x" * n),
)
huge_numbers = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([2**31, 2**63, -1, -(2**63) - 1, 10**300]),
    st.floats(allow_nan=False, allow_infinity=False),
)
scalars = st.one_of(st.none(), st.booleans(), huge_numbers, nasty_text)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)

# Fields of a payment-failed event an attacker would aim at; None means "drop the field".
EVENT_PATHS = [
    ("id",), ("type",), ("account",), ("livemode",), ("created",), ("data",), ("data", "object"),
    ("data", "previous_attributes"), ("data", "object", "id"), ("data", "object", "customer"),
    ("data", "object", "amount_due"), ("data", "object", "amount_remaining"), ("data", "object", "currency"),
    ("data", "object", "billing_reason"), ("data", "object", "collection_method"),
    ("data", "object", "attempt_count"), ("data", "object", "next_payment_attempt"),
    ("data", "object", "status"), ("data", "object", "parent"),
    ("data", "object", "parent", "subscription_details"),
    ("data", "object", "parent", "subscription_details", "subscription"),
]
EVENT_TYPES = ["invoice.payment_failed", "invoice.paid", "invoice.voided", "invoice.marked_uncollectible",
               "invoice.updated", "customer.subscription.deleted", "customer.subscription.updated",
               "customer.updated", "checkout.session.completed", "account.application.authorized",
               "account.application.deauthorized", "charge.failed"]


def _set(document: dict[str, Any], path: tuple[str, ...], value: Any, drop: bool) -> None:
    target: Any = document
    for key in path[:-1]:
        if not isinstance(target, dict) or not isinstance(target.get(key), dict):
            return
        target = target[key]
    if drop:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value


@st.composite
def hostile_events(draw: st.DrawFn, base: dict[str, Any]) -> str:
    """A real event of some type with one to three of its fields replaced by something hostile."""
    event = copy.deepcopy(base)
    event["type"] = draw(st.sampled_from(EVENT_TYPES))
    event["id"] = f"evt_{draw(st.integers(min_value=0, max_value=10**12))}"
    for path in draw(st.lists(st.sampled_from(EVENT_PATHS), min_size=1, max_size=3, unique=True)):
        _set(event, path, draw(json_values), drop=draw(st.booleans()))
    text = json.dumps(event)
    # Some attacks only exist as text: NaN, Infinity, numbers Python would refuse to print.
    spice = draw(st.sampled_from([None, "NaN", "-Infinity", "1e400", "1" + "0" * 5000, "[" * 300 + "]" * 300]))
    if spice and '"amount_due": 2500' in text:
        text = text.replace('"amount_due": 2500', f'"amount_due": {spice}', 1)
    return text


def base_event(account: str) -> dict[str, Any]:
    return {"id": "evt_base", "object": "event", "api_version": "2026-10-28.endive", "created": int(START.timestamp()),
            "livemode": False, "account": account, "type": "invoice.payment_failed",
            "data": {"object": failed_invoice()}, "pending_webhooks": 1}


# Mostly the real identity, so most requests get past the signature to the body's other fields.
user_ids = st.one_of(st.just("usr_1Hostile"), st.just("usr_1Hostile"), st.just("usr_1Hostile"),
                     st.sampled_from(["acct_1Hostile", "usr_1Hostile\n", "usr_", ""]), json_values)
account_ids = st.one_of(st.just("acct_1Hostile"), st.just("acct_1Hostile"), st.just("acct_1Hostile"),
                        st.sampled_from(["acct_1Bystander", "acct_1Hostile\n", "acct_1Hostile\u0000"]),
                        json_values)
dashboard_extras = st.dictionaries(
    st.sampled_from(["mode", "settings", "action", "livemode", "account", "user_id", "extra"]),
    st.one_of(json_values, st.sampled_from(["test", "live", "pause", "resume", "retry_now", "stop", "enrol"]),
              st.dictionaries(st.sampled_from(["enabled", "max_retries", "brand_name", "reply_to", "brand_color",
                                               "dunning_days", "subscription_action", "nope"]),
                              json_values, max_size=4)),
    max_size=4)
query_strings = st.dictionaries(st.text(max_size=12), nasty_text, max_size=5)
invoice_segments = st.one_of(st.sampled_from(["in_1Hostile", "in_1Hostile%0A", "in_%00", "in_", "in_1%20x",
                                              "in_" + "a" * 300, "ch_1Hostile", "%2e%2e"]),
                             st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789%", min_size=1, max_size=30))
