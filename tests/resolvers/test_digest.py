"""The digest: what is new in the caller's groups since a time, page by page."""

from datetime import timedelta

import pytest

from resolvers import digest, membership, moderation
from resolvers.domain.errors import Unauthenticated
from resolvers.domain.notifications import DIGEST_REACH
from resolvers.domain.paging import PageRequest
from tests.conftest import actor
from tests.resolvers.test_discussions import MEMBER, OUTSIDER, OWNER, post, start
from tests.support import active_group

TWO = PageRequest(first=2, after=None, default_size=20, max_size=100)


async def news(store, clock, who=MEMBER, since=None, page=TWO):
    return await digest.digest(store=store, actor=who, since=since or clock() - timedelta(
        hours=1), page=page, now=clock())


async def test_it_counts_what_is_new_in_the_callers_groups_only(store, clock):
    mine = await active_group(store, clock(), OWNER, title="Maths through games")
    others = await active_group(store, clock(), OWNER, title="Music in primary")
    await membership.join_group(store=store, actor=MEMBER, group_id=str(mine["_id"]),
                                now=clock())
    clock.advance(hours=2)
    since = clock()
    clock.advance(minutes=1)
    thread = await start(store, clock, mine, who=OWNER)
    clock.advance(seconds=1)
    kept = await post(store, clock, thread, "Kept", who=OWNER)
    hidden = await post(store, clock, thread, "Hidden", who=OWNER)
    await moderation.hide_post(store=store, actor=OWNER, post_id=str(hidden["_id"]),
                               reason="Spam", now=clock())
    await start(store, clock, others, title="Not for me", who=OWNER)
    await membership.join_group(store=store, actor=OUTSIDER, group_id=str(mine["_id"]),
                                now=clock())

    found = await news(store, clock, since=since)
    (group,) = found.groups.items
    assert group.group["_id"] == mine["_id"]
    assert group.discussions.count == 1
    assert [doc["body"] for doc in group.posts.newest] == ["Kept", "Which games work best?"]
    assert group.posts.count == 2
    assert kept["_id"] in [doc["_id"] for doc in group.posts.newest]
    assert (group.members.count, group.members.newest[0]["user_id"]) == (1, OUTSIDER.id)
    assert found.since == since


async def test_it_reaches_back_thirty_days_at_most_and_never_past_now(store, clock):
    found = await news(store, clock, since=clock() - timedelta(days=365))
    assert found.since == clock() - DIGEST_REACH
    found = await news(store, clock, since=clock() + timedelta(days=1))
    assert found.since == clock()
    naive = (clock() - timedelta(days=2)).replace(tzinfo=None)
    assert (await news(store, clock, since=naive)).since == clock() - timedelta(days=2)


async def test_it_pages_through_the_callers_groups(store, clock):
    reader = actor("rita")
    for n in range(5):
        group = await active_group(store, clock(), OWNER, title=f"Group number {n}")
        await membership.join_group(store=store, actor=reader, group_id=str(group["_id"]),
                                    now=clock())
    seen, after = [], None
    while True:
        page = PageRequest(first=2, after=after, default_size=20, max_size=100)
        found = (await news(store, clock, who=reader, page=page)).groups
        seen += [item.group["title"] for item in found.items]
        assert all(item.members.count == 2 for item in found.items)  # the owner and reader
        if not found.has_next_page:
            break
        after = found.end_cursor
    assert sorted(seen) == [f"Group number {n}" for n in range(5)]


async def test_it_needs_a_signed_in_caller(store, clock):
    with pytest.raises(Unauthenticated):
        await news(store, clock, who=None)
