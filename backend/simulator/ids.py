"""Stripe-looking identifiers, reproducible from a seed."""

from __future__ import annotations

import random
import string

_ALPHABET = string.ascii_letters + string.digits


class IdFactory:
    """Mint ids such as `in_1Q…`: seeded, so a scenario replays with the same ids."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)

    def new(self, prefix: str, length: int = 24) -> str:
        # Stripe ids start with a version digit; "1" keeps them sortable-looking and familiar.
        body = "".join(self._rng.choice(_ALPHABET) for _ in range(length - 1))
        return f"{prefix}_1{body}"

    def account(self) -> str:
        return self.new("acct", 17)

    def request(self) -> str:
        return self.new("req", 15)

    def hex(self, length: int = 16) -> str:
        return "".join(self._rng.choice("0123456789abcdef") for _ in range(length))
