"""Reads that many tasks make at about the same time, sent as few commands.

Thousands of subscribers that reconnect together each ask for the same few things: the
discussion and group they follow, their membership, the log's next events. Asked one by one,
those reads queue at the database, and every one waits for all before it. A `Coalesced` read
sends one command at a time: what is asked while it runs waits for the next, which reads all
of it at once (`IN_AT_MOST` keys a command). The busier the database, the more each command
carries; every caller still gets a read that started after it asked.

Strawberry's `DataLoader` gathers only what is asked within one turn of the event loop, and
subscribers arrive over many turns: here what matters is what is asked while a read runs.
"""

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

# The most values one `$in` may hold: on a file, the embedded server (SQLite) refuses an
# expression deeper than a thousand, which an `$in` of about five hundred values reaches.
IN_AT_MOST = 200


class _Queue[K, V]:
    """What one event loop has asked and not yet sent."""

    def __init__(self) -> None:
        self.asked: dict[K, list[asyncio.Future[V]]] = {}
        self.sending: asyncio.Task[None] | None = None


class Coalesced[K: Hashable, V]:
    """`load(keys)`, for the distinct keys asked, returns their values in the same order."""

    def __init__(self, load: Callable[[list[K]], Awaitable[Sequence[V]]]) -> None:
        self._load = load
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop,
                                                _Queue[K, V]] = weakref.WeakKeyDictionary()

    def __call__(self, key: K) -> Awaitable[V]:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        future: asyncio.Future[V] = loop.create_future()
        queue.asked.setdefault(key, []).append(future)
        if queue.sending is None:
            queue.sending = loop.create_task(self._send(queue))
        return future

    async def _send(self, queue: _Queue[K, V]) -> None:
        try:
            while queue.asked:
                keys = list(queue.asked)[:IN_AT_MOST]
                waiting = {key: queue.asked.pop(key) for key in keys}
                try:
                    values = await self._load(keys)
                except BaseException as error:  # every caller of this command hears of it
                    for future in (one for futures in waiting.values() for one in futures):
                        if not future.done():
                            future.set_exception(error)
                    if not isinstance(error, Exception):
                        raise
                    continue
                for key, value in zip(keys, values, strict=True):
                    for future in waiting[key]:
                        if not future.done():
                            future.set_result(value)
        finally:
            queue.sending = None


async def find_ids[D: Mapping[str, Any]](
    collection: AsyncCollection[D], ids: list[Any], *,
    projection: Mapping[str, Any] | None = None, **conditions: Any,
) -> list[D]:
    """The documents with these `_id`s that meet `conditions`, in no order (with only the
    fields of `projection`, if given). (The limit saves the embedded server a round of cursor
    bookkeeping.)"""
    if not ids:
        return []
    query = {"_id": {"$in": ids}, **conditions}
    return await collection.find(query, projection).limit(len(ids)).to_list()


async def find_all_ids[D: Mapping[str, Any]](
    collection: AsyncCollection[D], ids: Sequence[Any], *,
    projection: Mapping[str, Any] | None = None,
) -> list[D]:
    """`find_ids` for any number of ids: a command for each `IN_AT_MOST`, sent at once."""
    found = await asyncio.gather(*(
        find_ids(collection, list(ids[start:start + IN_AT_MOST]), projection=projection)
        for start in range(0, len(ids), IN_AT_MOST)))
    return [doc for docs in found for doc in docs]


def by_id[D: Mapping[str, Any]](collection: AsyncCollection[D], **conditions: Any
                                ) -> Coalesced[Any, D | None]:
    """The document with an `_id`, if it also meets `conditions`; None otherwise."""
    async def load(ids: list[Any]) -> list[D | None]:
        found = {doc["_id"]: doc for doc in await find_ids(collection, ids, **conditions)}
        return [found.get(ident) for ident in ids]

    return Coalesced(load)
