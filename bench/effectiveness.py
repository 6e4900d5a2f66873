"""P5: how much failed revenue Recoup wins back compared with Stripe's own retries alone.

The same population (the simulator's default failure mix, a fixed seed) goes through the whole
dunning window twice: once with Stripe's Smart Retries on and Recoup switched off, once with
Smart Retries off and Recoup on with its default settings. What counts is the share of the failed
amount that ended up paid, overall and by the card's failure cause.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import os
import re
import tempfile
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import httpx

from backend.simulator.behaviours import CardBehaviour, FailureMix
from backend.simulator.customers import CustomerResponse, Customers, ResponseMix
from bench.databases import SQLITE, fresh_database
from bench.options import Options
from bench.summary import summarise
from bench.table import render
from bench.wiring import START, bench_config
from tests.harness import RECOUP_URL, Stack, recoup_with_simulator

SEED = 7
DAYS = 30
STEP = timedelta(hours=6)
# Recoup paces its Stripe calls per account on the wall clock; a month squeezed into minutes would
# otherwise be limited by that pacing, so the population is spread over accounts.
SUBSCRIBERS_PER_ACCOUNT = 25
# Who acts on a message, and when (backend/simulator/customers.py): drawn with its own seed, so the
# cards drawn from the failure mix are the same as without customers.
RESPONSE_SEED = 11


# The failure causes whose issuer script ends in an approval of the same card inside the window
# (backend/simulator/behaviours.py): insufficient funds clears on a payday, "recovers later" on its
# third charge, a processing error after one failure. Every other cause needs the customer to act.
_CARD_APPROVES_AGAIN = frozenset({"insufficient_funds", "recovers_later", "processing_error"})


@dataclasses.dataclass(frozen=True)
class _Renewal:
    cause: str
    card: CardBehaviour
    customer: CustomerResponse
    amount: int


def _population(size: int) -> list[_Renewal]:
    """The same renewals, cards and people for both runs (and the ceiling), drawn from fixed seeds."""
    mix, responses = FailureMix(seed=SEED), _responses()
    drawn = []
    for n in range(size):
        cause, card = mix.draw()
        drawn.append(_Renewal(cause, card, responses.draw(), 2500 + 100 * (n % 20)))
    return drawn


def _ceiling(renewals: list[_Renewal]) -> float:
    """The share of the failed amount any policy could win back under this model.

    A renewal can be won if its card approves again by itself, or if its customer acts on a
    message (and then only if a message reaches them and the new card is charged in time).
    """
    winnable = sum(r.amount for r in renewals if r.cause in _CARD_APPROVES_AGAIN or r.customer.acts_after is not None)
    return _share(winnable, sum(r.amount for r in renewals))


def _responses() -> ResponseMix:
    """The default mix; BENCH_P5_ACTING_SHARE (0 to 1) asks what the figure is with another share."""
    share = os.environ.get("BENCH_P5_ACTING_SHARE")
    return ResponseMix(seed=RESPONSE_SEED) if share is None else ResponseMix(share=float(share), seed=RESPONSE_SEED)
# The English labels of the two actions a payment e-mail asks for (templates/email/action.jinja).
_ACTION_LINK = re.compile(r"(?:Update your card|Confirm your payment): (\S+)")


class _Inbox:
    """Hands each new e-mail in Recoup's outbox to the customer it is addressed to."""

    def __init__(self, folder: Path, customers: Customers) -> None:
        self._folder, self._customers, self._seen = folder, customers, set[str]()
        self.messages = 0

    def collect(self, stack: Stack) -> None:
        for path in sorted(self._folder.glob("*.eml")) if self._folder.exists() else []:
            if path.name in self._seen:
                continue
            self._seen.add(path.name)
            self.messages += 1
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            body = message.get_body(("plain",))
            found = _ACTION_LINK.search(str(body.get_content())) if body else None
            if found:
                for address in message["To"].addresses:
                    self._customers.receive(address.addr_spec, found.group(1), stack.clock.now())


