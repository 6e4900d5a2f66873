"""Configuration, read once from the environment at start-up."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_SQLITE_PATH = Path("var") / "recoup.db"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """A required setting is missing or malformed; the message names it."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name


def _secret_repr(values: tuple[str, ...]) -> str:
    return f"<{len(values)} secret(s)>"


@dataclass(frozen=True)
class Config:
    database_url: str
    stripe_test_key: str | None = field(default=None, repr=False)
    stripe_live_key: str | None = field(default=None, repr=False)
    webhook_secrets: tuple[str, ...] = field(default=(), repr=False)
    app_secrets: tuple[str, ...] = field(default=(), repr=False)
    stripe_api_base: str | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    link_secret: str = field(default="", repr=False)
    scheduler_enabled: bool = True
    log_level: str = "INFO"
    log_format: str = "text"  # text | json
    host: str = "127.0.0.1"
    port: int = 8000
    demo_day_seconds: float = 10.0
    tick_seconds: float = 2.0
    job_lease_seconds: float = 300.0

    @property
    def demo_mode(self) -> bool:
        """No Stripe keys: Recoup runs against the built-in simulator."""
        return self.stripe_test_key is None and self.stripe_live_key is None

    def __repr__(self) -> str:  # secrets never reach logs, even through repr()
        return (f"Config(database_url={_redact_url(self.database_url)!r}, demo_mode={self.demo_mode}, "
                f"webhook_secrets={_secret_repr(self.webhook_secrets)}, "
                f"app_secrets={_secret_repr(self.app_secrets)}, stripe_api_base={self.stripe_api_base!r}, "
                f"public_base_url={self.public_base_url!r}, scheduler_enabled={self.scheduler_enabled})")


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def load_config(env: Mapping[str, str]) -> Config:
    """Build the configuration from `env`, or raise ConfigError naming the first bad variable."""
    keys = _split(env.get("STRIPE_SECRET_KEY", ""))
    test_key, live_key = _stripe_keys(keys)
    demo = test_key is None and live_key is None
    webhook_secrets = _prefixed_list(env, "STRIPE_WEBHOOK_SECRET", "whsec_", required=not demo)
    app_secrets = _prefixed_list(env, "STRIPE_APP_SECRET", "absec_", required=not demo)
    public_base_url = _url(env, "PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    link_secret = env.get("LINK_SIGNING_SECRET", "")
    if not link_secret:
        if not demo:
            raise ConfigError("LINK_SIGNING_SECRET", "is required when Stripe keys are set "
                                                     "(it signs the links in customer e-mails)")
        link_secret = "recoup-demo-link-secret"
    elif len(link_secret) < 32:
        raise ConfigError("LINK_SIGNING_SECRET", "must be at least 32 characters")
    return Config(
        database_url=_database_url(env.get("DATABASE_URL", "")),
        stripe_test_key=test_key,
        stripe_live_key=live_key,
        webhook_secrets=webhook_secrets or (("whsec_recoup_demo",) if demo else ()),
        app_secrets=app_secrets or (("absec_recoup_demo",) if demo else ()),
        stripe_api_base=_url(env, "STRIPE_API_BASE", None) if env.get("STRIPE_API_BASE") else None,
        public_base_url=public_base_url,
        link_secret=link_secret,
        scheduler_enabled=_bool(env, "SCHEDULER_ENABLED", True),
        log_level=_log_level(env.get("LOG_LEVEL", "INFO")),
        log_format=_log_format(env.get("LOG_FORMAT", "text")),
        host=env.get("HOST", "127.0.0.1") or "127.0.0.1",
        port=_int(env, "PORT", 8000, low=1, high=65535),
        demo_day_seconds=_positive_float(env, "DEMO_DAY_SECONDS", 10.0),
        tick_seconds=_positive_float(env, "SCHEDULER_TICK_SECONDS", 2.0),
        job_lease_seconds=_positive_float(env, "JOB_LEASE_SECONDS", 300.0),
    )


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _stripe_keys(keys: list[str]) -> tuple[str | None, str | None]:
    test_key: str | None = None
    live_key: str | None = None
    for key in keys:
        if key.startswith(("sk_test_", "rk_test_")):
            if test_key is not None:
                raise ConfigError("STRIPE_SECRET_KEY", "holds two test-mode keys; give at most one per mode")
            test_key = key
        elif key.startswith(("sk_live_", "rk_live_")):
            if live_key is not None:
                raise ConfigError("STRIPE_SECRET_KEY", "holds two live-mode keys; give at most one per mode")
            live_key = key
        else:
            raise ConfigError("STRIPE_SECRET_KEY",
                              "each key must start with sk_test_, sk_live_, rk_test_ or rk_live_")
    return test_key, live_key


def _prefixed_list(env: Mapping[str, str], name: str, prefix: str, *, required: bool) -> tuple[str, ...]:
    values = _split(env.get(name, ""))
    if required and not values:
        raise ConfigError(name, "is required when STRIPE_SECRET_KEY is set")
    for value in values:
        if not value.startswith(prefix) or len(value) <= len(prefix):
            raise ConfigError(name, f"each secret must start with {prefix} (comma-separate several for rotation)")
    return tuple(values)


def _database_url(raw: str) -> str:
    if not raw:
        return f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    # Operators paste the URL their provider gives them; name the async driver for them.
    if scheme in ("postgres", "postgresql"):
        return "postgresql+asyncpg://" + raw.split("://", 1)[1]
    if scheme == "sqlite":
        return "sqlite+aiosqlite://" + raw.split("://", 1)[1]
    if scheme in ("postgresql+asyncpg", "sqlite+aiosqlite"):
        return raw
    raise ConfigError("DATABASE_URL", "must be a sqlite:/// or postgresql:// URL")


def _url(env: Mapping[str, str], name: str, default: str | None) -> str:
    raw = env.get(name) or default
    if raw is None:
        raise ConfigError(name, "is required")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(name, "must be an http:// or https:// URL")
    return raw


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(name, "must be true or false")


def _int(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, "must be a whole number") from None
    if not low <= value <= high:
        raise ConfigError(name, f"must be between {low} and {high}")
    return value


def _positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, "must be a number") from None
    if value <= 0:
        raise ConfigError(name, "must be greater than zero")
    return value


def _log_format(raw: str) -> str:
    value = raw.strip().lower() or "text"
    if value not in ("text", "json"):
        raise ConfigError("LOG_FORMAT", "must be text or json")
    return value


def _log_level(raw: str) -> str:
    level = raw.strip().upper() or "INFO"
    if level not in logging.getLevelNamesMapping():
        raise ConfigError("LOG_LEVEL", "must be one of DEBUG, INFO, WARNING, ERROR")
    return level
