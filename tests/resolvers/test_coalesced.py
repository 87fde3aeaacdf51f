"""Reads many tasks make at about the same time go as few commands (`resolvers.coalesced`),
and each caller still gets a read that started after it asked."""

import asyncio
from typing import Any

from pymongo import AsyncMongoClient, monitoring

from resolvers.coalesced import IN_AT_MOST, Coalesced, by_id
from resolvers.store import Store


class Finds(monitoring.CommandListener):
    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.count += event.command_name == "find"

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def counted_store(mongodb_uri: str, database_name: str) -> tuple[Store, Finds, Any]:
    finds = Finds()
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongodb_uri, tz_aware=True,
                                                     event_listeners=[finds])
    return Store(client[database_name]), finds, client


async def test_a_thousand_lookups_at_once_take_a_few_commands_and_each_gets_its_own(
    store, mongodb_uri, database_name
):
    await store.db["users"].insert_many([{"_id": f"u{n}", "name": f"User {n}"}
                                         for n in range(0, 1000, 2)])
    counted, finds, client = await counted_store(mongodb_uri, database_name)
    found = await asyncio.gather(*(counted.users.get(user_id=f"u{n}") for n in range(1000)))
    await client.close()
    assert [doc and doc["name"] for doc in found] == [
        f"User {n}" if n % 2 == 0 else None for n in range(1000)]
    assert finds.count <= 1 + 1000 // IN_AT_MOST


async def test_a_lookup_asked_while_another_runs_sees_what_was_written_in_between(store):
    await store.db["users"].insert_one({"_id": "ana", "name": "Ana"})
    first = asyncio.ensure_future(store.users.get(user_id="ana"))
    await asyncio.sleep(0)  # its command is on its way
    await store.db["users"].update_one({"_id": "ana"}, {"$set": {"name": "Ana María"}})
    second = await store.users.get(user_id="ana")
    assert second is not None and second["name"] == "Ana María"
    await first


async def test_conditions_apply_to_every_document_found(store):
    await store.db["memberships"].insert_many([
        {"_id": "g:ana", "role": "MEMBER"}, {"_id": "g:bea", "role": None}])
    lookup = by_id(store.db["memberships"], role={"$ne": None})
    current, former = await asyncio.gather(lookup("g:ana"), lookup("g:bea"))
    assert current == {"_id": "g:ana", "role": "MEMBER"} and former is None


async def test_a_failed_command_fails_its_callers_and_the_next_one_is_sent():
    calls: list[list[int]] = []

    async def load(keys: list[int]) -> list[int]:
        calls.append(keys)
        if len(calls) == 1:
            raise ConnectionError("the database went away")
        return [key * 10 for key in keys]

    doubled = Coalesced(load)
    failed = await asyncio.gather(doubled(1), doubled(2), return_exceptions=True)
    assert [type(error) for error in failed] == [ConnectionError, ConnectionError]
    assert await asyncio.gather(doubled(3), doubled(3), doubled(4)) == [30, 30, 40]
    assert calls == [[1, 2], [3, 4]]
