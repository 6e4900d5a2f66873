"""Populations of accounts, customers and failed invoices, drawn reproducibly from a failure mix."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from backend.simulator.behaviours import DEFAULT_FAILURE_MIX, FailureMix, Succeeds

if TYPE_CHECKING:
    from backend.simulator.simulator import Simulator

_COUNTRIES = ("US", "US", "US", "GB", "DE", "FR", "CA", "AU", "NL", "ES")
_BRANDS = ("visa", "visa", "visa", "mastercard", "mastercard", "amex")


def build_scenario(sim: Simulator, *, customers: int = 10, accounts: int = 1, seed: int = 0,
                   smart_retries: bool = True, failure_mix: Mapping[str, float] | None = None,
                   failing_share: float = 1.0, livemode: bool = False, amount: int = 2500,
                   currency: str = "usd") -> dict[str, Any]:
    """Install `accounts` accounts, each with `customers` subscribers; fail the share asked for.

    A failing customer's card is drawn from the mix and their renewal is attempted now, so
    each leaves one open, failed invoice and the events a real account would have sent.
    """
    if not 0.0 <= failing_share <= 1.0:
        raise ValueError("failing_share must be between 0 and 1")
    mix = FailureMix(dict(failure_mix or DEFAULT_FAILURE_MIX), seed=seed)
    rng = random.Random(seed)
    result: dict[str, Any] = {"accounts": [], "livemode": livemode, "customers": [],
                              "invoices": [], "behaviours": Counter()}
    for _ in range(accounts):
        account = sim.install_account(livemode=livemode, smart_retries=smart_retries)
        result["accounts"].append(account.id)
        for n in range(customers):
            failing = rng.random() < failing_share
            name, behaviour = mix.draw() if failing else ("succeeds", Succeeds())
            customer = sim.create_customer(account, email=f"customer{n}@example.test",
                                           name=f"Customer {n}", country=rng.choice(_COUNTRIES))
            brand = rng.choice(_BRANDS)
            card = sim.attach_card(account, customer, Succeeds(), brand=brand)
            amount_due = amount + 100 * rng.randint(0, 20)
            sub = sim.create_subscription(account, customer, amount=amount_due, currency=currency)
            sim.set_card_behaviour(account, card, behaviour)
            invoice = sim.create_failed_invoice(account, sub) if failing else None
            result["behaviours"][name] += 1
            if invoice:
                result["invoices"].append(invoice)
            result["customers"].append({"account": account.id, "customer": customer,
                                        "subscription": sub, "payment_method": card,
                                        "behaviour": name, "invoice": invoice})
    result["behaviours"] = dict(result["behaviours"])
    return result
