"""The event log: an `events` collection in MongoDB, in commit order, each event with a cursor.

How an event is never lost nor doubled, with single-document writes only:

1. A change and its event are written together: the event waits in the changed document's
   `outbox` array, in the same update (or insert). Committing is a write's last step, so a
   document left with an outbox marks a write that may not have finished: recovery repairs
   what it may have left undone (`on_stranded`), such as a counter.
2. `commit` then appends it to the log and pulls it from the outbox. If the process dies in
   between, `recover` (run by every process, now and then) appends what is left in outboxes.
   The log's unique `event_id` makes appending twice harmless.
3. A sequence number comes from a counter; the event's `_id` is that number, zero-padded, so
   readers read in order. A reader that meets a hole (a number taken by a writer that has not
   inserted yet) waits; if the hole outlives `gap_timeout` it fills it with a `GAP` marker.
   A late writer then finds its number taken and takes a new one, so a reader never passes a
   number that is filled later.
"""

import asyncio
import inspect
import weakref
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from resolvers.coalesced import Coalesced, find_all_ids
from resolvers.domain.events import EventDoc, is_post_event

GAP = "GAP"
LOG_COLLECTION = "events"
_COUNTER = "events"
_WIDTH = 16

def key_of(seq: int) -> str:
    return f"{seq:0{_WIDTH}d}"


def seq_of(event: EventDoc) -> int:
    return int(event["_id"])


# By database name: who hears of the appends this process makes (`EventLog.on_appended`).
_APPENDED: dict[str, list[weakref.ReferenceType[Callable[[int, EventDoc], None]]]] = {}


