"""Events ride in the document they describe, and reach the log as a use case's last step.

A use case opens an `Outbox` (`async with store.outbox() as outbox`) and gives each store
write the events that describe its change (`events=outbox.of(event)`); the outbox commits
them when the use case's work is done.
The write stores the events in the changed document's `outbox` array, in the same
single-document write as the change, and holds them in the use case's outbox; `commit` then
moves each to the log and clears it from its document. Whatever the use case does after a
write and before committing (a counter, a second document) is repaired by recovery if the
process dies in between: see `subscriptions.log`. A use case never names a collection.
"""

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self, cast

from pymongo.asynchronous.collection import AsyncCollection

from resolvers.coalesced import by_id
from resolvers.domain.events import EventDoc
from subscriptions.log import EventLog


class Outbox:
    """The events one use case's writes left waiting in their documents."""

    def __init__(self, log: EventLog) -> None:
        self._log = log
        self._held: list[tuple[str, Any, Sequence[EventDoc]]] = []

    def of(self, *events: EventDoc) -> "Events":
        """`events`, for one write to carry."""
        return Events(self, events)

    def hold(self, source: str, doc_id: Any, events: Sequence[EventDoc]) -> None:
        if events:
            self._held.append((source, doc_id, events))

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """Commit, unless the use case failed: then what it held waits in its documents,
        where recovery finds it, as if the process had died there."""
        if kind is None:
            await self.commit()

    async def commit(self) -> None:
        """Move every held event to the log, in the order the writes were made."""
        held, self._held = self._held, []
        for source, doc_id, events in held:
            await self._log.commit(source, doc_id, events)


@dataclass(frozen=True, slots=True)
class Events:
    """Events a write carries in its document, for `outbox` to commit."""

    outbox: Outbox | None
    events: Sequence[EventDoc]

    def pushed(self, change: dict[str, Any]) -> dict[str, Any]:
        """`change` (an update document) that also appends the events to the outbox."""
        if not self.events:
            return change
        push = {**change.get("$push", {}), "outbox": {"$each": list(self.events)}}
        return {**change, "$push": push}

    def inserted[D: Mapping[str, Any]](self, doc: D) -> D:
        """`doc` to insert, carrying the events."""
        return cast(D, {**doc, "outbox": list(self.events)}) if self.events else doc


NO_EVENTS = Events(None, ())


class HoldsEvents[D: Mapping[str, Any]]:
    """A store of documents (of type `D`) that carry events (`Events`) to the log."""

    def __init__(self, collection: AsyncCollection[Any], **current: Any) -> None:
        """`current`: the conditions a document must meet to be found by its id."""
        self._collection: AsyncCollection[D] = collection
        self._by_id = by_id(self._collection, **current)

    @property
    def source(self) -> str:
        """The collection whose documents hold outboxes."""
        return self._collection.name

    async def all_ids(self, *, batch: int) -> AsyncIterator[list[Any]]:
        """Every document's id, a batch at a time, in `_id` order."""
        after: dict[str, Any] = {}
        while ids := [doc["_id"] for doc in await self._collection.find(
                after, {"_id": 1}).sort("_id", 1).limit(batch).to_list()]:
            yield [str(ident) for ident in ids]
            after = {"_id": {"$gt": ids[-1]}}

    def _hold(self, events: Events, doc_id: Any) -> None:
        """Hold `events`, now written in the document `doc_id`, for their outbox to commit."""
        if events.outbox is not None:  # only NO_EVENTS has none
            events.outbox.hold(self.source, doc_id, events.events)

    def _written(self, events: Events, doc: D | None) -> D | None:
        """`doc` as written with `events` (None if the write changed nothing), its events
        held: the document as it will be once they are in the log, its outbox gone."""
        if doc is None:
            return None
        self._hold(events, doc["_id"])
        return cast(D, {key: value for key, value in doc.items() if key != "outbox"})
