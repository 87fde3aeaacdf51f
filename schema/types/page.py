"""Pages of a group's work plan."""

from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry import relay

from resolvers import content
from resolvers.domain.content import PageKind
from resolvers.store.pages import PageDoc
from schema.context import Info


@strawberry.type(description="A page of a group: Markdown, placed by its position.")
class Page(relay.Node):
    id: relay.NodeID[str]
    title: str
    body: str = strawberry.field(description="Markdown, at most 50,000 characters.")
    kind: PageKind
    position: int = strawberry.field(description="1-based place in the group's pages.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_positioned(cls, item: content.PositionedPage) -> Self:
        return cls.from_doc(item.with_position())

    @classmethod
    def from_doc(cls, doc: PageDoc) -> Self:
        """A page from its document with its `position`, as an event carries it."""
        return cls(
            id=str(doc["_id"]), title=doc["title"], body=doc["body"], kind=PageKind(doc["kind"]),
            position=doc["position"], created_at=doc["created_at"],
            updated_at=doc["updated_at"],
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one body for Node's overloads
        cls, *, info: Info, node_ids: Any, required: bool = False
    ) -> list[Self | None]:
        ctx = info.context
        found = [
            await content.get_page(store=ctx.store, actor=ctx.viewer, page_id=node_id)
            for node_id in node_ids
        ]
        return [cls.from_positioned(item) if item else None for item in found]
