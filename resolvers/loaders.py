"""DataLoaders, built once per request, so a nested read costs about one database command
per level, whatever the page sizes (a command per `IN_AT_MOST` keys, which one `$in` holds).

`Loaders.discussions_ahead` loads, for a whole page of groups at once, what each group's
`discussions` will ask for, for an executor that completes the page's groups together to
call first (`schema.declared`)."""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from resolvers.coalesced import IN_AT_MOST
from resolvers.domain.actors import Actor
from resolvers.domain.discussions import (
    DiscussionDoc,
    PostDoc,
    may_read,
    may_see_hidden,
    unread_count,
)
from resolvers.domain.errors import ValidationFailed
from resolvers.domain.groups import GroupDoc
from resolvers.domain.membership import GroupRole, role_decides_content
from resolvers.domain.paging import PageRequest, Seek, Slice, page_of
from resolvers.store import Store
from resolvers.store.discussions import position_of
from resolvers.store.reads import MarkerDoc, TallyDoc
from resolvers.store.users import UserDoc

# (parent id, how many to fetch, whether hidden posts count)
PageKey = tuple[str, int, bool]


def first_page_key(parent_id: str, size: int, hidden: bool = False) -> PageKey:
    """The key of a first page of `size`: one more is fetched, to tell whether more follow."""
    return parent_id, size + 1, hidden


def _by_id[T](
    fetch: Callable[[list[str]], Awaitable[list[T]]], key: Callable[[T], Any]
) -> Callable[[Sequence[str]], Awaitable[list[T | None]]]:
    async def load(ids: Sequence[str]) -> list[T | None]:
        found = {str(key(doc)): doc for doc in await fetch(list(ids))}
        return [found.get(ident) for ident in ids]

    return load


type Fetch[D] = Callable[[list[str], int, bool], Awaitable[list[D]]]
# One parent's first page, and whether anything lies behind its start (nothing does).
type FetchOne[D] = Callable[[str, int, bool], Awaitable[tuple[list[D], bool]]]


def _first_pages[D: Mapping[str, Any]](
    fetch: Fetch[D], fetch_one: FetchOne[D], parent: str
) -> Callable[[Sequence[PageKey]], Awaitable[list[list[D]]]]:
    """Batch first pages of many parents: one command per distinct page size (a plain
    indexed query when there is a single parent, an aggregation otherwise)."""

    async def load(keys: Sequence[PageKey]) -> list[list[D]]:
        wanted: dict[tuple[int, bool], list[str]] = defaultdict(list)
        for parent_id, limit, hidden in keys:
            wanted[limit, hidden].append(parent_id)
        found: dict[PageKey, list[D]] = defaultdict(list)
        for (limit, hidden), parent_ids in wanted.items():
            if len(parent_ids) == 1:
                docs, _ = await fetch_one(parent_ids[0], limit, hidden)
            else:
                docs = await fetch(parent_ids, limit, hidden)
            for doc in docs:
                found[doc[parent], limit, hidden].append(doc)
        return [found[key] for key in keys]

    return load


