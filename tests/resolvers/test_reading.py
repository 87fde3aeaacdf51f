"""Read markers and unread counts: exact after reads, new posts, hides, deletions and
restores, for each discussion and for its group."""

import pytest

from resolvers import discussions, membership, moderation
from resolvers.domain.errors import NotFound, Unauthenticated
from resolvers.loaders import Loaders
from resolvers.store import Store
from tests.conftest import actor
from tests.resolvers.test_discussions import MEMBER, OUTSIDER, OWNER, post, start
from tests.support import active_group

READER = actor("rita")


@pytest.fixture
async def group(store, clock):
    doc = await active_group(store, clock(), OWNER)
    for who in (MEMBER, READER):
        await membership.join_group(store=store, actor=who, group_id=str(doc["_id"]),
                                    now=clock())
    return doc


async def unread(store: Store, who, discussion, group) -> tuple[int | None, int | None]:
    """What `who` is shown: the discussion's unread count, and its group's (read afresh)."""
    loaders = Loaders(store, who)
    fresh = await store.discussions.get(discussion_id=str(discussion["_id"]))
    fresh_group = await store.groups.get(group_id=str(group["_id"]))
    assert fresh is not None and fresh_group is not None
    return (await loaders.unread_in_discussion(fresh),
            await loaders.unread_in_group(fresh_group))


async def mark(store, clock, discussion, up_to=None, who=READER):
    return await discussions.mark_discussion_read(
        store=store, actor=who, discussion_id=str(discussion["_id"]),
        up_to=None if up_to is None else str(up_to["_id"]), now=clock())


async def test_what_is_unread_follows_reading_and_posting(store, clock, group):
    thread = await start(store, clock, group)
    posts = [await post(store, clock, thread, f"Post {n}") for n in range(4)]
    assert await unread(store, READER, thread, group) == (5, 5)
    # The writer has read what they wrote.
    assert await unread(store, MEMBER, thread, group) == (0, 0)

    await mark(store, clock, thread, posts[1])
    assert await unread(store, READER, thread, group) == (2, 2)
    await mark(store, clock, thread, posts[0])  # back: changes nothing
    assert await unread(store, READER, thread, group) == (2, 2)

    other = await start(store, clock, group, title="Another topic", who=OWNER)
    assert await unread(store, READER, other, group) == (1, 3)
    await mark(store, clock, other)
    assert await unread(store, READER, other, group) == (0, 2)

    # Posting marks read up to one's own post.
    await post(store, clock, thread, "I have read it all", who=READER)
    assert await unread(store, READER, thread, group) == (0, 0)
    await post(store, clock, thread, "And one more")
    assert await unread(store, READER, thread, group) == (1, 1)


async def test_hidden_and_deleted_posts_are_not_unread(store, clock, group):
    thread = await start(store, clock, group)
    first, second, third = [await post(store, clock, thread, f"Post {n}") for n in range(3)]
    await mark(store, clock, thread, second)
    assert await unread(store, READER, thread, group) == (1, 1)

    # Withdrawn after the marker: one fewer unread.
    await moderation.hide_post(store=store, actor=OWNER, post_id=str(third["_id"]),
                               reason="Spam", now=clock())
    assert await unread(store, READER, thread, group) == (0, 0)
    # Withdrawn before it: still nothing unread, and the count of read posts follows.
    await discussions.delete_post(store=store, actor=MEMBER, post_id=str(first["_id"]),
                                  now=clock())
    assert await unread(store, READER, thread, group) == (0, 0)
    # Restored after the marker: unread again.
    await moderation.restore_post(store=store, actor=OWNER, post_id=str(third["_id"]),
                                  reason="Not spam", now=clock())
    assert await unread(store, READER, thread, group) == (1, 1)
    # Hidden then deleted is withdrawn once; restoring a deleted post publishes nothing.
    await moderation.hide_post(store=store, actor=OWNER, post_id=str(third["_id"]),
                               reason="Spam", now=clock())
    await discussions.delete_post(store=store, actor=OWNER, post_id=str(third["_id"]),
                                  now=clock())
    await moderation.restore_post(store=store, actor=OWNER, post_id=str(third["_id"]),
                                  reason="Undo", now=clock())
    assert await unread(store, READER, thread, group) == (0, 0)
    # Who never read it counts only what is published: the opening post and the second.
    assert await unread(store, OWNER, thread, group) == (2, 2)
    fresh = await store.discussions.get(discussion_id=str(thread["_id"]))
    assert fresh is not None and fresh["post_count"] == 4


async def test_marking_read_needs_a_post_of_that_discussion(store, clock, group):
    thread = await start(store, clock, group)
    other = await start(store, clock, group, title="Another topic")
    with pytest.raises(NotFound):
        await mark(store, clock, thread, other)  # the opening post is the discussion's own
    hidden = await post(store, clock, thread, "Hidden")
    await moderation.hide_post(store=store, actor=OWNER, post_id=str(hidden["_id"]),
                               reason="Spam", now=clock())
    with pytest.raises(NotFound):  # a member may not name a hidden post
        await mark(store, clock, thread, hidden)
    await mark(store, clock, thread, hidden, who=OWNER)  # a moderator may
    with pytest.raises(Unauthenticated):
        await mark(store, clock, thread, who=None)


async def test_outsiders_of_an_invite_only_group_see_no_counts(store, clock):
    group = await active_group(store, clock(), OWNER, participation="INVITE_ONLY")
    thread = await start(store, clock, group, who=OWNER)
    assert await unread(store, OUTSIDER, thread, group) == (None, None)
    assert await unread(store, None, thread, group) == (None, None)
    with pytest.raises(NotFound):
        await mark(store, clock, thread, who=OUTSIDER)
