"""DataLoaders, built once per request, so a nested read costs about one database command
per level, whatever the page sizes.

A page's resolvers may also find their answers already loaded: `Loaders.load_ahead` loads, for
a whole page of groups, what their fields will ask for, and `then` lets a resolver answer at
once from a loader's settled answer instead of awaiting it, object by object."""

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, cast, overload

from strawberry.dataloader import DataLoader

from resolvers.domain.actors import Actor
from resolvers.domain.discussions import DiscussionDoc, PostDoc, may_read, may_see_hidden
from resolvers.domain.errors import ValidationFailed
from resolvers.domain.groups import GroupDoc
from resolvers.domain.membership import GroupRole, role_decides_content
from resolvers.domain.paging import Page, PageRequest, page_of
from resolvers.store import Store
from resolvers.store.discussions import position_of
from resolvers.store.users import UserDoc

# (parent id, how many to fetch, whether hidden posts count)
PageKey = tuple[str, int, bool]


def first_page_key(parent_id: str, size: int, hidden: bool = False) -> PageKey:
    """The key of a first page of `size`: one more is fetched, to tell whether more follow."""
    return parent_id, size + 1, hidden

# A value, or an awaitable of it: what a resolver may return.
type Soon[T] = T | Awaitable[T]


@overload
def then[T, R](value: Awaitable[T], step: Callable[[T], Soon[R]]) -> Soon[R]: ...
@overload
def then[T, R](value: Soon[T], step: Callable[[T], Soon[R]]) -> Soon[R]: ...
def then[T, R](value: Soon[T], step: Callable[[T], Soon[R]]) -> Soon[R]:
    """`step` of `value`: at once when `value` is at hand (a plain value, or a loader's answer
    already settled), otherwise an awaitable of it. An awaitable `step` returns is awaited in
    turn, so steps chain."""
    if isinstance(value, asyncio.Future):
        if value.done():
            return step(value.result())
    elif not is_awaitable(value):
        return step(cast(T, value))

    async def later() -> R:
        return await awaited(step(await cast(Awaitable[T], value)))

    return later()


@overload
async def awaited[T](value: Awaitable[T]) -> T: ...
@overload
async def awaited[T](value: Soon[T]) -> T: ...
async def awaited[T](value: Soon[T]) -> T:
    """`value`, awaited if it is an awaitable."""
    if is_awaitable(value):
        return await cast(Awaitable[T], value)
    return cast(T, value)


def is_awaitable(value: object) -> bool:
    """`inspect.isawaitable` without its abstract-class check, which is slow for the plain
    values resolvers mostly pass: whether the value's type can be awaited."""
    return hasattr(type(value), "__await__")


def _by_id[T](
    fetch: Callable[[list[str]], Awaitable[list[T]]], key: Callable[[T], Any]
) -> Callable[[Sequence[str]], Awaitable[list[T | None]]]:
    async def load(ids: Sequence[str]) -> list[T | None]:
        found = {str(key(doc)): doc for doc in await fetch(list(ids))}
        return [found.get(ident) for ident in ids]

    return load


Fetch = Callable[[list[str], int, bool], Awaitable[list[dict[str, Any]]]]
FetchOne = Callable[[str, int, bool], Awaitable[list[dict[str, Any]]]]


