"""Builds the running service from configuration: real Stripe, or the demo simulator."""

from __future__ import annotations

from starlette.applications import Starlette

from backend.adapters.stripe import StripeSdkGateway
from backend.app import create_app
from backend.config import Config


def build_service(config: Config) -> Starlette:
    """Return the app to serve for `config`."""
    if config.demo_mode:
        from backend.demo import build_demo  # the simulator is loaded only when there are no keys

        return build_demo(config)
    gateway = StripeSdkGateway(test_key=config.stripe_test_key, live_key=config.stripe_live_key,
                               api_base=config.stripe_api_base)
    return create_app(config, gateway=gateway)
