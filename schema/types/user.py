"""Users, as others see them, and the signed-in user as they see themselves."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry import relay

from resolvers.domain.actors import Role
from schema.context import Info

RoleType = strawberry.enum(Role, name="Role")


@strawberry.type
class User(relay.Node):
    id: relay.NodeID[str]
    name: str
    country: str | None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Self:
        return cls(id=doc["_id"], name=doc["name"], country=doc.get("country"))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        if info.context.viewer is None:
            return [None for _ in node_ids]
        docs = await info.context.loaders.users.load_many(list(node_ids))
        return [cls.from_doc(doc) if doc else None for doc in docs]


@strawberry.type(description="The signed-in user, as recorded from their token.")
class Me:
    id: strawberry.ID = strawberry.field(description="The same global ID as the `User`.")
    name: str
    country: str | None
    roles: list[RoleType]  # type: ignore[valid-type]
    created_at: datetime

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Self:
        return cls(
            id=strawberry.ID(relay.to_base64(User, doc["_id"])),
            name=doc["name"],
            country=doc.get("country"),
            roles=[Role(role) for role in doc.get("roles", [])],
            created_at=doc["created_at"],
        )