class EventLog:
    def __init__(self, db: AsyncDatabase[Any], sources: Iterable[str] = ()) -> None:
        """The log of `db`; `sources` are the collections whose documents hold outboxes
        (`resolvers.store.outbox`), for `recover`."""
        self._db = db
        self._sources = tuple(sources)
        self._events = db[LOG_COLLECTION]
        self._counters = db["counters"]
        self._listeners: list[Callable[[], None]] = []
        self._repairs: dict[str, Callable[[dict[str, Any]], Awaitable[None]]] = {}
        # Subscribers that reconnect together ask these at once: one command each time.
        self._horizon = Coalesced(self._read_pruned_through)
        self._replays = Coalesced(self._read_replays)
        self._runs = Coalesced(self._read_runs)

    def on_append(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every append made through this log (to wake a reader)."""
        self._listeners.append(listener)

    def on_appended(self, listener: Callable[[int, EventDoc], None]) -> None:
        """Call `listener` with the cursor and the event of every append this process makes
        to this database's log, through this `EventLog` or another. It is held weakly: a bound
        method's object may go."""
        held = _APPENDED.setdefault(self._db.name, [])
        held[:] = [ref for ref in held if ref() is not None]
        held.append(weakref.WeakMethod(listener) if inspect.ismethod(listener)
                    else weakref.ref(listener))

    def on_stranded(
        self, source: str, repair: Callable[[dict[str, Any]], Awaitable[None]]
    ) -> None:
        """Have `recover` call `repair` with each document of `source` whose writer died before
        committing its events (the document's `_id`, `group_id` and `discussion_id`). A writer
        commits last, so whatever it meant to do besides may be undone: counters, say."""
        self._repairs[source] = repair

    async def ensure_indexes(self) -> None:
        await self._events.create_indexes([
            IndexModel("event_id", unique=True),
            IndexModel([("at", ASCENDING), ("_id", ASCENDING)]),
        ])
        for source in self._sources:
            await self._db[source].create_index("outbox.at", sparse=True)

    async def commit(self, source: str, doc_id: Any, events: Sequence[EventDoc]) -> None:
        """Append events that wait in `source`'s document `doc_id`, then clear them there:
        the whole `outbox` goes when it holds only these (no other write's events wait in it),
        so that only documents with events waiting hold one, which `recover` looks for."""
        for event in events:
            await self.append(event)
        await self._clear(source, doc_id, [event["id"] for event in events])

    async def _clear(self, source: str, doc_id: Any, event_ids: list[str]) -> None:
        """Take the events `event_ids` out of the document's outbox, and the outbox with them
        if nothing else waits in it."""
        documents = self._db[source]
        cleared = await documents.update_one(
            {"_id": doc_id, "outbox": {"$size": len(event_ids)}, "outbox.id": {"$all": event_ids}},
            {"$unset": {"outbox": ""}})
        if not cleared.modified_count:
            await documents.update_one(
                {"_id": doc_id}, {"$pull": {"outbox": {"id": {"$in": event_ids}}}})

    async def append(self, event: EventDoc) -> int | None:
        """Give `event` the next cursor; None if it was in the log already."""
        while True:
            seq = await self._next_seq()
            try:
                await self._events.insert_one(
                    {**event, "_id": key_of(seq), "event_id": event["id"]}
                )
            except DuplicateKeyError:
                if await self._events.find_one({"event_id": event["id"]}, {"_id": 1}):
                    return None  # appended before, e.g. by recovery
                continue  # a reader gave up on this number: take another
            for listener in self._listeners:
                listener()
            for ref in _APPENDED.get(self._db.name, ()):
                if (seq_listener := ref()) is not None:
                    seq_listener(seq, event)
            return seq

    async def _next_seq(self) -> int:
        counter = await self._counters.find_one_and_update(
            {"_id": _COUNTER}, {"$inc": {"seq": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert counter is not None
        return int(counter["seq"])

    async def read_after(
        self, seq: int, *, limit: int, ids_only: bool = False
    ) -> list[EventDoc]:
        """Up to `limit` events (gap markers included) after `seq`, in order."""
        projection = {"_id": 1, "kind": 1} if ids_only else None
        cursor = self._events.find({"_id": {"$gt": key_of(seq)}}, projection).sort("_id", 1)
        return await cursor.limit(limit).to_list()

    async def replay(self, seq: int, *, limit: int) -> list[EventDoc]:
        """`with_current(read_after(seq, limit=limit))`, read once for all who ask at once:
        the events are shared, never to be changed."""
        return await self._replays((seq, limit))

    async def follow(self, seq: int, *, limit: int) -> list[EventDoc]:
        """`read_after(seq, limit=limit)`, read once for all who ask at once: the log's
        followers, which one write wakes together at the same place. The events are shared,
        never to be changed."""
        return await self._runs((seq, limit))

    async def _read_replays(self, asked: list[tuple[int, int]]) -> list[list[EventDoc]]:
        return list(await asyncio.gather(*(
            self.with_current(events) for events in await self._read_runs(asked))))

    async def _read_runs(self, asked: list[tuple[int, int]]) -> list[list[EventDoc]]:
        return list(await asyncio.gather(*(self.read_after(seq, limit=limit)
                                           for seq, limit in asked)))

    async def with_current(self, events: list[EventDoc]) -> list[EventDoc]:
        """`events`, each post event carrying its post as it stands now (`current`), read a
        few hundred posts a command: what a reader may see of it is decided from that at
        delivery (`IN_AT_MOST`)."""
        posts = [event for event in events if event["kind"] != GAP and is_post_event(event)]
        if not posts:
            return events
        found = {doc["_id"]: doc for doc in await find_all_ids(
            self._db["posts"], list({event["subject"]["_id"] for event in posts}),
            projection={"outbox": 0, "versions": 0})}
        for event in posts:
            event["current"] = found.get(event["subject"]["_id"])
        return events

    async def head(self) -> int:
        """The highest cursor in the log (0 for an empty log)."""
        last = await self._events.find_one({}, {"_id": 1}, sort=[("_id", DESCENDING)])
        return seq_of(last) if last else await self.pruned_through()

    async def fill_gap(self, seq: int, now: datetime) -> bool:
        """Mark `seq` as never to be filled; False if its event arrived meanwhile."""
        try:
            await self._events.insert_one(
                {"_id": key_of(seq), "event_id": f"gap:{seq}", "kind": GAP, "at": now}
            )
        except DuplicateKeyError:
            return False
        return True

    async def pruned_through(self) -> int:
        """Cursors up to this one were removed by retention."""
        return await self._horizon(None)

    async def _read_pruned_through(self, asked: list[None]) -> list[int]:
        counter = await self._counters.find_one({"_id": _COUNTER})
        return [int(counter.get("pruned_through", 0)) if counter else 0] * len(asked)

    async def prune(self, *, before: datetime) -> int:
        """Remove events older than `before`; returns the highest cursor removed."""
        last = await self._events.find_one(
            {"at": {"$lt": before}}, {"_id": 1}, sort=[("at", DESCENDING), ("_id", DESCENDING)]
        )
        if last is None:
            return await self.pruned_through()
        through = seq_of(last)
        # Record the horizon first: a cursor behind it must hear "resync", never a gap.
        await self._counters.update_one(
            {"_id": _COUNTER}, {"$max": {"pruned_through": through}}, upsert=True
        )
        await self._events.delete_many({"_id": {"$lte": key_of(through)}})
        return through

    async def recover(self, *, older_than: datetime) -> int:
        """Append events left in outboxes by writers that died before committing them."""
        recovered = 0
        for source in self._sources:
            stranded = self._db[source].find(
                {"outbox": {"$type": "array"}, "outbox.at": {"$lt": older_than}},
                {"outbox": 1, "group_id": 1, "discussion_id": 1},
            )
            async for doc in stranded:
                if (repair := self._repairs.get(source)) is not None:
                    await repair(doc)
                waiting = sorted(doc["outbox"], key=lambda item: item["at"])
                for event in waiting:
                    if await self.append(event) is not None:
                        recovered += 1
                await self._clear(source, doc["_id"], [event["id"] for event in waiting])
        return recovered
