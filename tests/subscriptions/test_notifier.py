"""The notifier follows the log from the place it keeps in the database: what happens while
no notifier runs is told when one starts again, and two notifiers store each notification
once."""

import asyncio

from resolvers import groups
from resolvers.domain.actors import Role
from resolvers.domain.groups import GroupAction
from subscriptions.notifier import Notifier
from tests.conftest import actor
from tests.support import group_form, placed, until

OLGA = actor("olga")
CSS = actor("carla", Role.CSS, country=None)


async def _told(store, user_id: str, count: int) -> list[str]:
    for _ in range(200):
        docs = await store.db["notifications"].find({"user_id": user_id}).to_list()
        if len(docs) >= count:
            return sorted(doc["kind"] for doc in docs)
        await asyncio.sleep(0.02)
    raise AssertionError(f"fewer than {count} notifications for {user_id}")


async def test_what_happens_while_none_runs_is_told_once_when_they_start(store, clock):
    proposal = await groups.create_group(store=store, actor=OLGA, form=group_form(),
                                         now=clock(), similar_recorded=0)
    first = Notifier(store, clock, poll_interval=0.02)
    await first.start()
    await until(lambda: placed(store, "notifier"))  # it takes its place: from now on
    await first.stop()
    await groups.transition_group(store=store, actor=CSS, group_id=str(proposal["_id"]),
                                  action=GroupAction.APPROVE, message=None, now=clock())
    again = [Notifier(store, clock, poll_interval=0.02) for _ in range(2)]
    for notifier in again:
        await notifier.start()
    assert await _told(store, "olga", 1) == ["PROPOSAL_APPROVED"]
    await asyncio.sleep(0.2)
    for notifier in again:
        await notifier.stop()
    assert await _told(store, "olga", 1) == ["PROPOSAL_APPROVED"]
