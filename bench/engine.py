"""What the GraphQL engine alone costs for the group list page: no database, no resolvers.

    .venv/bin/python -m bench.engine [--repeat 2000]

The page's shape (20 groups, each with title, topics, member count, owner name and 3
discussions with title, post count and last post time: about 400 fields) is rendered by
Strawberry and graphql-core from objects already in memory, each field reading an attribute.
Once as Strawberry runs it, once with Agora's one-step completion of plain fields
(`schema/execution.py`). Parsing and validation are cached, as in Agora. This is the least
any page of that shape can cost this engine, whatever the resolvers and the database do.
"""

import argparse
import asyncio
import gc
import time
from datetime import UTC, datetime

import strawberry
from strawberry.extensions import ParserCache, ValidationCache

from schema.execution import PlainFieldsExecutor, read_attributes_directly


@strawberry.type
class User:
    name: str


@strawberry.type
class Discussion:
    title: str
    post_count: int
    last_post_at: datetime


@strawberry.type
class DiscussionEdge:
    node: Discussion


@strawberry.type
class DiscussionConnection:
    edges: list[DiscussionEdge]


@strawberry.type
class Group:
    title: str
    topics: list[str]
    member_count: int
    owner: User
    discussions: DiscussionConnection


@strawberry.type
class GroupEdge:
    node: Group


@strawberry.type
class GroupConnection:
    edges: list[GroupEdge]


NOW = datetime.now(UTC)
PAGE = GroupConnection(edges=[
    GroupEdge(node=Group(
        title=f"Group {g}", topics=["coding", "robotics"], member_count=12,
        owner=User(name=f"Owner {g}"),
        discussions=DiscussionConnection(edges=[
            DiscussionEdge(node=Discussion(title=f"Topic {g}.{d}", post_count=5,
                                           last_post_at=NOW))
            for d in range(3)
        ]),
    ))
    for g in range(20)
])


@strawberry.type
class Query:
    @strawberry.field
    async def groups(self, first: int) -> GroupConnection:  # async, as Agora's root fields are
        return PAGE


QUERY = """{ groups(first: 20) { edges { node { title topics memberCount owner { name }
  discussions { edges { node { title postCount lastPostAt } } } } } } }"""


def schema(*, plain_fields: bool) -> strawberry.Schema:
    built = strawberry.Schema(
        query=Query, extensions=[lambda: ParserCache(maxsize=100), ValidationCache],
        execution_context_class=PlainFieldsExecutor if plain_fields else None,
    )
    if plain_fields:
        read_attributes_directly(built)
    return built


async def cpu_ms(built: strawberry.Schema, repeat: int) -> float:
    """CPU milliseconds per execution of the page, after a few to warm up."""
    for _ in range(20):
        await built.execute(QUERY)
    started = time.process_time()
    for _ in range(repeat):
        result = await built.execute(QUERY)
    if result.errors:
        raise RuntimeError(result.errors)
    return (time.process_time() - started) * 1000 / repeat


async def run(repeat: int) -> list[tuple[str, float]]:
    gc.freeze()  # as `python -m api serve` does
    return [
        ("Strawberry as it comes", await cpu_ms(schema(plain_fields=False), repeat)),
        ("with Agora's one-step plain fields", await cpu_ms(schema(plain_fields=True), repeat)),
    ]


def table(results: list[tuple[str, float]]) -> str:
    lines = ["| the group list page's ~400 fields, from memory | CPU ms per page |", "|---|---|"]
    lines += [f"| {name} | {ms:.2f} |" for name, ms in results]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    print(table(asyncio.run(run(parser.parse_args().repeat))))


if __name__ == "__main__":
    main()
