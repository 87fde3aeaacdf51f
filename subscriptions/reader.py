"""Reading the event log in order, in unbroken runs: what every follower of the log (the
fanout, the notifier) reads the same way.

A number taken by a writer that has not inserted yet is a hole: a run stops before it, and
the reader looks again soon; a hole that outlives `gap_timeout` is marked a gap, never to be
filled (a late writer takes a new number). Numbers that retention removed are passed at once.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime

from resolvers.domain.events import EventDoc
from subscriptions.log import GAP, EventLog, seq_of


class LogReader:
    def __init__(self, log: EventLog, clock: Callable[[], datetime], *, position: int = 0,
                 gap_timeout: float = 2.0, batch: int = 500) -> None:
        self.log = log
        self.clock = clock
        self.position = position  # every event up to here has been read (or marked a gap)
        self.gap_timeout = gap_timeout
        self.batch = batch
        self.more = False  # the last run filled a batch: more may follow at once
        self.waiting = False  # the last run stopped at an open hole: look again soon
        self._hole_seen: tuple[int, float] | None = None

    async def next_run(self, *, full: bool = True, current: bool = False) -> list[EventDoc]:
        """The events after `position` in an unbroken run, up to a batch of them and gap
        markers left out, moving `position` past them: whole if `full` (otherwise ids and
        kinds), and with `current`, each post event carrying its post as it stands now
        (`EventLog.with_current`)."""
        self.more = self.waiting = False
        if full and not current:  # as every follower of the log reads it: shared
            events = await self.log.follow(self.position, limit=self.batch)
        else:
            events = await self.log.read_after(self.position, limit=self.batch,
                                               ids_only=not full)
        if current:
            await self.log.with_current(events)
        run: list[EventDoc] = []
        for event in events:
            seq = seq_of(event)
            if seq != self.position + 1:
                self.position = max(self.position, await self.log.pruned_through())
                if seq <= self.position:
                    continue
            if seq != self.position + 1:
                await self._hole(self.position + 1)
                return run
            self.position = seq
            self._hole_seen = None
            if event["kind"] != GAP:
                run.append(event)
        self.more = len(events) == self.batch
        return run

    async def _hole(self, seq: int) -> None:
        """A number taken but not yet written: wait for it, then give up on it."""
        self.waiting = True
        now = asyncio.get_running_loop().time()
        if self._hole_seen is None or self._hole_seen[0] != seq:
            self._hole_seen = (seq, now)
        elif now - self._hole_seen[1] >= self.gap_timeout:
            await self.log.fill_gap(seq, self.clock())
