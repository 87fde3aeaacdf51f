"""Relay connections, shared by every list."""

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from resolvers.domain.paging import Page

T = TypeVar("T")
D = TypeVar("D")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):  # noqa: UP046 - Strawberry resolves TypeVar generics
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):  # noqa: UP046
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(cls, page: Page[D], to_node: Callable[[D], T]) -> "Connection[T]":
        edges = [Edge(node=to_node(item), cursor=cursor) for item, cursor in page.items]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=False,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )
