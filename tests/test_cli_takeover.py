"""`python -m backend takeover`: the operator starts a takeover and watches it finish."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from backend.cli import _parser
from backend.simulator.behaviours import Declines
from backend.takeover_command import run_takeover
from tests.builders import APP_SECRET


def console() -> tuple[Console, StringIO]:
    out = StringIO()
    return Console(file=out, width=200, force_terminal=False, color_system=None), out


async def test_the_command_starts_a_takeover_and_follows_it_to_the_end(stack, client):
    account = await stack.install()
    customer = stack.sim.create_customer(account)
    stack.sim.attach_card(account, customer, Declines("generic_decline"))
    failed = stack.sim.create_failed_invoice(account, stack.sim.create_subscription(account, customer))
    shown, out = console()
    polls = []

    async def between_polls(_seconds: float) -> None:
        polls.append(_seconds)
        await stack.runner.drain()  # the service works while the command waits

    code = await run_takeover(client, account_id=account.id, livemode=False, look_back_days=30, wait=True,
                              secret=APP_SECRET, console=shown, sleep=between_polls, now=stack.wall_clock.now)

    assert code == 0 and polls
    assert "started" in out.getvalue()
    assert "Takeover done: scanned 1 · enrolled 1 · skipped 0" in out.getvalue()
    assert await stack.recovery(account, failed) is not None


async def test_no_wait_only_starts_it(stack, client):
    account = await stack.install()
    shown, out = console()

    async def never(_seconds: float) -> None:
        raise AssertionError("--no-wait must not poll")

    code = await run_takeover(client, account_id=account.id, livemode=False, look_back_days=None, wait=False,
                              secret=APP_SECRET, console=shown, sleep=never, now=stack.wall_clock.now)

    assert code == 0 and "60 days): started" in out.getvalue()


async def test_a_refused_start_says_why_and_fails(stack, client):
    account = await stack.install()
    shown, out = console()

    code = await run_takeover(client, account_id=account.id, livemode=False, look_back_days=400, wait=True,
                              secret=APP_SECRET, console=shown, now=stack.wall_clock.now)

    assert code == 1 and "invalid_look_back" in out.getvalue()


def test_the_command_line_reads_account_mode_look_back_and_no_wait() -> None:
    args = _parser().parse_args(["takeover", "--account", "acct_1X", "--livemode", "--look-back-days", "30",
                                 "--no-wait"])

    assert (args.account, args.livemode, args.look_back_days, args.no_wait) == ("acct_1X", True, 30, True)
