"""Notifications over two API processes on one database: each event's notification is stored
once, whichever process's notifier stores it, and read through either process."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from resolvers import discussions, membership
from resolvers.domain.membership import GroupRole
from tests.live.world import LIMITS, MIA, OLGA, listen

pytestmark = pytest.mark.e2e

NOTIFICATIONS = """{ me { unreadNotificationCount }
  notifications(first: 10) { unreadCount edges { cursor node { kind read actor { name }
    subject { ... on MembershipChange { role } } } } } }"""
MARK = """mutation($upTo: String) { markNotificationsRead(input: {upTo: $upTo}) {
  ... on NotificationsRead { marked unreadCount } ... on Error { message } } }"""


def _ask(url: str, token: str, query: str, **variables: Any) -> Any:
    response = httpx2.post(f"{url}/graphql", json={"query": query, "variables": variables},
                           headers={"Authorization": f"Bearer {token}"}, timeout=30)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def test_a_role_change_is_one_notification_read_through_either_process(
    servers, tokens, world
):
    token = tokens(MIA.id, *sorted(MIA.roles), country=MIA.country)
    await membership.set_member_role(store=world.store, actor=OLGA,
                                     group_id=str(world.open["_id"]), user_id=MIA.id,
                                     role=GroupRole.MODERATOR, now=datetime.now(UTC))
    def role_changes(found: Any) -> list[Any]:
        return [edge for edge in found["notifications"]["edges"]
                if edge["node"]["kind"] == "ROLE_CHANGED"]

    for _ in range(200):  # the notifiers follow the log: a poll or two
        if role_changes(_ask(servers[1], token, NOTIFICATIONS)):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # time for a second, duplicate, notification to show, if any
    found = _ask(servers[0], token, NOTIFICATIONS)
    (changed,) = role_changes(found)
    assert changed["node"] == {"kind": "ROLE_CHANGED", "read": False, "actor": {"name": "Olga"},
                               "subject": {"role": "MODERATOR"}}
    unread = found["notifications"]["unreadCount"]
    assert found["me"]["unreadNotificationCount"] == unread >= 1
    assert _ask(servers[1], token, MARK, upTo=changed["cursor"])["markNotificationsRead"] == {
        "marked": unread, "unreadCount": 0}


ADDED = """subscription($after: String) { notificationAdded(after: $after) {
  cursor kind read subject { ... on MembershipChange { role } ... on Post { body } } } }"""


async def test_notifications_arrive_live_and_resume_after_a_cursor(servers, tokens, world):
    now = datetime.now(UTC)
    gid = str(world.open["_id"])
    mia = await listen(servers, tokens, MIA, ADDED)
    await membership.set_member_role(store=world.store, actor=OLGA, group_id=gid,
                                     user_id=MIA.id, role=GroupRole.MODERATOR, now=now)
    mine = await world.post(world.open_thread, "My idea", who=MIA)
    (first,) = await mia.events(1)
    assert (first["kind"], first["read"], first["subject"]) == (
        "ROLE_CHANGED", False, {"role": "MODERATOR"})
    await mia.close()
    # Away: a reply to Mia's post, then back with the last cursor she had.
    await discussions.add_post(store=world.store, actor=OLGA,
                               discussion_id=str(world.open_thread["_id"]), body="Agreed",
                               reply_to_id=str(mine["_id"]), client_mutation_id=None,
                               now=now, limits=LIMITS)
    back = await listen(servers, tokens, MIA, ADDED, after=first["cursor"])
    (reply,) = await back.events(1)
    assert (reply["kind"], reply["subject"]) == ("REPLY", {"body": "Agreed"})
    await back.silence(0.3)
    await back.close()


async def test_a_new_post_reaches_the_follower_live(servers, tokens, world):
    mia = await listen(servers, tokens, MIA, ADDED)
    thread = await discussions.start_discussion(
        store=world.store, actor=MIA, group_id=str(world.open["_id"]), title="Field trips",
        body="Where to?", now=datetime.now(UTC), limits=LIMITS)
    await discussions.add_post(store=world.store, actor=OLGA,
                               discussion_id=str(thread["_id"]), body="The science museum",
                               reply_to_id=None, client_mutation_id=None,
                               now=datetime.now(UTC), limits=LIMITS)
    (told,) = await mia.events(1)
    assert (told["kind"], told["subject"]) == ("NEW_POST", {"body": "The science museum"})
    await mia.silence(0.3)
    await mia.close()
