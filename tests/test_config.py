"""Start-up refuses a bad configuration with one clear line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from backend.config import ConfigError, load_config
from backend.runtime import build_service

PRODUCTION = {
    "STRIPE_SECRET_KEY": "sk_test_abc,sk_live_def",
    "STRIPE_WEBHOOK_SECRET": "whsec_new,whsec_old",
    "STRIPE_APP_SECRET": "absec_one",
    "LINK_SIGNING_SECRET": "s" * 40,
}


def test_no_keys_means_the_demo_on_sqlite():
    config = load_config({})

    assert config.demo_mode
    assert config.database_url == "sqlite+aiosqlite:///var/recoup.db"


def test_test_and_live_keys_and_rotating_secrets_are_all_kept():
    config = load_config(PRODUCTION)

    assert (config.stripe_test_key, config.stripe_live_key) == ("sk_test_abc", "sk_live_def")
    assert config.webhook_secrets == ("whsec_new", "whsec_old")


def test_a_plain_postgres_url_gets_the_async_driver():
    config = load_config({**PRODUCTION, "DATABASE_URL": "postgresql://u@db:5432/recoup"})

    assert config.database_url == "postgresql+asyncpg://u@db:5432/recoup"


@pytest.mark.parametrize(("env", "name"), [
    ({"DATABASE_URL": "mysql://db/recoup"}, "DATABASE_URL"),
    ({"STRIPE_SECRET_KEY": "pk_test_123"}, "STRIPE_SECRET_KEY"),
    ({"STRIPE_SECRET_KEY": "sk_test_1,sk_test_2"}, "STRIPE_SECRET_KEY"),
    ({"STRIPE_WEBHOOK_SECRET": ""}, "STRIPE_WEBHOOK_SECRET"),
    ({"STRIPE_WEBHOOK_SECRET": "secret"}, "STRIPE_WEBHOOK_SECRET"),
    ({"STRIPE_APP_SECRET": "whsec_wrong_kind"}, "STRIPE_APP_SECRET"),
    ({"LINK_SIGNING_SECRET": "short"}, "LINK_SIGNING_SECRET"),
    ({"STRIPE_API_BASE": "localhost:12111"}, "STRIPE_API_BASE"),
    ({"PUBLIC_BASE_URL": "ftp://x"}, "PUBLIC_BASE_URL"),
    ({"SCHEDULER_ENABLED": "maybe"}, "SCHEDULER_ENABLED"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ({"PORT": "eighty"}, "PORT"),
    ({"DEMO_DAY_SECONDS": "0"}, "DEMO_DAY_SECONDS"),
    ({"JOB_CONCURRENCY": "0"}, "JOB_CONCURRENCY"),
    ({"JOB_CONCURRENCY": "1000"}, "JOB_CONCURRENCY"),
    ({"JOB_CONCURRENCY": "many"}, "JOB_CONCURRENCY"),
    ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT"),
    ({"SMTP_PORT": "70000"}, "SMTP_PORT"),
    ({"SMTP_SECURITY": "ssl3"}, "SMTP_SECURITY"),
    ({"MAIL_FROM": "Billing <billing@example.com>"}, "MAIL_FROM"),
])
def test_a_malformed_value_is_refused_naming_it(env, name):
    with pytest.raises(ConfigError) as refused:
        load_config({**PRODUCTION, **env})

    assert refused.value.name == name


def test_secrets_never_appear_in_the_configuration_repr():
    config = load_config({**PRODUCTION, "DATABASE_URL": "postgresql://u:hunter2@db/recoup"})

    text = repr(config)

    assert "sk_test_abc" not in text and "whsec_new" not in text and "hunter2" not in text


def test_customer_e_mail_goes_to_the_outbox_unless_an_smtp_server_is_named():
    outbox = load_config(PRODUCTION)
    smtp = load_config({**PRODUCTION, "SMTP_HOST": "smtp.example.com", "SMTP_PORT": "465", "SMTP_SECURITY": "TLS",
                        "SMTP_USERNAME": "billing", "SMTP_PASSWORD": "hunter2", "MAIL_FROM": "billing@example.com"})

    assert (outbox.smtp_host, outbox.outbox_dir, outbox.mail_from) == (None, "var/outbox", "billing@recoup.localhost")
    assert (smtp.smtp_host, smtp.smtp_port, smtp.smtp_security) == ("smtp.example.com", 465, "tls")
    assert smtp.smtp_password == "hunter2" and "hunter2" not in repr(smtp)


def test_the_service_refuses_to_start_with_one_clear_line():
    env = {**os.environ, **PRODUCTION, "STRIPE_WEBHOOK_SECRET": "nope"}

    result = subprocess.run([sys.executable, "-m", "backend", "serve"], env=env, capture_output=True,
                            text=True, timeout=60)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == ["recoup: configuration error: STRIPE_WEBHOOK_SECRET: each secret must start with "
                     "whsec_ (comma-separate several for rotation)"]


def test_the_process_environment_is_read_when_no_mapping_is_given(monkeypatch):
    for name, value in {**PRODUCTION, "PORT": "8123", "SCHEDULER_ENABLED": "off"}.items():
        monkeypatch.setenv(name, value)

    config = load_config()

    assert (config.port, config.scheduler_enabled, config.app_secrets) == (8123, False, ("absec_one",))


@pytest.mark.parametrize("env", [
    {"STRIPE_SECRET_KEY": "pk_live_hunter2secret"},
    {"STRIPE_WEBHOOK_SECRET": "hunter2secret"},
    {"LINK_SIGNING_SECRET": "hunter2secret"},
    {"SMTP_PORT": "hunter2secret"},
])
def test_a_refused_secret_is_named_but_never_echoed(env):
    with pytest.raises(ConfigError) as refused:
        load_config({**PRODUCTION, **env})

    assert "hunter2" not in str(refused.value)
    assert str(refused.value).startswith(next(iter(env)))


def test_job_concurrency_sets_how_many_jobs_a_process_runs_at_once(tmp_path):
    config = load_config({**PRODUCTION, "JOB_CONCURRENCY": "32", "DATABASE_URL": f"sqlite:///{tmp_path}/r.db"})

    assert load_config({}).job_concurrency == 8
    assert build_service(config).state.runner.concurrency == 32
