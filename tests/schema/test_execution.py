"""Plain fields completed in one step answer exactly as graphql-core would, errors included."""

import json
from datetime import UTC, datetime
from enum import Enum
from operator import getitem
from typing import Any

import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig

from schema import build_schema
from schema.fastpath.execution import Attribute, Method, PlainFieldsExecutor, resolve_directly


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    name: str
    count: int
    colour: Colour
    tags: list[str]
    maybe: str | None
    at: datetime
    scores: list[int | None] | None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    async def later(self) -> str:
        return f"later {self.name}"

    @strawberry.field
    def where(self, info: strawberry.Info) -> str:
        return f"{self.name} at {'.'.join(map(str, info.path.as_list()))}"

    @strawberry.field
    def loud(self) -> int | None:
        return self.name.upper()  # type: ignore[return-value]  # not what it declares

    @strawberry.field
    def repeated(self, times: int = 2, separator: str | None = None,
                 upper_case: bool = False) -> str:
        text = (separator or "-").join([self.name] * times)
        return text.upper() if upper_case else text

    @strawberry.field
    def tinted(self, colour: Colour) -> str:
        return f"{self.name} in {colour.value}"


def item(**changes: Any) -> Item:
    values: dict[str, Any] = {
        "name": "first", "count": 3, "colour": Colour.RED, "tags": ["a", "b"], "maybe": None,
        "at": datetime(2026, 11, 26, 12, 0, tzinfo=UTC), "scores": [1, None, 3],
    }
    values.update(changes)
    return Item(**values)


SOURCES = {
    "plain": [item(), item(name="second", maybe="yes", scores=None)],
    # A value that is missing where one is required, or that its type refuses.
    "null name": [item(), item(name=None)],
    "bad colour": [item(colour="green")],
    "bad count": [item(count="many")],
    "null tag": [item(tags=["a", None])],
    "tags not a list": [item(tags="ab")],
    "bad score": [item(scores=[1, "two"])],
    "missing attribute": [object()],
}


def schema_for(items: list[Any], *, plain_fields: bool) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def items(self) -> list[Item]:
            return items

        @strawberry.field
        async def first(self) -> Item | None:
            return items[0]

    if not plain_fields:
        return strawberry.Schema(query=Query)
    schema = strawberry.Schema(query=Query, execution_context_class=PlainFieldsExecutor)
    resolve_directly(schema)
    return schema


QUERY = """query($skip: Boolean!) {
  items { later name count colour tags maybe at scores __typename shout again: name
          skipped: count @skip(if: $skip) where loud repeated(times: 3, upperCase: true)
          twice: repeated(separator: "+") tinted(colour: BLUE) }
  first { at colour name later }
}"""


@pytest.mark.parametrize("case", SOURCES)
async def test_plain_fields_answer_as_graphql_core_does(case: str):
    items = SOURCES[case]
    expected = await schema_for(items, plain_fields=False).execute(
        QUERY, variable_values={"skip": True}
    )
    answered = await schema_for(items, plain_fields=True).execute(
        QUERY, variable_values={"skip": True}
    )

    # The same text: the same values, with the fields in the order the query asked for.
    assert json.dumps(answered.data) == json.dumps(expected.data)
    assert [(e.message, e.path) for e in answered.errors or []] == [
        (e.message, e.path) for e in expected.errors or []
    ]


def test_agoras_plain_fields_are_read_and_computed_directly():
    types = build_schema()._schema.type_map
    assert isinstance(types["Group"].fields["title"].resolve, Attribute)
    assert isinstance(types["Discussion"].fields["postCount"].resolve, Attribute)
    assert isinstance(types["Group"].fields["owner"].resolve, Method)  # its parent's method
    assert isinstance(types["Group"].fields["discussions"].resolve, Method)  # scalar arguments
    assert not isinstance(types["Query"].fields["groups"].resolve, Method)  # a permission
    assert not isinstance(types["Group"].fields["id"].resolve, Attribute | Method)  # Relay's


async def test_a_schema_reading_fields_another_way_keeps_its_resolvers():
    @strawberry.type
    class Query:
        @strawberry.field
        def items(self) -> list[Item]:
            return [dict(vars(item())), dict(vars(item(name="second")))]  # read by key

    schema = strawberry.Schema(
        query=Query, config=StrawberryConfig(default_resolver=getitem),
        execution_context_class=PlainFieldsExecutor,
    )
    resolve_directly(schema)

    result = await schema.execute("{ items { name count colour } }")
    assert result.data == {"items": [{"name": "first", "count": 3, "colour": "RED"},
                                     {"name": "second", "count": 3, "colour": "RED"}]}
    assert not isinstance(schema._schema.type_map["Item"].fields["name"].resolve, Attribute)


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Owner(Named):  # an interface's: Strawberry tests what an `Owner` field holds
    @strawberry.field
    def fails(self) -> str:
        raise ValueError(f"{self.name} failed")

    @strawberry.field
    async def fails_later(self) -> str:
        raise ValueError(f"{self.name} failed later")

    @strawberry.field
    async def later(self) -> str:
        return f"later {self.name}"