class Loaders:
    def __init__(self, store: Store, viewer: Actor | None) -> None:
        self._viewer = viewer
        self.users: DataLoader[str, UserDoc | None] = DataLoader(
            _by_id(lambda ids: store.users.get_many(user_ids=ids), lambda doc: doc["_id"]),
            max_batch_size=IN_AT_MOST,
        )
        self.groups = groups = DataLoader[str, GroupDoc | None](
            _by_id(lambda ids: store.groups.get_many(group_ids=ids), lambda doc: doc["_id"]),
            max_batch_size=IN_AT_MOST,
        )

        async def viewer_roles(group_ids: Sequence[str]) -> list[GroupRole | None]:
            if viewer is None:
                return [None for _ in group_ids]
            docs = await store.memberships.roles_of(user_id=viewer.id, group_ids=list(group_ids))
            roles = {doc["group_id"]: GroupRole(doc["role"]) for doc in docs}
            return [roles.get(group_id) for group_id in group_ids]

        # The caller's role in each group, by group id.
        self.viewer_roles = roles = DataLoader[str, GroupRole | None](
            viewer_roles, max_batch_size=IN_AT_MOST)
        first_discussions = _first_pages(
            lambda ids, limit, _: store.discussions.first_pages(group_ids=ids, limit=limit),
            lambda one, limit, _: store.discussions.page(group_id=one, seek=Seek(), limit=limit),
            "group_id",
        )

        async def readable_discussions(keys: Sequence[PageKey]) -> list[list[DiscussionDoc] | None]:
            """First pages of discussions of groups the viewer may read (None for the others),
            by group id and how many to fetch: the viewer's roles first, in the groups where
            the role decides that, then the pages, a command each for all the keys. (It names
            the other loaders, not `self`: a cycle would keep each request's loaders alive
            until the garbage collector's next pass.)"""
            docs = await groups.load_many([ident for ident, _, _ in keys])
            deciding = sorted({ident for (ident, _, _), group in zip(keys, docs, strict=True)
                               if group is not None and role_decides_content(viewer, group)})
            found_roles = dict(zip(deciding, await roles.load_many(deciding), strict=True))
            readable = [key for key, group in zip(keys, docs, strict=True) if group is not None
                        and may_read(viewer, group, found_roles.get(key[0]))]
            found = dict(zip(readable, await first_discussions(readable), strict=True))
            return [found.get(key) for key in keys]

        # The viewer's read markers by discussion id, and their tallies by group id.
        self._markers = DataLoader[str, MarkerDoc | None](_by_id(
            lambda ids: store.reads.markers(user_id=_signed_in(viewer).id, discussion_ids=ids),
            lambda doc: doc["discussion_id"]), max_batch_size=IN_AT_MOST)
        self._tallies = DataLoader[str, TallyDoc | None](_by_id(
            lambda ids: store.reads.tallies(user_id=_signed_in(viewer).id, group_ids=ids),
            lambda doc: doc["group_id"]), max_batch_size=IN_AT_MOST)
        self._discussions: DataLoader[PageKey, list[DiscussionDoc] | None] = DataLoader(
            readable_discussions, max_batch_size=IN_AT_MOST)
        self._posts: DataLoader[PageKey, list[PostDoc]] = DataLoader(
            _first_pages(
                lambda ids, limit, hidden: store.posts.first_pages(
                    discussion_ids=ids, limit=limit, include_hidden=hidden
                ),
                lambda one, limit, hidden: store.posts.page(
                    discussion_id=one, seek=Seek(), limit=limit, include_hidden=hidden
                ),
                "discussion_id",
            ),
            max_batch_size=IN_AT_MOST,
        )

    async def first_discussions(
        self, *, group: GroupDoc, page: PageRequest
    ) -> Slice[DiscussionDoc] | None:
        """The first `page` of `group`'s discussions; None if the viewer may not read them."""
        size = page.size()
        ident = str(group["_id"])
        self.groups.prime(ident, group)
        docs = await self._discussions.load(first_page_key(ident, size))
        return None if docs is None else page_of(docs, size, position_of)

    async def first_posts(
        self, *, discussion: DiscussionDoc, group: GroupDoc, viewer_role: GroupRole | None,
        page: PageRequest,
    ) -> Slice[PostDoc]:
        size = page.size()
        hidden = may_see_hidden(self._viewer, group, viewer_role)
        docs = await self._posts.load(first_page_key(str(discussion["_id"]), size, hidden))
        return page_of(docs, size, lambda doc: str(doc["_id"]))

    async def unread_in_discussion(self, discussion: DiscussionDoc) -> int | None:
        """The published posts of `discussion` the viewer has not read; None unsigned in, or
        where they may not read."""
        if not await self._may_read(discussion["group_id"]):
            return None
        marker = await self._markers.load(str(discussion["_id"]))
        return unread_count(discussion.get("published_count", discussion["post_count"]),
                            0 if marker is None else marker["read"])

    async def unread_in_group(self, group: GroupDoc) -> int | None:
        """The published posts of all `group`'s discussions the viewer has not read."""
        ident = str(group["_id"])
        if not await self._may_read(ident):
            return None
        tally = await self._tallies.load(ident)
        return unread_count(group.get("published_post_count", 0),
                            0 if tally is None else tally["read"])

    async def _may_read(self, group_id: str) -> bool:
        if self._viewer is None:
            return False
        group = await self.groups.load(group_id)
        if group is None:
            return False
        role = await self.viewer_roles.load(group_id) if role_decides_content(
            self._viewer, group) else None
        return may_read(self._viewer, group, role)

    async def discussions_ahead(self, groups: Sequence[GroupDoc], page: PageRequest) -> None:
        """Load `page` of discussions of each of `groups`, as `first_discussions` will ask
        for it. A page size out of bounds is left for `first_discussions` to report."""
        size = _first_page_size(page)
        if size is None:
            return
        for group in groups:
            self.groups.prime(str(group["_id"]), group)
        await self._discussions.load_many([first_page_key(str(group["_id"]), size)
                                           for group in groups])


def _signed_in(viewer: Actor | None) -> Actor:
    assert viewer is not None, "only a signed-in viewer has read markers"
    return viewer


def _first_page_size(page: PageRequest) -> int | None:
    """The size of `page` if it is a first page within bounds; None otherwise."""
    if not page.first_page:
        return None
    try:
        return page.size()
    except ValidationFailed:
        return None
