"""One subscriber's stream: what it missed, from the log, then live, with no gap and no
duplicate between the two, and authorization at delivery on every event: replayed events are
judged by what the subscriber may see now, and each post shows what it is now. Each event
comes with the subscriber's standing in its group, which decides what of it they may see (and
lets subscribers who stand alike share one rendering of it)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from resolvers.domain.errors import DomainError, ValidationFailed
from resolvers.domain.events import CURSOR_PREFIX, EventDoc, seen_by
from resolvers.domain.membership import Standing
from resolvers.domain.paging import decode_cursor, encode_cursor
from subscriptions.fanout import Fanout
from subscriptions.inbox import Inbox
from subscriptions.log import GAP, EventLog, seq_of

QUEUE_LIMIT = 10_000
_REPLAY_BATCH = 500


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
    return cursor_at(seq_of(event))


def cursor_at(seq: int) -> str:
    """The cursor of the log's position `seq`: a stream after it starts with the next event."""
    return encode_cursor(f"{CURSOR_PREFIX}{seq}")


def cursor_position(cursor: str) -> int:
    position = decode_cursor(cursor)
    if not position.startswith(CURSOR_PREFIX) or not position[len(CURSOR_PREFIX):].isdigit():
        raise ValidationFailed("after", "after is not an event cursor")
    return int(position[len(CURSOR_PREFIX):])


class Decision(Enum):
    SKIP = "skip"
    DELIVER = "deliver"


@dataclass(frozen=True, slots=True)
class Delivery:
    """An event as one subscriber may see it (see `seen_by`), and their standing in its
    group. Subscribers who stand alike receive the same view."""

    event: EventDoc
    standing: Standing


class Watch(Protocol):
    """What one subscription wants, and whether its subscriber may have each event."""

    def wants(self, event: EventDoc) -> bool: ...

    async def refresh(self) -> None:
        """Read the subscriber's standing as it is now; raise StreamEnded when they may no
        longer have this stream."""
        ...

    def decide(self, event: EventDoc, *, live: bool) -> Decision:
        """Authorize `event`. Live events come in log order and may change the watch's state
        (a role changing, a membership ending, which raises StreamEnded); replayed ones are
        judged by the standing the subscriber has now."""
        ...

    def standing(self, event: EventDoc) -> Standing:
        """The subscriber's standing in the event's group, as of the last decision."""
        ...


class _Queue:
    """One subscription's live events, in log order, until its task takes them; a None after
    them says it fell `QUEUE_LIMIT` behind."""

    __slots__ = ("items", "overflowed", "watch")

    def __init__(self, watch: Watch) -> None:
        self.watch = watch
        self.items: Inbox[EventDoc | None] = Inbox()
        self.overflowed = False  # the None is in: nothing more is kept

    def wants(self, event: EventDoc) -> bool:
        return self.watch.wants(event)

    def offer(self, event: EventDoc) -> None:
        if self.overflowed:
            return
        self.overflowed = len(self.items) >= QUEUE_LIMIT
        self.items.put_nowait(None if self.overflowed else event)


def _delivery(watch: Watch, event: EventDoc, *, live: bool) -> Delivery | None:
    if watch.decide(event, live=live) is not Decision.DELIVER:
        return None
    standing = watch.standing(event)
    view = seen_by(event, moderates=standing.moderates)
    return None if view is None else Delivery(view, standing)


async def _replay(
    log: EventLog, watch: Watch, after: int, through: int
) -> AsyncIterator[Delivery]:
    """What the log holds after `after` up to `through`, read now. ResyncRequired when any
    of it was removed by retention, whichever process removed it and whenever."""
    last = after
    while last < through:
        batch = await log.replay(last, limit=_REPLAY_BATCH)
        if not batch or seq_of(batch[0]) != last + 1:
            if last < await log.pruned_through():
                raise ResyncRequired()
        for event in batch:
            seq = seq_of(event)
            if seq > through:
                return
            last = seq
            if event["kind"] != GAP and watch.wants(event):
                delivery = _delivery(watch, event, live=False)
                if delivery is not None:
                    yield delivery
        if not batch:
            return


async def stream(
    *, fanout: Fanout, log: EventLog, watch: Watch, after: str | None
) -> AsyncIterator[Delivery]:
    """Events for `watch`: those after `after` (replayed from the log), then live ones."""
    start = None if after is None else cursor_position(after)
    queue = _Queue(watch)
    registered = await fanout.add(queue)  # which may prune: check the cursor after it
    try:
        if start is not None and start < await log.pruned_through():
            raise ResyncRequired()
        # Every change to the standing up to `registered` is in the database by now.
        await watch.refresh()
        last = registered if start is None else start
        async for delivery in _replay(log, watch, last, registered):
            yield delivery
        last = max(last, registered)
        while True:
            for item in await queue.items.taken():
                if item is None:
                    raise SlowConsumer()
                seq = seq_of(item)
                if seq <= last:
                    continue
                last = seq
                live = _delivery(watch, item, live=True)
                if live is not None:
                    yield live
    finally:
        fanout.remove(queue)
