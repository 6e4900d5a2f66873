"""An account's recovery settings: defaults, allowed values and validation."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from typing import Any


class SubscriptionAction(StrEnum):
    LEAVE = "leave"
    CANCEL_NOW = "cancel_now"
    CANCEL_AT_PERIOD_END = "cancel_at_period_end"
    CANCEL_AFTER_DELAY = "cancel_after_delay"


class InvoiceAction(StrEnum):
    LEAVE = "leave"
    VOID = "void"
    MARK_UNCOLLECTIBLE = "mark_uncollectible"


class InvalidSetting(ValueError):
    """A settings change was refused; `field` names the first offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RecoverySettings:
    """Every merchant-chosen rule, with the defaults a new install gets (recovery off)."""

    enabled: bool = False
    observe_only: bool = False
    max_retries: int = 6
    dunning_days: int = 28
    recover_one_off_invoices: bool = False
    card_rotation: bool = True
    subscription_action: SubscriptionAction = SubscriptionAction.LEAVE
    cancel_delay_days: int = 0
    cancel_delay_hours: int = 0
    prorate_on_cancel: bool = False
    invoice_action: InvoiceAction = InvoiceAction.LEAVE
    tidy_later_invoices: bool = True
    emails_enabled: bool = True
    brand_name: str = ""
    brand_color: str = "#635BFF"
    reply_to: str = ""
    persuasive_copy: bool = True
    sms_enabled: bool = False
    daily_overdue_chase: bool = False
    pause_stripe_retries: bool = True
    # A paid recovery service's success fee, to compare with on Home: the fee = net recovered × this %.
    success_fee_percent: int = 15

    def to_json(self) -> dict[str, Any]:
        """Return the settings as plain JSON values."""
        return {key: (str(value) if isinstance(value, StrEnum) else value)
                for key, value in asdict(self).items()}


_INT_RANGES: dict[str, tuple[int, int]] = {
    "max_retries": (1, 10),
    "dunning_days": (7, 60),
    "cancel_delay_days": (0, 60),
    "cancel_delay_hours": (0, 23),
    "success_fee_percent": (0, 50),
}
_ENUMS: dict[str, type[StrEnum]] = {
    "subscription_action": SubscriptionAction,
    "invoice_action": InvoiceAction,
}
_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# Deliberately loose: one @, something on each side, a dot in the domain. Deliverability is the mail
# provider's call; this only catches typos such as a missing @.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BRAND_NAME_MAX = 60
_FIELD_TYPES: dict[str, type] = {f.name: type(getattr(RecoverySettings(), f.name))
                                 for f in fields(RecoverySettings)}


def apply_changes(current: RecoverySettings, changes: dict[str, Any]) -> RecoverySettings:
    """Return `current` with `changes` applied, or raise InvalidSetting naming the first bad field."""
    parsed: dict[str, Any] = {}
    for name, raw in changes.items():
        parsed[name] = _parse_field(name, raw)
    updated = replace(current, **parsed)
    _check_combination(updated)
    return updated


def _parse_field(name: str, raw: Any) -> Any:
    if name not in _FIELD_TYPES:
        raise InvalidSetting(name, "is not a setting")
    if name in _ENUMS:
        enum = _ENUMS[name]
        allowed = [member.value for member in enum]
        if raw not in allowed:
            raise InvalidSetting(name, f"must be one of {', '.join(allowed)}")
        return enum(raw)
    expected = _FIELD_TYPES[name]
    if expected is bool:
        if not isinstance(raw, bool):
            raise InvalidSetting(name, "must be true or false")
        return raw
    if expected is int:
        # bool is an int in Python; a checkbox value sent as true must not become 1 retry.
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise InvalidSetting(name, "must be a whole number")
        low, high = _INT_RANGES[name]
        if not low <= raw <= high:
            raise InvalidSetting(name, f"must be between {low} and {high}")
        return raw
    if not isinstance(raw, str):
        raise InvalidSetting(name, "must be text")
    return _parse_text(name, raw.strip())


def _parse_text(name: str, value: str) -> str:
    if name == "brand_color" and not _HEX_COLOUR.match(value):
        raise InvalidSetting(name, "must be a colour like #635BFF")
    if name == "reply_to" and value and not _EMAIL.match(value):
        raise InvalidSetting(name, "must be an e-mail address or empty")
    if name == "brand_name" and len(value) > _BRAND_NAME_MAX:
        raise InvalidSetting(name, f"must be at most {_BRAND_NAME_MAX} characters")
    return value


def _check_combination(settings: RecoverySettings) -> None:
    if (settings.subscription_action is SubscriptionAction.CANCEL_AFTER_DELAY
            and settings.cancel_delay_days == 0 and settings.cancel_delay_hours == 0):
        raise InvalidSetting("cancel_delay_days",
                             "a delayed cancellation needs a delay of at least one hour")


def from_json(stored: dict[str, Any]) -> RecoverySettings:
    """Rebuild settings from stored JSON, ignoring fields this version no longer knows."""
    known = {k: v for k, v in stored.items() if k in _FIELD_TYPES}
    return apply_changes(RecoverySettings(), known)
