"""DataLoaders, built once per request, so nested reads cost one round trip per level."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from resolvers.domain.actors import Actor
from resolvers.domain.groups import GroupDoc
from resolvers.domain.membership import GroupRole
from resolvers.store import Store
from resolvers.store.users import UserDoc


def _by_id[T](
    fetch: Callable[[list[str]], Awaitable[list[T]]], key: Callable[[T], Any]
) -> Callable[[Sequence[str]], Awaitable[list[T | None]]]:
    async def load(ids: Sequence[str]) -> list[T | None]:
        found = {str(key(doc)): doc for doc in await fetch(list(ids))}
        return [found.get(ident) for ident in ids]

    return load


class Loaders:
    def __init__(self, store: Store, viewer: Actor | None) -> None:
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
