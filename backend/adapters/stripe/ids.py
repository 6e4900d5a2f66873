"""What a Stripe id looks like: a known prefix, an underscore, then letters, digits and underscores."""

from __future__ import annotations

import re

# Stripe documents ids as at most 255 characters; account ids are far shorter (and stored in 64).
MAX_ID_LENGTH = 255
MAX_ACCOUNT_ID_LENGTH = 64
# Underscores occur inside some ids (`cs_test_a1…`); whitespace, NUL and punctuation never do.
_BODY = re.compile(r"[A-Za-z0-9_]+")


def is_stripe_id(value: object, *prefixes: str, max_length: int = MAX_ID_LENGTH) -> bool:
    """Tell whether `value` is a whole Stripe id with one of `prefixes` (no trailing newline, no NUL)."""
    if not isinstance(value, str) or len(value) > max_length:
        return False
    return any(value.startswith(f"{prefix}_") and _BODY.fullmatch(value[len(prefix) + 1:]) is not None
               for prefix in prefixes)


def is_account_id(value: object) -> bool:
    return is_stripe_id(value, "acct", max_length=MAX_ACCOUNT_ID_LENGTH)
