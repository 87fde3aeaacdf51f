"""One subscriber's stream: what it missed, from the log, then live, with no gap and no
duplicate between the two, and authorization on every event. Each event comes with the
subscriber's standing in its group at that point of the log, which decides what of it they
may see (and lets subscribers who stand alike share one rendering of it)."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from resolvers.domain.errors import DomainError, ValidationFailed
from resolvers.domain.events import EventDoc
from resolvers.domain.membership import Standing
from resolvers.domain.paging import decode_cursor, encode_cursor
from subscriptions.fanout import Fanout
from subscriptions.log import GAP, EventLog, seq_of

_PREFIX = "event:"
QUEUE_LIMIT = 10_000


class ResyncRequired(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "This cursor is older than the event log keeps; reload the data, then subscribe "
            "without `after`"
        )


class StreamEnded(DomainError):
    """The subscriber may no longer receive this stream; the message says why."""


class SlowConsumer(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "This subscription fell too far behind; resubscribe with the last cursor received"
        )


def event_cursor(event: EventDoc) -> str:
    return encode_cursor(f"{_PREFIX}{seq_of(event)}")


def cursor_position(cursor: str) -> int:
    position = decode_cursor(cursor)
    if not position.startswith(_PREFIX) or not position[len(_PREFIX):].isdigit():
        raise ValidationFailed("after", "after is not an event cursor")
    return int(position[len(_PREFIX):])


class Decision(Enum):
    SKIP = "skip"
    DELIVER = "deliver"


@dataclass(frozen=True, slots=True)
class Delivery:
    """An event for one subscriber, and where they stood in its group when it happened."""

    event: EventDoc
    standing: Standing


class Watch(Protocol):
    """What one subscription wants, and whether its subscriber may have each event."""

    def wants(self, event: EventDoc) -> bool: ...

    def decide(self, event: EventDoc) -> Decision:
        """Authorize `event` (in log order; may update the watch's state); raise
        StreamEnded when the subscriber has lost the right to this stream."""
        ...

    def standing(self, event: EventDoc) -> Standing:
        """The subscriber's standing in the event's group, as of the last decision."""
        ...


@dataclass(eq=False)
class _Queue:
    watch: Watch
    items: asyncio.Queue[EventDoc | None] = field(default_factory=asyncio.Queue)
    overflowed: bool = False

    def wants(self, event: EventDoc) -> bool:
        return self.watch.wants(event)

    def offer(self, event: EventDoc) -> None:
        if self.items.qsize() >= QUEUE_LIMIT:
            self.overflowed = True
            self.items.put_nowait(None)
            return
        self.items.put_nowait(event)


async def stream(
    *, fanout: Fanout, log: EventLog, watch: Watch, after: str | None
) -> AsyncIterator[Delivery]:
    """Events for `watch`: those after `after` (replayed from the log), then live ones."""
    start = None if after is None else cursor_position(after)
    if start is not None and start < await log.pruned_through():
        raise ResyncRequired()
    queue = _Queue(watch)
    registered = await fanout.add(queue)
    try:
        last = registered if start is None else start
        while last < registered:  # replay what the reader handed out before we registered
            batch = await log.read_after(last, limit=500)
            if not batch:
                break
            for event in batch:
                seq = seq_of(event)
                if seq > registered:
                    break
                last = seq
                if event["kind"] != GAP and watch.wants(event) and (
                    watch.decide(event) is Decision.DELIVER
                ):
                    yield Delivery(event, watch.standing(event))
            else:
                continue
            break
        while True:
            item = await queue.items.get()
            if item is None:
                raise SlowConsumer()
            seq = seq_of(item)
            if seq <= last:
                continue
            last = seq
            if watch.decide(item) is Decision.DELIVER:
                yield Delivery(item, watch.standing(item))
    finally:
        fanout.remove(queue)
