"""What the group list page costs: each of its database commands, timed on its own.

    .venv/bin/python -m bench.commands [--repeat 30]

Seeds the same data as `bench.http` into an embedded database (in memory) and runs, one
after the other, the commands the group list page sends: the page of groups, their owners,
and the first discussions of every group on the page (the caller's roles too, when an
invite-only group is on the page). For each: the time it takes, and the CPU this process
(the API's side: the driver) spends on it. A `ping` shows the driver's least cost per
command. Loopback only.
"""

import argparse
import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient

from api.embedded import embedded_database
from bench.http import seed
from resolvers.domain.actors import Actor, Role
from resolvers.domain.groups import GroupStatus, visible_scope
from resolvers.store import Store
from resolvers.store.groups import GroupFilter

READER = Actor("author1", "Author 1", frozenset({Role.TEACHER}), "ES")


@dataclass(frozen=True)
class Timing:
    name: str
    ms: float  # from sending the command to its decoded answer
    api_cpu_ms: float  # this process's CPU: building, sending, receiving, decoding
    on_page: bool = True  # sent by a page of open groups


async def timed(name: str, repeat: int, command: Callable[[], Awaitable[Any]],
                on_page: bool = True) -> Timing:
    """`command` timed over `repeat` calls, after one call to warm up."""
    await command()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        await command()
    return Timing(name, (time.perf_counter() - started) * 1000 / repeat,
                  (time.process_time() - cpu) * 1000 / repeat, on_page)


async def run(repeat: int) -> list[Timing]:
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
        results = [
            await timed("groups: the first 21 active the caller may see, newest first", repeat,
                        page),
            await timed("users: the 20 owners", repeat,
                        lambda: store.users.get_many(user_ids=owners)),
            await timed("discussions: the first 4 of each of the 20 groups ($sort, $firstN)",
                        repeat, lambda: store.discussions.first_pages(group_ids=ids, limit=4)),
            await timed("memberships: the caller's roles, with an invite-only group on the page",
                        repeat, lambda: store.memberships.roles_of(user_id=READER.id,
                                                                   group_ids=ids),
                        on_page=False),
            await timed("ping: the least a command costs", repeat,
                        lambda: client.admin.command("ping"), on_page=False),
        ]
        await client.close()
    return results


def table(results: list[Timing]) -> str:
    lines = ["| the group list page's database commands | ms | API CPU ms (the driver) |",
             "|---|---|---|"]
    page = [timing for timing in results if timing.on_page]
    for timing in page:
        lines.append(f"| {timing.name} | {timing.ms:.1f} | {timing.api_cpu_ms:.2f} |")
    lines.append(f"| **a page of open groups: these {len(page)}** | "
                 f"{sum(t.ms for t in page):.1f} | {sum(t.api_cpu_ms for t in page):.2f} |")
    for timing in results:
        if not timing.on_page:
            lines.append(f"| {timing.name} | {timing.ms:.1f} | {timing.api_cpu_ms:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    print(table(asyncio.run(run(parser.parse_args().repeat))))


if __name__ == "__main__":
    main()
