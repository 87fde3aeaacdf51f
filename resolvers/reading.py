"""Read markers: how far each reader has read, kept exact as posts come and go.

A reader's marker in a discussion moves forward only: to a post they read
(`markDiscussionRead`) or wrote. Each post that is hidden, deleted or restored changes the
published counts of its discussion and group, and the count of read posts of each reader
whose marker lies past it, so that every unread count stays exact (`resolvers.store.reads`).
"""

from datetime import datetime

from resolvers.domain.discussions import DiscussionDoc, PostDoc, is_published
from resolvers.store import Store

# A marker moved by another request of the same reader meanwhile is read again; each retry
# finds it further on, so few are ever needed.
MOVES_TRIED = 5


async def read_up_to(
    store: Store, user_id: str, discussion: DiscussionDoc, post: PostDoc, now: datetime
) -> None:
    """`user_id` has read `discussion` up to `post`: move their marker there, unless it is
    further on already."""
    discussion_id, group_id = str(discussion["_id"]), discussion["group_id"]
    for _ in range(MOVES_TRIED):
        found = await store.reads.markers(user_id=user_id, discussion_ids=[discussion_id])
        before = found[0]["upto"] if found else None
        if before is not None and before >= post["_id"]:
            return
        read = await store.posts.count_published(discussion_id=discussion_id, after=before,
                                                 upto=post["_id"])
        if await store.reads.move_marker(discussion_id=discussion_id, group_id=group_id,
                                         user_id=user_id, expected=before, upto=post["_id"],
                                         read=read, now=now):
            await store.reads.add_to_tally(group_id=group_id, user_ids=[user_id], read=read)
            return


async def wrote(
    store: Store, user_id: str, discussion: DiscussionDoc, post: PostDoc, published: int,
    now: datetime,
) -> None:
    """`user_id` wrote `post`, the discussion's `published`-th published post: they have read
    up to it. Most writers had read every post before theirs, which the counts show without
    counting posts; only if some were unread are they counted."""
    discussion_id, group_id = str(discussion["_id"]), discussion["group_id"]
    before = await store.reads.move_to_own_post(
        discussion_id=discussion_id, group_id=group_id, user_id=user_id, post_id=post["_id"],
        now=now)
    if before is None:
        return
    read = 1
    if before.get("read", 0) + 1 != published:  # some they had not read, now read too
        between = await store.posts.count_published(
            discussion_id=discussion_id, after=before.get("upto"), upto=post["_id"]) - 1
        if between:
            await store.reads.count_read(discussion_id=discussion_id, user_id=user_id,
                                         by=between)
            read += between
    await store.reads.add_to_tally(group_id=group_id, user_ids=[user_id], read=read)


async def recount(store: Store, after: PostDoc, *, was_published: bool) -> None:
    """A post was hidden, deleted or restored, and is now `after`: if that withdrew or
    published it, the counts of published posts, and of those read, follow."""
    by = int(is_published(after)) - int(was_published)
    if by == 0:
        return
    discussion_id, group_id = after["discussion_id"], after["group_id"]
    await store.discussions.count_published(discussion_id=discussion_id, by=by)
    await store.groups.count_published_posts(group_id=group_id, by=by)
    readers = await store.reads.recount_past(discussion_id=discussion_id, post_id=after["_id"],
                                             by=by)
    await store.reads.add_to_tally(group_id=group_id, user_ids=readers, read=by)
