"""What the GraphQL engine alone costs for the group list page: no database, no resolvers.

    .venv/bin/python -m bench.engine [--repeat 2000]

The page's shape (20 groups, each with title, topics, member count, owner name and 3
discussions with title, post count and last post time: about 400 fields) is rendered by
Strawberry and graphql-core from objects already in memory, each field reading an attribute.
Once as Strawberry runs it, once on Agora's fast path (`schema/fastpath/`). Parsing and
validation are cached, as in Agora. This is the least any page of that shape can cost this
engine, whatever the resolvers and the database do.

Then each group's owner and discussions through an async resolver per group awaiting a
DataLoader, whose batch function answers from memory at once: as Strawberry runs it (Agora's
stock mode), and on the fast path. The difference to the first two is what resolving per
object, with an awaitable each, costs the engine. Last, the same resolvers declaring what they
load (`schema.declared`), which the fast path loads ahead for the whole page, so that each
group's resolvers answer in the call, as Agora runs.
"""

import argparse
import asyncio
import gc
import time
from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.extensions import ParserCache, ValidationCache

from schema.declared import Audience, declare
from schema.fastpath.execution import PlainFieldsExecutor, resolve_directly


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


OWNERS = {f"owner{g}": User(name=f"Owner {g}") for g in range(20)}
DISCUSSIONS = {f"group{g}": edge.node.discussions for g, edge in enumerate(PAGE.edges)}


@strawberry.type
class GroupByKey:
    """A group of PAGE naming its owner and discussions by key, for a loader to find."""

    title: str
    topics: list[str]
    member_count: int
    owner_id: strawberry.Private[str]
    group_id: strawberry.Private[str]


@strawberry.type
class LoadedGroup(GroupByKey):
    @strawberry.field
    async def owner(self, info: strawberry.Info) -> User:
        user: User = await info.context["users"].load(self.owner_id)
        return user

    @strawberry.field
    async def discussions(self, info: strawberry.Info) -> DiscussionConnection:
        page: DiscussionConnection = await info.context["discussions"].load(self.group_id)
        return page


@strawberry.type
class LoadedGroupEdge:
    node: LoadedGroup


@strawberry.type
class LoadedGroupConnection:
    edges: list[LoadedGroupEdge]


def by_reference(group: Any, edge: Any, connection: Any) -> Any:
    """PAGE again, as `group` objects that name their owner and discussions by key."""
    return connection(edges=[
        edge(node=group(
            title=item.node.title, topics=item.node.topics, member_count=item.node.member_count,
            owner_id=f"owner{g}", group_id=f"group{g}"))
        for g, item in enumerate(PAGE.edges)
    ])


LOADED_PAGE = by_reference(LoadedGroup, LoadedGroupEdge, LoadedGroupConnection)


async def _owners_ahead(context: Any, groups: Any, _: Any) -> object:
    return await context["users"].load_many([group.owner_id for group in groups])


async def _discussions_ahead(context: Any, groups: Any, _: Any) -> object:
    return await context["discussions"].load_many([group.group_id for group in groups])


@strawberry.type
class AheadGroup(GroupByKey):
    """Resolved as Agora resolves a page of groups: the same resolvers, declaring what they
    load ahead, which the fast path loads for the whole page before completing it."""

    @strawberry.field(metadata=declare(Audience.EVERYONE, ahead=_owners_ahead))
    async def owner(self, info: strawberry.Info) -> User:
        user: User = await info.context["users"].load(self.owner_id)
        return user

    @strawberry.field(metadata=declare(Audience.EVERYONE, ahead=_discussions_ahead))
    async def discussions(self, info: strawberry.Info) -> DiscussionConnection:
        page: DiscussionConnection = await info.context["discussions"].load(self.group_id)
        return page


@strawberry.type
class AheadGroupEdge:
    node: AheadGroup


@strawberry.type
class AheadGroupConnection:
    edges: list[AheadGroupEdge]


AHEAD_PAGE = by_reference(AheadGroup, AheadGroupEdge, AheadGroupConnection)


async def _users(keys: list[str]) -> list[User]:
    return [OWNERS[key] for key in keys]


async def _discussions(keys: list[str]) -> list[DiscussionConnection]:
    return [DISCUSSIONS[key] for key in keys]


@strawberry.type
class Query:
    @strawberry.field
    async def groups(self, first: int) -> GroupConnection:  # async, as Agora's root fields are
        return PAGE

    @strawberry.field
    async def loaded_groups(self, first: int) -> LoadedGroupConnection:
        return LOADED_PAGE

    @strawberry.field
    async def ahead_groups(self, first: int) -> AheadGroupConnection:
        return AHEAD_PAGE


QUERY = """{ groups(first: 20) { edges { node { title topics memberCount owner { name }
  discussions { edges { node { title postCount lastPostAt } } } } } } }"""
LOADED = QUERY.replace("groups", "loadedGroups", 1)
AHEAD = QUERY.replace("groups", "aheadGroups", 1)


def loaders() -> dict[str, DataLoader[str, Any]]:
    """Fresh per request, as Agora's are."""
    return {"users": DataLoader(_users), "discussions": DataLoader(_discussions)}


def schema(*, plain_fields: bool) -> strawberry.Schema:
    built = strawberry.Schema(
        query=Query, extensions=[lambda: ParserCache(maxsize=100), ValidationCache],
        execution_context_class=PlainFieldsExecutor if plain_fields else None,
    )
    if plain_fields:
        resolve_directly(built)
    return built


async def cpu_ms(built: strawberry.Schema, repeat: int, query: str = QUERY) -> float:
    """CPU milliseconds per execution of the page, after a few to warm up."""
    for _ in range(20):
        await built.execute(query, context_value=loaders())
    started = time.process_time()
    for _ in range(repeat):
        result = await built.execute(query, context_value=loaders())
    if result.errors:
        raise RuntimeError(result.errors)
    return (time.process_time() - started) * 1000 / repeat


async def run(repeat: int) -> list[tuple[str, float]]:
    gc.freeze()  # as `python -m api serve` does
    return [
        ("Strawberry as it comes", await cpu_ms(schema(plain_fields=False), repeat)),
        ("with Agora's one-step plain fields", await cpu_ms(schema(plain_fields=True), repeat)),
        ("owners and discussions through DataLoaders, Strawberry as it comes (stock mode)",
         await cpu_ms(schema(plain_fields=False), repeat, LOADED)),
        ("the same on the fast path, without loads declared (two awaits per group)",
         await cpu_ms(schema(plain_fields=True), repeat, LOADED)),
        ("the same on the fast path, loads declared: loaded ahead for the page, each group's "
         "resolvers answer in the call (Agora)",
         await cpu_ms(schema(plain_fields=True), repeat, AHEAD)),
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
