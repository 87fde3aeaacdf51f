"""The extension runner asks only the extensions that define a per-result hook."""

from collections.abc import Iterator
from typing import ClassVar

from strawberry.extensions import SchemaExtension

from schema import build_schema


class Telling(SchemaExtension):
    """Adds its results to every result, and sees every streamed result."""

    seen: ClassVar[list[object]] = []

    def get_results(self) -> dict[str, object]:
        return {"told": True}

    def on_stream_result(self, result) -> Iterator[None]:
        Telling.seen.append(result.data)
        yield


async def test_an_extension_that_defines_results_and_stream_hooks_still_gets_them():
    schema = build_schema(observers=[Telling])
    executed = await schema.execute("{ __typename }")
    assert executed.data == {"__typename": "Query"}
    assert executed.extensions == {"told": True}

    Telling.seen.clear()
    streamed = [result async for result in await schema.stream("{ __typename }")]
    assert [result.data for result in streamed] == [{"__typename": "Query"}]
    assert streamed[0].extensions == {"told": True}
    assert Telling.seen == [{"__typename": "Query"}]


async def test_without_such_extensions_results_carry_no_extensions():
    schema = build_schema()
    executed = await schema.execute("{ __typename }")
    assert executed.data == {"__typename": "Query"} and not executed.extensions
    streamed = [result async for result in await schema.stream("{ __typename }")]
    assert [result.data for result in streamed] == [{"__typename": "Query"}]
