"""Command line: `python -m backend serve | migrate`."""

from __future__ import annotations

import argparse
import asyncio
import os
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="recoup", description="Recoup payment recovery service")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="migrate the database and serve HTTP (and the scheduler)")
    commands.add_parser("migrate", help="bring the database schema up to date and exit")
    args = parser.parse_args(argv)
    try:
        config = load_config(os.environ)
    except ConfigError as error:
        print(f"recoup: configuration error: {error}", file=sys.stderr)
        return 2
    _configure_logging(config)
    if args.command == "migrate":
        asyncio.run(_migrate(config))
        print("recoup: database is up to date")
    else:
        _serve(config)
    return 0
