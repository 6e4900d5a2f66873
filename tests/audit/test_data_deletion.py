"""Leaving cleanly: a merchant's request (or the days after uninstall) removes customers' personal data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.adapters.db.tables import AttemptRow
from backend.services.audit_trail import DATA_DELETION, audit_page, verify_chain
from backend.services.data_deletion import delete_data_after_uninstall
from backend.simulator.behaviours import Declines, InsufficientFundsUntilPayday, Succeeds
from tests.audit.support import mentions, signed_post, stored_texts

DELETION = "/api/v1/account/data-deletion"


async def customers_in_recovery(stack, account, tag, last4s=("0341", "7719")):
    """Two customers of `account`: one recovered by card rotation, one still in recovery."""
    people = []
    for number, (behaviour, spare) in enumerate(((Declines("do_not_honor"), True),
                                                  (InsufficientFundsUntilPayday(), False))):
        email, name = f"{tag}{number}@customers.test", f"Ada {tag.title()}{number} Lovelace"
        customer = stack.sim.create_customer(account, country="US", email=email, name=name)
        cards = [stack.sim.attach_card(account, customer, behaviour, default=True, last4=last4s[0])]
        if spare:
            cards.append(stack.sim.attach_card(account, customer, Succeeds(), brand="mastercard", default=False,
                                               last4=last4s[1]))
        subscription = stack.sim.create_subscription(account, customer)
        stack.sim.create_failed_invoice(account, subscription)
        people.append({"customer": customer, "email": email, "name": name, "cards": cards})
    await stack.settle()
    return people


def identifiers(people):
    return [value for person in people
            for value in (person["customer"], person["email"], person["name"], *person["cards"])]


async def two_accounts_with_customers(stack):
    first = await stack.install({"card_rotation": True})
    second = await stack.install({"card_rotation": True})
    first_people = await customers_in_recovery(stack, first, "first")
    second_people = await customers_in_recovery(stack, second, "second", ("5588", "6622"))
    await stack.advance(timedelta(days=4))
    return first, first_people, second, second_people


async def test_deleting_removes_every_trace_of_the_customers_and_the_chain_still_verifies(stack, client):
    first, first_people, second, second_people = await two_accounts_with_customers(stack)
    engine = stack.app.state.engine
    before = await stored_texts(engine)

    response = await signed_post(client, DELETION, first, {"confirm": f"delete {first.id}"})
    after = await stored_texts(engine)
    chain = (await audit_page(stack.uow_factory, first, after_seq=0, limit=10_000)).entries
    async with engine.connect() as connection:
        last4s = set((await connection.execute(select(AttemptRow.card_last4))).scalars().all())
    kept = [n for n in identifiers(second_people) if mentions(before, [n])]

    assert response.status_code == 200 and response.json()["deleted"]["recoveries"] == 2
    assert mentions(before, identifiers(first_people))  # the scan would see them
    assert mentions(after, identifiers(first_people)) == []
    assert mentions(after, [f"{q}{d}{q}" for d in ("0341", "7719") for q in ('"', "'")]) == []
    assert mentions(after, [f"{w} {d}" for d in ("0341", "7719") for w in ("ending", "ending in", "••••")]) == []
    assert "0341" not in last4s and "5588" in last4s  # the card details of the other account stay
    assert (await verify_chain(stack.uow_factory, first)).ok
    assert chain[-1].fields.kind == DATA_DELETION and chain[-1].fields.actor.startswith("dashboard:usr_")
    # The other account keeps everything.
    assert kept and [n for n in identifiers(second_people) if mentions(after, [n])] == kept
    assert (await verify_chain(stack.uow_factory, second)).ok
    assert not any(e.details == {"redacted": True}
                   for e in (await audit_page(stack.uow_factory, second, after_seq=0, limit=10_000)).entries)


async def test_the_accounts_jobs_are_cancelled_and_nothing_more_is_sent_to_stripe(stack, client):
    account = await stack.install()
    await customers_in_recovery(stack, account, "jobs")
    writes_before = len(stack.writes())

    await signed_post(client, DELETION, account, {"confirm": f"delete {account.id}"})
    await stack.advance(timedelta(days=30), step=timedelta(days=1))

    assert len(stack.writes()) == writes_before


async def test_without_the_confirmation_nothing_is_deleted(stack, client):
    account = await stack.install()
    people = await customers_in_recovery(stack, account, "kept")
    before = await stored_texts(stack.app.state.engine)

    answers = [await signed_post(client, DELETION, account, body) for body in (
        {}, {"confirm": "delete"}, {"confirm": f"delete {account.id} "}, {"confirm": "delete acct_1Someone"},
        {"confirm": ["delete", account.id]}, {"confirm": None})]

    assert {a.status_code for a in answers} == {400}
    assert {a.json()["error"]["code"] for a in answers} == {"confirmation_required"}
    assert await stored_texts(stack.app.state.engine) == before
    assert mentions(before, identifiers(people))


async def test_data_is_deleted_automatically_the_configured_days_after_uninstall(stack):
    account = await stack.install()
    people = await customers_in_recovery(stack, account, "gone")
    stack.sim.uninstall_account(account)
    await stack.settle()

    early = await delete_data_after_uninstall(stack.uow_factory, stack.clock, days=30)
    stack.clock.advance(timedelta(days=30))
    due = await delete_data_after_uninstall(stack.uow_factory, stack.clock, days=30)
    again = await delete_data_after_uninstall(stack.uow_factory, stack.clock, days=30)

    assert (early, due, again) == (0, 1, 0)
    assert mentions(await stored_texts(stack.app.state.engine), identifiers(people)) == []
    assert (await verify_chain(stack.uow_factory, account)).ok