def _first_pages(
    fetch: Fetch, fetch_one: FetchOne, parent: str
) -> Callable[[Sequence[PageKey]], Awaitable[list[list[dict[str, Any]]]]]:
    """Batch first pages of many parents: one command per distinct page size (a plain
    indexed query when there is a single parent, an aggregation otherwise)."""

    async def load(keys: Sequence[PageKey]) -> list[list[dict[str, Any]]]:
        wanted: dict[tuple[int, bool], list[str]] = defaultdict(list)
        for parent_id, limit, hidden in keys:
            wanted[limit, hidden].append(parent_id)
        found: dict[PageKey, list[dict[str, Any]]] = defaultdict(list)
        for (limit, hidden), parent_ids in wanted.items():
            if len(parent_ids) == 1:
                docs = await fetch_one(parent_ids[0], limit, hidden)
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
            _by_id(lambda ids: store.users.get_many(user_ids=ids), lambda doc: doc["_id"])
        )
        self.groups: DataLoader[str, GroupDoc | None] = DataLoader(
            _by_id(lambda ids: store.groups.get_many(group_ids=ids), lambda doc: doc["_id"])
        )

        async def viewer_roles(group_ids: Sequence[str]) -> list[GroupRole | None]:
            if viewer is None:
                return [None for _ in group_ids]
            docs = await store.memberships.roles_of(user_id=viewer.id, group_ids=list(group_ids))
            roles = {doc["group_id"]: GroupRole(doc["role"]) for doc in docs}
            return [roles.get(group_id) for group_id in group_ids]

        # The caller's role in each group, by group id.
        self.viewer_roles: DataLoader[str, GroupRole | None] = DataLoader(viewer_roles)
        self._discussions: DataLoader[PageKey, list[DiscussionDoc]] = DataLoader(
            _first_pages(
                lambda ids, limit, _: store.discussions.first_pages(group_ids=ids, limit=limit),
                lambda one, limit, _: store.discussions.page(group_id=one, after=None,
                                                             limit=limit),
                "group_id",
            )
        )
        self._posts: DataLoader[PageKey, list[PostDoc]] = DataLoader(
            _first_pages(
                lambda ids, limit, hidden: store.posts.first_pages(
                    discussion_ids=ids, limit=limit, include_hidden=hidden
                ),
                lambda one, limit, hidden: store.posts.page(
                    discussion_id=one, after=None, limit=limit, include_hidden=hidden
                ),
                "discussion_id",
            )
        )

    def first_discussions(
        self, *, group: GroupDoc, viewer_role: GroupRole | None, page: PageRequest
    ) -> Soon[Page[DiscussionDoc] | None]:
        if not may_read(self._viewer, group, viewer_role):
            return None
        size = page.size()
        return then(self._discussions.load(first_page_key(str(group["_id"]), size)),
                    lambda docs: page_of(docs, size, position_of))

    def first_posts(
        self, *, discussion: DiscussionDoc, group: GroupDoc, viewer_role: GroupRole | None,
        page: PageRequest,
    ) -> Soon[Page[PostDoc]]:
        size = page.size()
        hidden = may_see_hidden(self._viewer, group, viewer_role)
        return then(self._posts.load(first_page_key(str(discussion["_id"]), size, hidden)),
                    lambda docs: page_of(docs, size, lambda doc: str(doc["_id"])))

    async def load_ahead(
        self, groups: Sequence[GroupDoc], *, owners: bool, discussions: Iterable[PageRequest],
    ) -> None:
        """Load at once, for a whole page of groups, what their fields will ask for: their
        owners, and each first page of `discussions` of every group the viewer may read (the
        viewer's roles first, in the groups where the role decides that). Each group's
        resolvers then answer from settled loaders, without awaiting group by group. A page
        size out of bounds is left for the resolver to report."""
        sizes = {size for size in map(_first_page_size, discussions) if size is not None}
        ids = [str(group["_id"]) for group in groups]

        async def first_discussions() -> None:
            deciding = [ident for ident, group in zip(ids, groups, strict=True)
                        if role_decides_content(self._viewer, group)]
            roles = dict(zip(deciding, await self.viewer_roles.load_many(deciding), strict=True))
            await asyncio.gather(*(
                self._discussions.load(first_page_key(ident, size))
                for ident, group in zip(ids, groups, strict=True)
                if may_read(self._viewer, group, roles.get(ident)) for size in sizes
            ))

        loads: list[Awaitable[Any]] = []
        if owners:
            loads.append(self.users.load_many([group["owner_id"] for group in groups]))
        if sizes:
            loads.append(first_discussions())
        await asyncio.gather(*loads)


def _first_page_size(page: PageRequest) -> int | None:
    """The size of `page` if it is a first page within bounds; None otherwise."""
    if page.after is not None:
        return None
    try:
        return page.size()
    except ValidationFailed:
        return None
