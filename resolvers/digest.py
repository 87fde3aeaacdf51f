"""The digest: what happened in the caller's groups since a time, for a client coming back.

One request answers it: for a page of the caller's groups, how many discussions were
started, posts written and members joined since then, with the newest few of each; and the
caller's notifications since then. Each kind is read for the whole page in one command, so the
cost follows the page and what is new in it, not the size of the groups.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime

from resolvers.domain.actors import Actor
from resolvers.domain.discussions import DiscussionDoc, PostDoc
from resolvers.domain.groups import GroupDoc, require_actor
from resolvers.domain.notifications import DIGEST_NEWEST, digest_since
from resolvers.domain.paging import PageRequest, Slice
from resolvers.notifications import Shown, shown
from resolvers.store import Store
from resolvers.store.memberships import MembershipDoc


@dataclass(frozen=True, slots=True)
class News[D]:
    """How many of a kind are new, and the newest few."""

    count: int
    newest: list[D]


@dataclass(frozen=True, slots=True)
class GroupNews:
    group: GroupDoc
    discussions: News[DiscussionDoc]
    posts: News[PostDoc]
    members: News[MembershipDoc]


@dataclass(frozen=True, slots=True)
class Digest:
    since: datetime  # from when it counts
    groups: Slice[GroupNews]
    notifications: News[Shown]


async def digest(
    *, store: Store, actor: Actor | None, since: datetime, page: PageRequest, now: datetime
) -> Digest:
    """What is new since `since` (at most `DIGEST_REACH` back) in a page of the caller's
    groups, and in their notifications. Members read their groups' content: hidden and
    deleted posts are left out."""
    actor = require_actor(actor)
    since = digest_since(since, now)
    memberships, behind = await store.memberships.groups_of(
        user_id=actor.id, seek=page.seek(), limit=page.limit())
    group_ids = [doc["group_id"] for doc in memberships]
    found_groups, started, written, joined, notified = await asyncio.gather(
        store.groups.get_many(group_ids=group_ids),
        store.discussions.started_since(group_ids=group_ids, since=since, limit=DIGEST_NEWEST),
        store.posts.published_since(group_ids=group_ids, since=since, limit=DIGEST_NEWEST),
        store.memberships.joined_since(group_ids=group_ids, since=since, limit=DIGEST_NEWEST),
        store.notifications.since(user_id=actor.id, since=since, limit=DIGEST_NEWEST),
    )
    groups = {str(doc["_id"]): doc for doc in found_groups}

    def news_of[D](found: dict[str, tuple[int, list[D]]], group_id: str) -> News[D]:
        count, newest = found.get(group_id, (0, []))
        return News(count, newest)

    items = [GroupNews(groups[group_id], news_of(started, group_id), news_of(written, group_id),
                       news_of(joined, group_id))
             for group_id in group_ids if group_id in groups]
    count, newest = notified
    return Digest(
        since=since,
        groups=page.sliced((items, behind), lambda item: str(item.group["_id"])),
        notifications=News(count, await shown(store, actor, newest)),
    )
