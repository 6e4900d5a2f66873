"""Failures a use case reports to its caller; the web edge maps each to one HTTP status."""

from __future__ import annotations


class AccountNotInstalled(Exception):
    """The account never installed Recoup, or uninstalled it."""


class RecoveryNotFound(Exception):
    """No recovery for that invoice in this account (or the invoice is another account's)."""


class ActionNotAllowed(Exception):
    """The recovery's current state does not allow the requested action."""
