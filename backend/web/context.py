"""What every request handler may use, built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from backend.config import Config
from backend.services.ports import Clock, StripeGateway
from backend.services.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True)
class AppContext:
    config: Config
    clock: Clock
    uow_factory: UnitOfWorkFactory
    gateway: StripeGateway
    # Signatures (webhooks and Dashboard alike) are made by Stripe at real time, even in the demo,
    # where `clock` runs fast so that simulated Stripe and Recoup agree on dunning days.
    signature_clock: Clock


def context_of(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context
