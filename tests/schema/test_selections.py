"""What a connection's nodes select, read ahead of resolving them."""

from typing import Any

import strawberry

from schema.selections import node_fields

SEEN: list[tuple[str, dict[str, Any]]] = []


@strawberry.type
class Item:
    name: str

    @strawberry.field
    def children(self, first: int | None = None, after: str | None = None) -> list[int]:
        return []


@strawberry.type
class Edge:
    node: Item


@strawberry.type
class ItemConnection:
    edges: list[Edge]
    nodes: list[Item]
    total: int


@strawberry.type
class Query:
    @strawberry.field
    def items(self, info: strawberry.Info) -> ItemConnection:
        SEEN.extend(node_fields(info))
        return ItemConnection(edges=[], nodes=[], total=0)


SCHEMA = strawberry.Schema(Query)


def selected(query: str, variables: dict[str, Any] | None = None) -> list[tuple[str, Any]]:
    SEEN.clear()
    result = SCHEMA.execute_sync(query, variable_values=variables)
    assert result.errors is None, result.errors
    return list(SEEN)


def test_fields_under_edges_and_nodes_with_their_arguments():
    assert selected("{ items { total edges { node { name children(first: 2) } } "
                    "nodes { children } } }") == [
        ("name", {}), ("children", {"first": 2, "after": None}),
        ("children", {"first": None, "after": None})]


def test_fragments_aliases_and_variables_are_read_through():
    query = """query($n: Int!) { items { ...Nodes edges { ... on Edge { node {
      few: children(first: $n) } } } } }
    fragment Nodes on ItemConnection { nodes { ... on Item { name } } }"""
    assert selected(query, {"n": 5}) == [("name", {}), ("children", {"first": 5, "after": None})]


def test_nothing_below_the_nodes_is_listed():
    assert selected("{ items { total } }") == []
