"""The per-process dispatcher: one reader of the event log, fanning events out in memory.

Each API process reads the log once per batch, whatever its number of subscribers, and hands
every event to each subscriber whose cheap `wants` test passes; the subscriber's own task then
authorizes and delivers it. A write made through this process wakes the reader at once; writes
through other processes are seen at the next poll. With no subscribers the reader does not
touch the database at all: maintenance (recovering what a writer that died left undone, and
retention) runs at start-up and once more `stranded_after` later, when the first subscriber
arrives, and every `maintenance_interval` while anyone listens.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from pymongo.errors import ConnectionFailure

from resolvers.domain.events import EventDoc
from subscriptions.log import EventLog
from subscriptions.reader import LogReader

log = logging.getLogger(__name__)


def _failed(what: str, error: Exception) -> None:
    """Log a failure: a database that does not answer in one line, anything else with its
    traceback."""
    if isinstance(error, ConnectionFailure):
        log.warning("%s: the database is unavailable (%s)", what, type(error).__name__)
    else:
        log.error("%s failed", what, exc_info=error)


class Subscriber(Protocol):
    def wants(self, event: EventDoc) -> bool:
        """A cheap, state-free test: should this event reach the subscriber's queue?"""

    def offer(self, event: EventDoc) -> None:
        """Queue `event`; never blocks."""


@dataclass
class FanoutSettings:
    poll_interval: float = 0.1  # seconds between reads while someone listens
    gap_timeout: float = 2.0  # how long a hole in the log may stay before it is marked a gap
    batch: int = 500
    retention: timedelta = timedelta(days=7)
    maintenance_interval: float = 30.0  # recovery of stranded events, and retention
    stranded_after: timedelta = timedelta(seconds=10)


@dataclass
class Fanout:
    log: EventLog
    clock: Callable[[], datetime]
    settings: FanoutSettings = field(default_factory=FanoutSettings)
    # Told of each event handed out, with how many subscribers took it (metrics).
    observer: Callable[[EventDoc, int], None] | None = None
    _subscribers: set[Subscriber] = field(default_factory=set)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _task: asyncio.Task[None] | None = None
    _reader: LogReader = field(init=False)

    def __post_init__(self) -> None:
        self._reader = LogReader(self.log, self.clock, gap_timeout=self.settings.gap_timeout,
                                 batch=self.settings.batch)

    @property
    def position(self) -> int:
        """Every event up to here has been handed out (or marked a gap)."""
        return self._reader.position

    async def start(self) -> None:
        self.log.on_append(self.wake)
        self._reader.position = await self.log.head()
        self._task = asyncio.create_task(self._run(), name="event-log-reader")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        self._wake.set()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def add(self, subscriber: Subscriber) -> int:
        """Register `subscriber`; it is offered every event after the returned position."""
        async with self._lock:
            slept = not self._subscribers
            if slept:  # catch up first
                try:
                    await self._maintain()
                except Exception as error:  # the next round tries again; the stream goes on
                    _failed("event log maintenance", error)
                await self._read(deliver=False)  # pass over what happened while nobody listened
            self._subscribers.add(subscriber)
            if slept:  # it polls again while anyone listens
                self.wake()
            return self.position

    def remove(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            await self._maintain()
        except Exception as error:
            _failed("event log maintenance at start-up", error)
        next_maintenance = loop.time() + self.settings.maintenance_interval
        # What a crash just before start-up left is recoverable once `stranded_after` has
        # passed: look once more then, whether or not anyone listens.
        follow_up: float | None = loop.time() + self.settings.stranded_after.total_seconds()
        while True:
            timeout = self.settings.poll_interval if self._subscribers else (
                None if follow_up is None else max(0.0, follow_up - loop.time()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            try:
                if follow_up is not None and loop.time() >= follow_up:
                    follow_up = None
                    await self._maintain()
                if not self._subscribers:
                    continue
                async with self._lock:
                    await self._read(deliver=True)
                if loop.time() >= next_maintenance:
                    await self._maintain()
                    next_maintenance = loop.time() + self.settings.maintenance_interval
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database may be away for a moment: try later
                _failed("event log reader (retrying)", error)
                await asyncio.sleep(self.settings.poll_interval * 10)

    async def _read(self, *, deliver: bool) -> None:
        """Hand out every event the log holds in an unbroken run after `position`."""
        while True:
            for event in await self._reader.next_run(full=deliver, current=deliver):
                if deliver:
                    self._hand_out(event)
            if self._reader.waiting:
                self.wake()  # look again soon
            if not self._reader.more:
                return

    def _hand_out(self, event: EventDoc) -> None:
        taken = 0
        for subscriber in list(self._subscribers):
            if subscriber.wants(event):
                subscriber.offer(event)
                taken += 1
        if self.observer is not None:
            self.observer(event, taken)

    async def _maintain(self) -> None:
        now = self.clock()
        recovered = await self.log.recover(older_than=now - self.settings.stranded_after)
        if recovered:
            log.warning("recovered %d events left in outboxes", recovered)
        await self.log.prune(before=now - self.settings.retention)
