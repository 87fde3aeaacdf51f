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
from schema.execution import Attribute, PlainFieldsExecutor, read_attributes_directly


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
    read_attributes_directly(schema)
    return schema


QUERY = """query($skip: Boolean!) {
  items { later name count colour tags maybe at scores __typename shout again: name
          skipped: count @skip(if: $skip) }
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


def test_agoras_plain_fields_read_their_attribute_directly():
    types = build_schema()._schema.type_map
    assert isinstance(types["Group"].fields["title"].resolve, Attribute)
    assert isinstance(types["Discussion"].fields["postCount"].resolve, Attribute)
    assert not isinstance(types["Group"].fields["owner"].resolve, Attribute)  # a resolver
    assert not isinstance(types["Group"].fields["id"].resolve, Attribute)  # Relay's own


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
    read_attributes_directly(schema)

    result = await schema.execute("{ items { name count colour } }")
    assert result.data == {"items": [{"name": "first", "count": 3, "colour": "RED"},
                                     {"name": "second", "count": 3, "colour": "RED"}]}
    assert not isinstance(schema._schema.type_map["Item"].fields["name"].resolve, Attribute)
