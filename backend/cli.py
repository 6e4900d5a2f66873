"""Command line: `python -m backend serve | migrate | api | takeover | openapi | audit verify | delete-data`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

from backend.config import Config, ConfigError, load_config


def _configure_logging(config: Config) -> None:
    from backend.observability.logs import configure_logging

    configure_logging(config.log_level, config.log_format)


async def _migrate(config: Config) -> None:
    from backend.adapters.db.engine import create_engine
    from backend.adapters.db.migrations import upgrade_to_head

    engine = create_engine(config.database_url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


def _serve(config: Config) -> None:
    import uvicorn

    from backend.runtime import build_service

    app = build_service(config)
    uvicorn.run(app, host=config.host, port=config.port, log_level=config.log_level.lower(),
                lifespan="on")


async def _call_api(config: Config, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    import httpx

    from backend.dashboard_client import DashboardRequest, send

    request = DashboardRequest(method=args.method, path=args.path, account_id=args.account, mode=args.mode,
                               data=json.loads(args.data) if args.data else None)
    base = args.base or config.public_base_url
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            response = await send(http, request, config.app_secrets[0], datetime.now(UTC))
    except httpx.HTTPError as error:
        print(f"recoup: could not reach {base}: {error}", file=sys.stderr)
        return 1
    print(f"HTTP {response.status_code}", file=sys.stderr)
    try:
        print(json.dumps(response.json(), indent=2))
    except ValueError:
        print(response.text)
    return 0 if response.is_success else 1


async def _take_over(config: Config, args: argparse.Namespace) -> int:
    import httpx
    from rich.console import Console

    from backend.takeover_command import run_takeover

    base = args.base or config.public_base_url
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            return await run_takeover(http, account_id=args.account, livemode=args.livemode,
                                      look_back_days=args.look_back_days, wait=not args.no_wait,
                                      secret=config.app_secrets[0], console=Console())
    except httpx.HTTPError as error:
        print(f"recoup: could not reach {base}: {error}", file=sys.stderr)
        return 1
async def _account_command(config: Config, args: argparse.Namespace) -> int:
    from backend.audit_commands import delete_data, verify_audit

    if args.command == "audit":
        return await verify_audit(config.database_url, args.account, args.livemode)
    return await delete_data(config.database_url, args.account, args.livemode, confirmed=args.yes)


def _add_account_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="check an account's audit trail")
    audit.add_argument("action", choices=["verify"])
    deletion = commands.add_parser("delete-data", help="delete an account's personal data (cannot be undone)")
    deletion.add_argument("--yes", action="store_true", help="confirm the deletion")
    for sub in (audit, deletion):
        sub.add_argument("--account", required=True, help="the Stripe account (acct_…)")
        sub.add_argument("--livemode", action="store_true", help="the live-mode data (default: test mode)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="recoup", description="Recoup payment recovery service")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="migrate the database and serve HTTP (and the scheduler)")
    commands.add_parser("migrate", help="bring the database schema up to date and exit")
    commands.add_parser("openapi", help="print the OpenAPI document of the Dashboard API")
    api = commands.add_parser("api", help="send a Dashboard API request signed with the configured app secret")
    api.add_argument("method", choices=["GET", "POST", "PUT"], type=str.upper)
    api.add_argument("path", help="e.g. /api/v1/overview")
    api.add_argument("--account", required=True, help="the Stripe account to act for (acct_…)")
    api.add_argument("--mode", choices=["test", "live"], default="test")
    api.add_argument("--data", help="JSON object: query parameters for GET, the body otherwise")
    api.add_argument("--base", help="Recoup's address (default: PUBLIC_BASE_URL)")
    takeover = commands.add_parser("takeover", help="take over the account's earlier failed invoices, showing progress")
    takeover.add_argument("--account", required=True, help="the Stripe account (acct_…)")
    takeover.add_argument("--livemode", action="store_true", help="the live-mode install (default: test mode)")
    takeover.add_argument("--look-back-days", type=int, help="how far back to scan, 1-365 (default 60)")
    takeover.add_argument("--no-wait", action="store_true", help="start it and return at once")
    takeover.add_argument("--base", help="Recoup's address (default: PUBLIC_BASE_URL)")
    _add_account_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "openapi":
        from backend.web.openapi import openapi_document

        print(json.dumps(openapi_document(), indent=2, sort_keys=True))
        return 0
    try:
        config = load_config()
    except ConfigError as error:
        print(f"recoup: configuration error: {error}", file=sys.stderr)
        return 2
    if args.command == "api":
        return asyncio.run(_call_api(config, args))
    if args.command == "takeover":
        return asyncio.run(_take_over(config, args))
    if args.command in ("audit", "delete-data"):
        return asyncio.run(_account_command(config, args))
    _configure_logging(config)
    if args.command == "migrate":
        asyncio.run(_migrate(config))
        print("recoup: database is up to date")
    else:
        _serve(config)
    return 0
