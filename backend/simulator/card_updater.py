"""The card networks' account updater: a card refreshed in place (new expiry), as Stripe reports it."""

from __future__ import annotations

from backend.domain.billing import StripeAccount
from backend.simulator.behaviours import CardBehaviour
from backend.simulator.json_copy import json_copy
from backend.simulator.simulator import Simulator


def refresh_card_in_place(sim: Simulator, account: StripeAccount, payment_method: str,
                          behaviour: CardBehaviour, *, exp_year: int | None = None) -> None:
    """Give the card a new expiry and behaviour; emit `payment_method.automatically_updated`."""
    state, now = sim.state(account), sim.clock.now()
    pm = state.get(payment_method, "payment_method")
    previous_card = json_copy(pm["card"])
    pm["card"]["exp_year"] = exp_year or now.year + 4
    state.card(payment_method).behaviour = behaviour
    sim.events.emit(state, "payment_method.automatically_updated", pm, now, previous={"card": previous_card})
