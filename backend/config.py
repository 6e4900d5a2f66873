"""Configuration, read once from the environment at start-up and validated by pydantic-settings."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var") / "recoup.db"
DEMO_WEBHOOK_SECRET = "whsec_recoup_demo"
DEMO_APP_SECRET = "absec_recoup_demo"
DEMO_LINK_SECRET = "recoup-demo-link-secret"


class ConfigError(ValueError):
    """A required setting is missing or malformed; the message names it."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name


def _secret_repr(values: tuple[str, ...]) -> str:
    return f"<{len(values)} secret(s)>"


@dataclass(frozen=True)
class Config:
    """What the running service needs, already validated; secrets are kept out of its repr."""

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
    # Jobs one process runs at once. A retry is several Stripe calls one after another, so with
    # Stripe's network latency a process is bound by this, not by its CPU (docs/operations.md).
    job_concurrency: int = 8
    # Customers' personal data is deleted this many days after the app is uninstalled.
    data_retention_days: int = 30
    # Customer e-mail: the .eml outbox unless SMTP_HOST is set.
    outbox_dir: str = "var/outbox"
    mail_from: str = "billing@recoup.localhost"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_security: str = "starttls"

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


def _split(raw: Any) -> Any:
    # Several values (rotating secrets, a test and a live key) are comma-separated in one variable.
    return tuple(part.strip() for part in raw.split(",") if part.strip()) if isinstance(raw, str) else raw


def _secrets_with_prefix(values: tuple[SecretStr, ...], prefix: str) -> tuple[SecretStr, ...]:
    for value in values:
        text = value.get_secret_value()
        if not text.startswith(prefix) or len(text) <= len(prefix):
            raise ValueError(f"each secret must start with {prefix} (comma-separate several for rotation)")
    return values


def _http_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return value


CommaSeparated = Annotated[tuple[SecretStr, ...], NoDecode]


class Environment(BaseSettings):
    """The environment variables Recoup reads, each validated on its own (names as operators type them)."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True, hide_input_in_errors=True)

    STRIPE_SECRET_KEY: CommaSeparated = ()
    STRIPE_WEBHOOK_SECRET: CommaSeparated = ()
    STRIPE_APP_SECRET: CommaSeparated = ()
    LINK_SIGNING_SECRET: SecretStr = SecretStr("")
    DATABASE_URL: str = ""
    STRIPE_API_BASE: str | None = None
    PUBLIC_BASE_URL: str = "http://127.0.0.1:8000"
    SCHEDULER_ENABLED: bool = True
    LOG_LEVEL: str = "INFO"
    LOG_FORMAT: str = "text"
    HOST: str = "127.0.0.1"
    PORT: int = Field(default=8000, ge=1, le=65535)
    DEMO_DAY_SECONDS: float = Field(default=10.0, gt=0)
    SCHEDULER_TICK_SECONDS: float = Field(default=2.0, gt=0)
    JOB_LEASE_SECONDS: float = Field(default=300.0, gt=0)
    JOB_CONCURRENCY: int = Field(default=8, ge=1, le=256)
    DATA_RETENTION_DAYS: int = Field(default=30, ge=1, le=3650)
    # Customer e-mail: .eml files in OUTBOX_DIR unless SMTP_HOST names a server.
    OUTBOX_DIR: str = "var/outbox"
    MAIL_FROM: str = "billing@recoup.localhost"
    SMTP_HOST: str | None = None
    SMTP_PORT: int = Field(default=587, ge=1, le=65535)
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: SecretStr | None = None
    SMTP_SECURITY: Literal["starttls", "tls", "none"] = "starttls"

    @field_validator("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_APP_SECRET", mode="before")
    @classmethod
    def _comma_separated(cls, raw: Any) -> Any:
        return _split(raw)

    @field_validator("STRIPE_SECRET_KEY")
    @classmethod
    def _stripe_keys(cls, keys: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        modes = []
        for key in keys:
            text = key.get_secret_value()
            if not text.startswith(("sk_test_", "sk_live_", "rk_test_", "rk_live_")):
                raise ValueError("each key must start with sk_test_, sk_live_, rk_test_ or rk_live_")
            modes.append("test" if "_test_" in text[:8] else "live")
        for mode in ("test", "live"):
            if modes.count(mode) > 1:
                raise ValueError(f"holds two {mode}-mode keys; give at most one per mode")
        return keys

    @field_validator("STRIPE_WEBHOOK_SECRET")
    @classmethod
    def _webhook_secrets(cls, values: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        return _secrets_with_prefix(values, "whsec_")

    @field_validator("STRIPE_APP_SECRET")
    @classmethod
    def _app_secrets(cls, values: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        return _secrets_with_prefix(values, "absec_")

    @field_validator("LINK_SIGNING_SECRET")
    @classmethod
    def _link_secret(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters")
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, raw: str) -> str:
        if not raw:
            return f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"
        scheme, _, rest = raw.partition("://")
        # Operators paste the URL their provider gives them; name the async driver for them.
        if rest and scheme in ("postgres", "postgresql"):
            return f"postgresql+asyncpg://{rest}"
        if rest and scheme == "sqlite":
            return f"sqlite+aiosqlite://{rest}"
        if rest and scheme in ("postgresql+asyncpg", "sqlite+aiosqlite"):
            return raw
        raise ValueError("must be a sqlite:/// or postgresql:// URL")

    @field_validator("MAIL_FROM")
    @classmethod
    def _mail_from(cls, raw: str) -> str:
        value = raw.strip()
        if value.count("@") != 1 or " " in value or value.startswith("@") or value.endswith("@"):
            raise ValueError("must be a bare e-mail address such as billing@example.com")
        return value

    @field_validator("SMTP_SECURITY", mode="before")
    @classmethod
    def _lowercase(cls, raw: Any) -> Any:
        return raw.strip().lower() if isinstance(raw, str) else raw

    @field_validator("STRIPE_API_BASE", "SMTP_HOST", "SMTP_USERNAME", "SMTP_PASSWORD", mode="before")
    @classmethod
    def _empty_is_unset(cls, raw: Any) -> Any:
        return raw or None

    @field_validator("STRIPE_API_BASE", "PUBLIC_BASE_URL")
    @classmethod
    def _urls(cls, value: str | None) -> str | None:
        return _http_url(value)

    @field_validator("SCHEDULER_ENABLED", mode="before")
    @classmethod
    def _switch(cls, raw: Any) -> Any:
        if not isinstance(raw, str):
            return raw
        lowered = raw.strip().lower()
        if lowered in ("", "0", "false", "no", "off"):
            return False
        if lowered in ("1", "true", "yes", "on"):
            return True
        raise ValueError("must be true or false")

    @field_validator("LOG_LEVEL")
    @classmethod
    def _log_level(cls, raw: str) -> str:
        level = raw.strip().upper() or "INFO"
        if level not in logging.getLevelNamesMapping():
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @field_validator("LOG_FORMAT")
    @classmethod
    def _log_format(cls, raw: str) -> str:
        value = raw.strip().lower() or "text"
        if value not in ("text", "json"):
            raise ValueError("must be text or json")
        return value

    @field_validator("PORT", "DEMO_DAY_SECONDS", "SCHEDULER_TICK_SECONDS", "JOB_LEASE_SECONDS", "JOB_CONCURRENCY",
                     "HOST", "PUBLIC_BASE_URL", "LOG_LEVEL", "LOG_FORMAT", "OUTBOX_DIR", "MAIL_FROM", "SMTP_PORT",
                     "SMTP_SECURITY", mode="before")
    @classmethod
    def _empty_is_default(cls, raw: Any, info: Any) -> Any:
        return cls.model_fields[info.field_name].default if raw == "" else raw


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Build the configuration from `env` (the process environment when None), or raise ConfigError
    naming the first bad variable."""
    try:
        read = Environment() if env is None else Environment.model_validate(dict(env))
    except ValidationError as invalid:
        first = invalid.errors()[0]
        raise ConfigError(str(first["loc"][0]), first["msg"].removeprefix("Value error, ")) from None
    return _config_from(read)


