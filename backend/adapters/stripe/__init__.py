"""The Stripe gateway adapter: stripe-python's async client behind the StripeGateway port."""

from backend.adapters.stripe.clients import MissingStripeKey
from backend.adapters.stripe.gateway import StripeSdkGateway
from backend.adapters.stripe.rate_limits import RateLimits

__all__ = ["MissingStripeKey", "RateLimits", "StripeSdkGateway"]
