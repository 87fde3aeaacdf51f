"""Relay connections, shared by every list. Cursors are encoded only where a query selects
them, from the page's documents."""

from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar

import strawberry

from resolvers.domain.paging import Slice
from schema.declared import Audience, declare

T = TypeVar("T")
D = TypeVar("D")


@strawberry.type
class PageInfo:
    page: strawberry.Private[Slice[Any]]

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def has_next_page(self) -> bool:
        return self.page.has_next_page

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def has_previous_page(self) -> bool:
        return self.page.has_previous_page

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def start_cursor(self) -> str | None:
        return self.page.start_cursor

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def end_cursor(self) -> str | None:
        return self.page.end_cursor


@strawberry.type
class Edge(Generic[T]):  # noqa: UP046 - Strawberry resolves TypeVar generics
    node: T
    item: strawberry.Private[Any]  # the document the node was made from
    page: strawberry.Private[Slice[Any]]

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def cursor(self) -> str:
        return self.page.cursor(self.item)


@strawberry.type
class Connection(Generic[T]):  # noqa: UP046
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(cls, page: Slice[D], to_node: Callable[[D], T]) -> Self:
        return cls(
            edges=[Edge(node=to_node(item), item=item, page=page) for item in page.items],
            page_info=PageInfo(page=page),
        )