@strawberry.type
class Shelf:
    owner: Owner
    maybe_owner: Owner | None
    items: list[Item]
    loose: list[Item | None] | None
    owners: list[Owner | None]


def shelf(**changes: Any) -> Shelf:
    values: dict[str, Any] = {
        "owner": Owner(name="olga"), "maybe_owner": None, "items": [item(), item(name="b")],
        "loose": [item(), None], "owners": [Owner(name="omar"), None],
    }
    values.update(changes)
    return Shelf(**values)


SHELVES = {
    "plain": [shelf(), shelf(maybe_owner=Owner(name="mia"), loose=None)],
    "tuples": [shelf(items=(item(),), owners=(Owner(name="tom"),))],
    # Values their type refuses, and nulls where none may be.
    "null owner": [shelf(), shelf(owner=None)],
    "an item for an owner": [shelf(maybe_owner=item())],
    "an item among owners": [shelf(owners=[Owner(name="omar"), item()])],
    "null item": [shelf(items=[item(), None])],
    "items not a list": [shelf(items=item())],
    "item with a bad count": [shelf(items=[item(count="many")])],
    "missing attribute": [shelf(), object()],
}

SHELF_QUERIES = {
    "plain": """{ shelves { owner { name later } maybeOwner { name } items { name count }
                  loose { name } owners { name } again: owner { name } }
                  shelf { items { name tags } } }""",
    # An error below a non-null object reaches the nearest field that may be null.
    "an error below": """{ shelves { items { name } owner { name fails } owners { fails } } }""",
    # A field under way when its sibling fails: settled in the background, not left pending.
    "an error beside one under way": """{ shelves { owners { later fails } } }""",
    "an error below, later": """{ shelves { owner { failsLater name }
                                 owners { name failsLater } loose { later } } }""",
}


def shelves_schema(shelves: list[Any], *, plain_fields: bool) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def shelves(self) -> list[Shelf | None]:
            return shelves

        @strawberry.field
        async def shelf(self) -> Shelf | None:
            return shelves[0]

    if not plain_fields:
        return strawberry.Schema(query=Query, types=[Owner])
    schema = strawberry.Schema(query=Query, types=[Owner],
                               execution_context_class=PlainFieldsExecutor)
    resolve_directly(schema)
    return schema


@pytest.mark.parametrize("query", SHELF_QUERIES)
@pytest.mark.parametrize("case", SHELVES)
async def test_objects_completed_here_answer_as_graphql_core_does(case: str, query: str):
    shelves = SHELVES[case]
    expected = await shelves_schema(shelves, plain_fields=False).execute(SHELF_QUERIES[query])
    answered = await shelves_schema(shelves, plain_fields=True).execute(SHELF_QUERIES[query])

    assert json.dumps(answered.data) == json.dumps(expected.data)
    assert [(e.message, e.path) for e in answered.errors or []] == [
        (e.message, e.path) for e in expected.errors or []
    ]


def test_methods_with_arguments_strawberry_would_convert_keep_strawberrys_resolvers():
    types = schema_for([], plain_fields=True)._schema.type_map
    assert isinstance(types["Item"].fields["repeated"].resolve, Method)
    assert not isinstance(types["Item"].fields["tinted"].resolve, Method)  # an enum


def test_objects_and_lists_of_them_are_read_directly():
    types = shelves_schema([], plain_fields=True)._schema.type_map
    assert isinstance(types["Shelf"].fields["owner"].resolve, Attribute)
    assert types["Shelf"].fields["owner"].resolve.objects is not None
    assert types["Shelf"].fields["owners"].resolve.objects is not None
    assert types["Shelf"].fields["loose"].resolve.objects is not None


@strawberry.type
class Gone:
    message: str


class GoneHandler(strawberry.ExceptionHandler[LookupError, Gone]):
    def handle(self, exception: LookupError, *, field: Any, info: Any) -> Gone:
        return Gone(message=str(exception))


async def test_a_schema_handling_exceptions_keeps_strawberrys_resolvers():
    @strawberry.type
    class Shop:
        @strawberry.field
        def stock(self) -> Item | Gone:
            raise LookupError("sold out")

    @strawberry.type
    class Query:
        @strawberry.field
        def shop(self) -> Shop:
            return Shop()

    schema = strawberry.Schema(query=Query, exception_handlers=[GoneHandler()],
                               execution_context_class=PlainFieldsExecutor)
    resolve_directly(schema)

    assert not isinstance(schema._schema.type_map["Shop"].fields["stock"].resolve, Method)
    result = await schema.execute("{ shop { stock { ... on Gone { message } } } }")
    assert result.data == {"shop": {"stock": {"message": "sold out"}}}
