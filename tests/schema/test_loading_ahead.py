"""The fast path loads ahead, for all the items of a list at once, what their fields declare
(`schema.declared`), before it completes them; and a resolver whose data is loaded then
answers in the call, without waiting."""

import asyncio
import contextvars
from collections.abc import Mapping, Sequence
from typing import Any

import strawberry

from schema.declared import Audience, declare
from schema.fastpath.eager import Started, started
from schema.fastpath.execution import PlainFieldsExecutor, resolve_directly

LOADED: list[tuple[list[str], dict[str, Any]]] = []
WAITED: list[str] = []


async def _children_ahead(context: Any, items: Sequence["Item"], arguments: Mapping[str, Any]
                          ) -> None:
    LOADED.append(([item.name for item in items], dict(arguments)))
    for item in items:
        context.setdefault(item.name, asyncio.get_running_loop().create_future()).set_result(
            [1, 2, 3])


@strawberry.type
class Item:
    name: str

    @strawberry.field(metadata=declare(Audience.EVERYONE, ahead=_children_ahead))
    async def children(self, info: strawberry.Info, first: int | None = None) -> list[int]:
        loaded = info.context.get(self.name)
        if loaded is None or not loaded.done():
            WAITED.append(self.name)
            return [0]
        found: list[int] = await loaded
        return found[:first]


@strawberry.type
class Edge:
    node: Item


@strawberry.type
class ItemConnection:
    edges: list[Edge]
    nodes: list[Item]


@strawberry.type
class Query:
    @strawberry.field
    async def items(self) -> ItemConnection:
        items = [Item(name=name) for name in ("a", "b", "c")]
        return ItemConnection(edges=[Edge(node=item) for item in items], nodes=items)


def fast_schema() -> strawberry.Schema:
    schema = strawberry.Schema(Query, execution_context_class=PlainFieldsExecutor)
    resolve_directly(schema)
    return schema


async def run(query: str, variables: dict[str, Any] | None = None) -> Any:
    LOADED.clear()
    WAITED.clear()
    result = await fast_schema().execute(query, variable_values=variables, context_value={})
    assert result.errors is None, result.errors
    return result.data


async def test_a_lists_items_load_ahead_once_for_all_under_edges_and_nodes():
    data = await run("{ items { edges { node { children(first: 2) } } nodes { name } } }")
    assert LOADED == [(["a", "b", "c"], {"first": 2})]
    assert WAITED == []
    assert [edge["node"]["children"] for edge in data["items"]["edges"]] == [[1, 2]] * 3


async def test_fragments_aliases_and_variables_are_read_through():
    query = """query($n: Int!) { items { ...Nodes } }
    fragment Nodes on ItemConnection { nodes { ... on Item { few: children(first: $n) } } }"""
    data = await run(query, {"n": 1})
    assert LOADED == [(["a", "b", "c"], {"first": 1})]
    assert [node["few"] for node in data["items"]["nodes"]] == [[1]] * 3


async def test_a_field_skipped_loads_nothing():
    await run("{ items { nodes { name children @skip(if: true) } } }")
    assert LOADED == []


async def test_a_coroutine_that_need_not_wait_returns_in_the_call():
    future = asyncio.get_running_loop().create_future()
    future.set_result(5)

    async def settled() -> int:
        return await future + 1

    assert started(settled()) == 6


async def test_one_that_waits_carries_on_when_awaited_and_others_may_await_the_same_future():
    future = asyncio.get_running_loop().create_future()

    async def waiting(plus: int) -> int:
        return await future + plus

    first, second = started(waiting(1)), started(waiting(2))
    assert isinstance(first, Started) and isinstance(second, Started)
    asyncio.get_running_loop().call_soon(future.set_result, 10)
    assert await asyncio.gather(first, second) == [11, 12]


async def test_errors_and_cancellation_reach_the_coroutine():
    future = asyncio.get_running_loop().create_future()
    cleaned: list[str] = []

    async def waiting() -> int:
        try:
            return await future
        finally:
            cleaned.append("done")

    task = asyncio.ensure_future(started(waiting()))
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled() and cleaned == ["done"]


async def test_a_started_coroutine_keeps_one_context_of_its_own_whoever_drives_it_on():
    """The driver sets a context variable around each command and resets it when the command
    answers: the reset must find the variable in the context that set it, though a task of
    graphql-core's, in a context of its own, drives the coroutine on. What it sets stays its
    own."""
    operation: contextvars.ContextVar[str | None] = contextvars.ContextVar("op", default=None)
    future = asyncio.get_running_loop().create_future()

    async def command() -> str | None:
        token = operation.set("find")
        try:
            await future
            return operation.get()
        finally:
            operation.reset(token)  # ValueError if run in another context than set()

    waiting = started(command())
    assert operation.get() is None
    asyncio.get_running_loop().call_soon(future.set_result, None)
    assert await asyncio.ensure_future(waiting) == "find"
    assert operation.get() is None
