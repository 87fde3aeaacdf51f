"""The notifier: follows the event log and stores the notifications each event makes
(`resolvers.notifications`), outside the request that wrote the event. Every process runs
one; a notification is stored once whichever stores it, and the notifier's place in the log
is kept in the database, so none is lost across restarts. It reads the log on its own, so
that subscriptions keep the fanout's ways (it sleeps while nobody listens)."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from pymongo.errors import ConnectionFailure

from resolvers.notifications import notify
from resolvers.store import Store
from subscriptions.reader import LogReader

log = logging.getLogger("agora.notifier")


class Notifier:
    def __init__(self, store: Store, clock: Callable[[], datetime], *,
                 poll_interval: float = 0.5, gap_timeout: float = 2.0) -> None:
        self._store = store
        self._reader = LogReader(store.events, clock, gap_timeout=gap_timeout)
        self._poll_interval = poll_interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._away = False  # the database did not answer the last try

    async def start(self) -> None:
        self._store.events.on_append(self._wake.set)  # a write through this process
        self._task = asyncio.create_task(self._run(), name="notifier")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        started = False
        while True:
            try:
                if not started:
                    await self._start_at_saved_place()
                    started = True
                await self._catch_up()
            except asyncio.CancelledError:
                raise
            except ConnectionFailure as error:  # away for a moment: said once, retried
                if not self._away:
                    log.warning("notifier: the database is unavailable (%s); retrying",
                                type(error).__name__)
                self._away = True
            except Exception:
                log.exception("notifier failed; retrying")
            else:
                self._away = False
            wait = 0.05 if self._reader.waiting else self._poll_interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
            self._wake.clear()

    async def _start_at_saved_place(self) -> None:
        notifications = self._store.notifications
        position = await notifications.position()
        if position is None:  # its first run: from now on
            position = await self._store.events.head()
            await notifications.advance(seq=position)
        self._reader.position = position

    async def _catch_up(self) -> None:
        while True:
            before = self._reader.position
            for event in await self._reader.next_run():
                await notify(self._store, event)
            if self._reader.position != before:
                await self._store.notifications.advance(seq=self._reader.position)
            if not self._reader.more:
                return
