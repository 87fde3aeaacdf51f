"""Followers of the log: those one write wakes read it once together."""

import asyncio

from pymongo import AsyncMongoClient

from resolvers.domain.events import EventDoc
from resolvers.store import Store
from subscriptions.follower import LogFollower
from tests.subscriptions.test_fanout import Commands, event
from tests.support import placed, until


class Seen(LogFollower):
    def __init__(self, name: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.name = name
        self.seen: list[int] = []

    async def handle(self, event: EventDoc) -> None:
        self.seen.append(event["n"])


async def test_followers_woken_by_one_write_read_the_log_once(
    mongodb_uri, database_name, clock
):
    commands = Commands()
    client: AsyncMongoClient[dict] = AsyncMongoClient(  # type: ignore[type-arg]
        mongodb_uri, event_listeners=[commands], tz_aware=True)
    store = Store(client[database_name])
    await store.ensure_indexes()
    three = [Seen(f"seen{n}", store, clock, poll_interval=3600) for n in range(3)]
    try:
        for each in three:
            await each.start()
        # Each takes its place, the log's head: what is appended next reaches it.
        await until(lambda: placed(store, *(each.name for each in three)))
        commands.names.clear()
        await store.events.append(event(1, clock))
        await until(lambda: all(each.seen == [1] for each in three))
        await asyncio.sleep(0.1)
        assert commands.names.count("find") == 1
    finally:
        for each in three:
            await each.stop()
        await client.drop_database(database_name)
        await client.close()
