"""DataLoaders, built once per request, so nested reads cost one round trip per level."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from resolvers.domain.groups import GroupDoc
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
    def __init__(self, store: Store) -> None:
        self.users: DataLoader[str, UserDoc | None] = DataLoader(
            _by_id(lambda ids: store.users.get_many(user_ids=ids), lambda doc: doc["_id"])
        )
        self.groups: DataLoader[str, GroupDoc | None] = DataLoader(
            _by_id(lambda ids: store.groups.get_many(group_ids=ids), lambda doc: doc["_id"])
        )
