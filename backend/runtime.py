"""Builds the running service from configuration: real Stripe, or the demo simulator."""

from __future__ import annotations

from starlette.applications import Starlette

from backend.app import create_app
from backend.config import Config


def build_service(config: Config) -> Starlette:
    """Return the app to serve for `config`."""
    return create_app(config)
