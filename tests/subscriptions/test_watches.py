"""Which events reach a subscription's queue at all (`wants`): only those it may deliver, or
that change what its subscriber may see. Every event reaching a queue wakes its task, so an
event of one discussion must not wake the thousands following another."""

from resolvers.domain.events import EventKind
from subscriptions.feeds import POST_KINDS
from subscriptions.watches import GroupWatch
from tests.conftest import actor

MIA = actor("mia")


async def _no_role() -> tuple[bool, None]:
    return True, None


def post_added(group_id: str, discussion_id: str) -> dict:
    return {"kind": EventKind.POST_ADDED, "group_id": group_id, "discussion_id": discussion_id,
            "subject": {"_id": "p1", "discussion_id": discussion_id}}


def member_event(kind: EventKind, user_id: str) -> dict:
    return {"kind": kind, "group_id": "g1", "subject": {"user_id": user_id}}


def test_a_discussion_watch_wants_its_posts_and_its_subscribers_membership_only():
    watch = GroupWatch(actor=MIA, group_id="g1", current_role=_no_role, kinds=POST_KINDS,
                       discussion_id="d1")
    assert watch.wants(post_added("g1", "d1"))
    assert not watch.wants(post_added("g1", "d2"))
    assert not watch.wants(post_added("g2", "d1"))
    assert watch.wants(member_event(EventKind.MEMBER_REMOVED, "mia"))
    assert not watch.wants(member_event(EventKind.MEMBER_REMOVED, "bea"))


def test_a_group_watch_wants_every_discussion_of_its_group():
    watch = GroupWatch(actor=MIA, group_id="g1", current_role=_no_role, kinds=POST_KINDS)
    assert watch.wants(post_added("g1", "d1")) and watch.wants(post_added("g1", "d2"))
    assert not watch.wants(post_added("g2", "d1"))
