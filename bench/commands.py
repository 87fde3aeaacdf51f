"""What the group list page costs the database: each of its commands, timed on its own.

    .venv/bin/python -m bench.commands [--repeat 30]

Seeds the same data as `bench.http` into an embedded database (in memory) and times, one
after the other, the commands the group list page sends: the page of groups, their owners,
the caller's roles, and the first discussions of every group on the page. Loopback only.
"""

import argparse
import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo import AsyncMongoClient

from api.embedded import embedded_database
from bench.http import seed
from resolvers.domain.actors import Actor, Role
from resolvers.domain.groups import GroupStatus, visible_scope
from resolvers.store import Store
from resolvers.store.groups import GroupFilter

READER = Actor("author1", "Author 1", frozenset({Role.TEACHER}), "ES")


async def timed(repeat: int, command: Callable[[], Awaitable[Any]]) -> float:
    """Milliseconds per call of `command`, after one call to warm up."""
    await command()
    started = time.perf_counter()
    for _ in range(repeat):
        await command()
    return (time.perf_counter() - started) * 1000 / repeat


async def run(repeat: int) -> list[tuple[str, float]]:
    with embedded_database(path=None) as uri:
        database = f"bench_{uuid.uuid4().hex[:6]}"
        await seed(uri, database)
        client: AsyncMongoClient[Any] = AsyncMongoClient(uri, tz_aware=True)
        store = Store(client[database])
        active = GroupFilter(status=GroupStatus.ACTIVE)

        def page() -> Awaitable[list[Any]]:
            return store.groups.page(scope=visible_scope(READER), criteria=active, after=None,
                                     limit=21)

        groups = await page()
        ids = [str(group["_id"]) for group in groups[:20]]
        owners = [group["owner_id"] for group in groups[:20]]
        commands: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("groups: the first 21 active the caller may see, newest first", page),
            ("users: the 20 owners", lambda: store.users.get_many(user_ids=owners)),
            ("memberships: the caller's roles in the 20 groups",
             lambda: store.memberships.roles_of(user_id=READER.id, group_ids=ids)),
            ("discussions: the first 4 of each of the 20 groups ($topN)",
             lambda: store.discussions.first_pages(group_ids=ids, limit=4)),
        ]
        results = [(name, await timed(repeat, command)) for name, command in commands]
        await client.close()
    return results


def table(results: list[tuple[str, float]]) -> str:
    lines = ["| the group list page's database commands | ms |", "|---|---|"]
    lines += [f"| {name} | {ms:.1f} |" for name, ms in results]
    lines.append(f"| all four | {sum(ms for _, ms in results):.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    print(table(asyncio.run(run(parser.parse_args().repeat))))


if __name__ == "__main__":
    main()
