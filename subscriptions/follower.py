"""A follower of the event log: a task that hands each event, in log order, to its work (the
notifier's, the search indexer's), outside the request that wrote it. It keeps its place in
the database (`positions`), so a restart loses nothing and a second process repeats nothing
that matters: each follower's work is idempotent. It reads the log on its own, so that
subscriptions keep the fanout's ways (the fanout sleeps while nobody listens)."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from pymongo.errors import ConnectionFailure

from resolvers.domain.events import EventDoc
from resolvers.store import Store
from subscriptions.reader import LogReader

log = logging.getLogger("agora.follower")

# A follower, made for a process's store and clock, to read the log every so many seconds.
FollowerFactory = Callable[[Store, Callable[[], datetime], float], "LogFollower"]


class LogFollower:
    """Subclasses name themselves (`name`) and say what each event does (`handle`)."""

    name = "follower"

    def __init__(self, store: Store, clock: Callable[[], datetime], *,
                 poll_interval: float = 0.5, gap_timeout: float = 2.0) -> None:
        self._store = store
        self._reader = LogReader(store.events, clock, gap_timeout=gap_timeout)
        self._poll_interval = poll_interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._away = False  # the database did not answer the last try
        self._stopping = False

    async def handle(self, event: EventDoc) -> None:
        raise NotImplementedError

    def away(self) -> None:
        """The database did not answer a read of the log."""

    async def first_place(self) -> int:
        """Where a follower that has never run starts: from now on."""
        return await self._store.events.head()

    async def saved_place(self) -> int | None:
        """Where it stopped last, kept in the database; None if it never ran."""
        return await self._store.positions.get(self.name)

    async def save_place(self, seq: int) -> None:
        await self._store.positions.advance(self.name, seq=seq)

    async def start(self) -> None:
        self._store.events.on_append(self._wake.set)  # a write through this process
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self, *, grace: float = 2.0) -> None:
        """Stop between two reads (a read cut off leaves its connection to the garbage
        collector), or after `grace` seconds however far it is."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _run(self) -> None:
        started = False
        while not self._stopping:
            try:
                if not started:
                    await self._start_at_saved_place()
                    started = True
                await self._catch_up()
            except asyncio.CancelledError:
                raise
            except ConnectionFailure as error:  # away for a moment: said once, retried
                self.away()
                if not self._away:
                    log.warning("%s: the database is unavailable (%s); retrying", self.name,
                                type(error).__name__)
                self._away = True
            except Exception:
                log.exception("%s failed; retrying", self.name)
            else:
                self._away = False
            wait = 0.05 if self._reader.waiting else self._poll_interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
            self._wake.clear()

    async def _start_at_saved_place(self) -> None:
        position = await self.saved_place()
        if position is None:
            position = await self.first_place()
            await self.save_place(position)
        self._reader.position = position

    async def _catch_up(self) -> None:
        while True:
            before = self._reader.position
            for event in await self._reader.next_run():
                await self.handle(event)
            if self._reader.position != before:
                await self.save_place(self._reader.position)
            if not self._reader.more:
                return
