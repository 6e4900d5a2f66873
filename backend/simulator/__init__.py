"""A faithful, stateful Stripe simulator for tests, benchmarks and the no-keys demo.

A test double: production code never imports this package.
"""

from backend.simulator.behaviours import (
    DEFAULT_FAILURE_MIX,
    CardBehaviour,
    Decline,
    Declines,
    ExpiredCard,
    FailureMix,
    InsufficientFundsUntil,
    InsufficientFundsUntilPayday,
    LostCard,
    ProcessingError,
    RequiresAuthentication,
    StolenCard,
    Succeeds,
    SucceedsOnAttempt,
    behaviour_from_spec,
)
from backend.simulator.scenarios import build_scenario
from backend.simulator.simulator import Simulator
from backend.simulator.transport import BASE_URL, SimulatorTransport, stripe_client, stripe_http_client

__all__ = [
    "BASE_URL", "DEFAULT_FAILURE_MIX", "CardBehaviour", "Decline", "Declines", "ExpiredCard",
    "FailureMix", "InsufficientFundsUntil", "InsufficientFundsUntilPayday", "LostCard",
    "ProcessingError", "RequiresAuthentication", "Simulator", "SimulatorTransport", "StolenCard",
    "Succeeds", "SucceedsOnAttempt", "behaviour_from_spec", "build_scenario", "stripe_client",
    "stripe_http_client",
]
