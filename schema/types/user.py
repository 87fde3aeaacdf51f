"""Users, as other users see them."""

from collections.abc import Iterable
from typing import Self

import strawberry
from strawberry import relay

from resolvers.store.users import UserDoc
from schema.context import Info


@strawberry.type
class User(relay.Node):
    id: relay.NodeID[str]
    name: str
    country: str | None
    handle: str | None = strawberry.field(
        default=None, description="How posts mention them: @handle. Made from their name.")

    @classmethod
    def from_doc(cls, doc: UserDoc) -> Self:
        return cls(id=doc["_id"], name=doc["name"], country=doc.get("country"),
                   handle=doc.get("handle"))

    @classmethod
    async def by_id(cls, info: Info, user_id: str | None) -> "User | None":
        """The user `user_id` names, if any, through the request's loader."""
        if user_id is None:
            return None
        doc = await info.context.loaders.users.load(user_id)
        return cls.from_doc(doc) if doc else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one body for Node's overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        if info.context.viewer is None:
            return [None for _ in node_ids]
        docs = await info.context.loaders.users.load_many(list(node_ids))
        return [cls.from_doc(doc) if doc else None for doc in docs]