def _config_from(read: Environment) -> Config:
    keys = [key.get_secret_value() for key in read.STRIPE_SECRET_KEY]
    test_key = next((key for key in keys if "_test_" in key[:8]), None)
    live_key = next((key for key in keys if "_live_" in key[:8]), None)
    demo = not keys
    webhook_secrets = tuple(s.get_secret_value() for s in read.STRIPE_WEBHOOK_SECRET)
    app_secrets = tuple(s.get_secret_value() for s in read.STRIPE_APP_SECRET)
    link_secret = read.LINK_SIGNING_SECRET.get_secret_value()
    if not demo:
        for name, present in (("STRIPE_WEBHOOK_SECRET", webhook_secrets), ("STRIPE_APP_SECRET", app_secrets)):
            if not present:
                raise ConfigError(name, "is required when STRIPE_SECRET_KEY is set")
        if not link_secret:
            raise ConfigError("LINK_SIGNING_SECRET", "is required when Stripe keys are set "
                                                     "(it signs the links in customer e-mails)")
    return Config(
        database_url=read.DATABASE_URL,
        stripe_test_key=test_key,
        stripe_live_key=live_key,
        webhook_secrets=webhook_secrets or ((DEMO_WEBHOOK_SECRET,) if demo else ()),
        app_secrets=app_secrets or ((DEMO_APP_SECRET,) if demo else ()),
        stripe_api_base=read.STRIPE_API_BASE,
        public_base_url=(read.PUBLIC_BASE_URL or "").rstrip("/"),
        link_secret=link_secret or DEMO_LINK_SECRET,
        scheduler_enabled=read.SCHEDULER_ENABLED,
        log_level=read.LOG_LEVEL,
        log_format=read.LOG_FORMAT,
        host=read.HOST or "127.0.0.1",
        port=read.PORT,
        demo_day_seconds=read.DEMO_DAY_SECONDS,
        tick_seconds=read.SCHEDULER_TICK_SECONDS,
        job_lease_seconds=read.JOB_LEASE_SECONDS,
        job_concurrency=read.JOB_CONCURRENCY,
        data_retention_days=read.DATA_RETENTION_DAYS,
        outbox_dir=read.OUTBOX_DIR,
        mail_from=read.MAIL_FROM,
        smtp_host=read.SMTP_HOST,
        smtp_port=read.SMTP_PORT,
        smtp_username=read.SMTP_USERNAME,
        smtp_password=read.SMTP_PASSWORD.get_secret_value() if read.SMTP_PASSWORD is not None else None,
        smtp_security=read.SMTP_SECURITY,
    )