async def _recovered_by_cause(population: int, *, recoup: bool,
                              activity: Counter[str]) -> dict[str, tuple[int, int]]:
    """Return, per failure cause, (amount paid at the end, amount that failed)."""
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    outbox = tempfile.TemporaryDirectory()
    config = dataclasses.replace(bench_config("sqlite+aiosqlite:///unused.db"), outbox_dir=outbox.name)
    async with fresh_database(SQLITE) as database, \
            recoup_with_simulator(database.main, dataclasses.replace(config, database_url=database.url),
                                  START) as stack:
        customers = Customers(stack.sim)
        inbox = _Inbox(Path(outbox.name), customers)
        accounts = []
        for _ in range(-(-population // SUBSCRIBERS_PER_ACCOUNT)):
            account = stack.sim.install_account(smart_retries=not recoup)
            await stack.settle()
            if recoup:
                from backend.services.account_settings import save_settings

                await save_settings(stack.uow_factory, stack.clock, account, {"enabled": True})
            accounts.append(account)
        renewals = []
        for n, renewal in enumerate(_population(population)):
            account = accounts[n % len(accounts)]
            address = f"subscriber{n}@example.test"
            customer = stack.sim.create_customer(account, email=address, country=("US", "GB", "DE", "FR")[n % 4])
            # The same people in both runs; only Recoup's messages reach them.
            customers.enrol(account, address, renewal.customer)
            stack.sim.attach_card(account, customer, renewal.card)
            subscription = stack.sim.create_subscription(account, customer, amount=renewal.amount)
            renewals.append((renewal.cause, account, stack.sim.create_failed_invoice(account, subscription),
                             renewal.amount))
            if n % SUBSCRIBERS_PER_ACCOUNT == SUBSCRIBERS_PER_ACCOUNT - 1:
                await stack.settle()
        await stack.settle()
        end = stack.clock.now() + timedelta(days=DAYS)
        while stack.clock.now() < end:
            stack.clock.advance(min(STEP, end - stack.clock.now()))
            await stack.settle()
            inbox.collect(stack)
            visits = await customers.act(stack.clock.now(), lambda: httpx.AsyncClient(
                transport=httpx.ASGITransport(app=stack.app), base_url=RECOUP_URL))
            activity.update("card saved" if v.payment_method else "payment confirmed" if v.paid_invoice
                            else f"stopped: {v.stopped_at}" for v in visits)
            if visits:
                await stack.settle()
        activity["messages"] = inbox.messages
        for name, account, invoice, amount in renewals:
            figures[name][1] += amount
            if stack.invoice(account, invoice)["status"] == "paid":
                figures[name][0] += amount
    outbox.cleanup()
    return {name: (paid, failed) for name, (paid, failed) in figures.items()}


def _assumed() -> str:
    mix = _responses()
    return (f"{mix.share:.0%} act, {mix.earliest.total_seconds() / 3600:g} h to "
            f"{mix.latest.total_seconds() / 3600:g} h after the first e-mail")


def _share(paid: int, failed: int) -> float:
    return 100.0 * paid / failed if failed else 0.0


async def run(options: Options) -> str:
    population = options.size(full=int(os.environ.get("BENCH_P5_POPULATION", "1000")), quick=40)
    activity: Counter[str] = Counter()
    stripe_only = await _recovered_by_cause(population, recoup=False, activity=Counter())
    with_recoup = await _recovered_by_cause(population, recoup=True, activity=activity)
    rows = []
    for name in sorted(stripe_only, key=lambda n: -stripe_only[n][1]):
        rows.append([name, f"{stripe_only[name][1] / 100:,.0f}", f"{_share(*stripe_only[name]):.1f}%",
                     f"{_share(*with_recoup[name]):.1f}%"])
    stripe_total = _share(sum(p for p, _ in stripe_only.values()), sum(f for _, f in stripe_only.values()))
    recoup_total = _share(sum(p for p, _ in with_recoup.values()), sum(f for _, f in with_recoup.values()))
    rows.append(["all causes", f"{sum(f for _, f in stripe_only.values()) / 100:,.0f}", f"{stripe_total:.1f}%",
                 f"{recoup_total:.1f}%"])
    table = render(f"P5. Failed revenue recovered within {DAYS} days: {population} failed renewals, seed {SEED}",
                   ["failure cause", "failed amount", "Stripe retries only", "Recoup"], rows)
    ratio = recoup_total / stripe_total if stripe_total else float("inf")
    ceiling = _ceiling(_population(population))
    line = summarise(f"P5 effectiveness: ratio={ratio:.2f} recoup={recoup_total:.1f}% stripe_only={stripe_total:.1f}% "
                     f"population={population} seed={SEED} acting={_responses().share:.0%} "
                     f"ceiling={ceiling:.1f}% ceiling_ratio={ceiling / stripe_total if stripe_total else 0:.2f}")
    acted = ", ".join(f"{name} {count}" for name, count in sorted(activity.items()) if name != "messages")
    customers = (f"customers (Recoup run): {activity['messages']} e-mails sent; acted on one: {acted or 'nobody'}; "
                 f"{_assumed()}, seed {RESPONSE_SEED}")
    bound = (f"the most any policy could win back under this model: {ceiling:.1f}% (every card that approves again "
             f"by itself, and every customer who acts, reached and charged in time)")
    return f"{table}\n{customers}\n{bound}\n{line}"
