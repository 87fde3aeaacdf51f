"""A teacher comes back after a week offline, over HTTP against the real server (with its
notifier): one digest request tells what happened, the notifications say what concerns them,
and marking things read brings every count to zero."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.acceptance.server import Caller
from tests.acceptance.test_group_story import CREATE, GROUP_STATE, form_input
from tests.groups_seed import NEAR_DUPLICATE

pytestmark = pytest.mark.e2e

DISCUSSION = "... on Discussion { id }"
POST = "... on Post { id }"
DIGEST = """query($since: DateTime!) { digest(since: $since, first: 10) { since
  groups { edges { node {
    group { title unreadCount }
    discussions { count newest { id title unreadCount } }
    posts { count newest { body } }
    members { count newest { role user { name } } } } } }
  notifications { count newest { kind read } } } }"""
NOTIFICATIONS = """{ me { unreadNotificationCount }
  notifications(first: 20) { unreadCount edges { cursor node { kind } } } }"""
COUNTS = """query($id: ID!) { me { unreadNotificationCount }
  group(id: $id) { unreadCount discussions(first: 10) { edges { node { unreadCount } } } } }"""


def eventually_notified(caller: Caller, kinds: set[str]) -> dict:
    """The caller's notifications once the notifier has made those of `kinds`."""
    for _ in range(200):
        found = caller(NOTIFICATIONS)
        if kinds <= {edge["node"]["kind"] for edge in found["notifications"]["edges"]}:
            return found
        time.sleep(0.05)
    raise AssertionError(f"never notified of {kinds}: {found}")


def test_a_teacher_back_after_a_week_catches_up_in_one_request(server: str) -> None:
    css = Caller(server, "carla", "role=CSS")
    olga, tom = Caller(server, "olga", "country=ES"), Caller(server, "tom", "country=ES")
    mia, max_ = Caller(server, "mia", "country=ES"), Caller(server, "max", "country=FR")
    week_ago = datetime.now(UTC) - timedelta(days=7)
    gid = olga(CREATE, input=form_input(NEAR_DUPLICATE, title="Coming back to class"))[
        "createGroup"]["id"]
    css.step("approveGroup", "ApproveGroupInput", GROUP_STATE, groupId=gid)
    for who in (tom, mia):
        who.step("joinGroup", "JoinGroupInput", groupId=gid)
    mine = tom.step("startDiscussion", "StartDiscussionInput", DISCUSSION, groupId=gid,
                    title="Fractions with dominoes", body="Who has tried it?")
    first_post = tom(
        "query($id: ID!) { node(id: $id) { ... on Discussion { posts(first: 1) { edges { "
        "node { id } } } } } }", id=mine["id"])["node"]["posts"]["edges"][0]["node"]["id"]

    # Tom is away. Mia replies to him, Olga opens a topic naming him, Max joins, and a spam
    # post is hidden.
    mia.step("addPost", "AddPostInput", POST, discussionId=mine["id"], body="We did, it works",
             replyToId=first_post)
    spam = mia.step("addPost", "AddPostInput", POST, discussionId=mine["id"], body="Buy now")
    olga.step("hidePost", "HidePostInput", POST, postId=spam["id"], reason="Spam")
    news = olga.step("startDiscussion", "StartDiscussionInput", DISCUSSION, groupId=gid,
                     title="The term's plan", body="@tom could you lead the first week?")
    max_.step("joinGroup", "JoinGroupInput", groupId=gid)
    eventually_notified(tom, {"REPLY", "MENTION"})

    # Back: one request says what happened.
    digest = tom(DIGEST, since=week_ago.isoformat())["digest"]
    (group,) = [edge["node"] for edge in digest["groups"]["edges"]]
    assert group["group"] == {"title": "Coming back to class", "unreadCount": 2}
    assert group["discussions"]["count"] == 2
    assert [d["title"] for d in group["discussions"]["newest"]] == [
        "The term's plan", "Fractions with dominoes"]
    assert {d["title"]: d["unreadCount"] for d in group["discussions"]["newest"]} == {
        "The term's plan": 1, "Fractions with dominoes": 1}
    # The hidden post is neither counted nor shown.
    assert group["posts"]["count"] == 3
    assert [p["body"] for p in group["posts"]["newest"]] == [
        "@tom could you lead the first week?", "We did, it works", "Who has tried it?"]
    assert group["members"]["count"] == 4  # the owner, Tom, Mia and Max
    assert group["members"]["newest"][0] == {"role": "MEMBER", "user": {"name": "Max"}}
    kinds = {item["kind"] for item in digest["notifications"]["newest"]}
    assert {"REPLY", "MENTION"} <= kinds
    assert digest["notifications"]["count"] >= 2

    # He reads it all: the notifications, and each discussion.
    found = tom(NOTIFICATIONS)
    newest = found["notifications"]["edges"][0]["cursor"]
    marked = tom("""mutation($upTo: String) { markNotificationsRead(input: {upTo: $upTo}) {
        ... on NotificationsRead { unreadCount } } }""", upTo=newest)
    assert marked["markNotificationsRead"] == {"unreadCount": 0}
    for discussion in (mine, news):
        read = tom.step("markDiscussionRead", "MarkDiscussionReadInput",
                        "... on Discussion { unreadCount }", discussionId=discussion["id"])
        assert read["unreadCount"] == 0
    counts = tom(COUNTS, id=gid)
    assert counts["me"] == {"unreadNotificationCount": 0}
    assert counts["group"]["unreadCount"] == 0
    assert all(edge["node"]["unreadCount"] == 0
               for edge in counts["group"]["discussions"]["edges"])

    # What comes next is new again, and a digest from now on shows only that.
    now = datetime.now(UTC)
    mia.step("addPost", "AddPostInput", POST, discussionId=news["id"], body="Count me in")
    assert tom(COUNTS, id=gid)["group"]["unreadCount"] == 1
    later = tom(DIGEST, since=now.isoformat())["digest"]["groups"]["edges"][0]["node"]
    assert (later["discussions"]["count"], later["posts"]["count"],
            later["members"]["count"]) == (0, 1, 0)
