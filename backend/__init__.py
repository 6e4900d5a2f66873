"""Recoup: recovers failed Stripe invoice payments for the accounts that install it."""
