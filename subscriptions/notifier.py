"""The notifier: follows the event log and stores the notifications each event makes
(`resolvers.notifications`), outside the request that wrote the event. Every process runs
one; a notification is stored once whichever stores it, and the notifier's place in the log
is kept in the database, so none is lost across restarts."""

import asyncio
import contextlib
import logging

from resolvers.domain.events import EventDoc
from resolvers.domain.membership import Standing
from resolvers.notifications import notify
from resolvers.store import Store
from subscriptions.fanout import Fanout
from subscriptions.log import seq_of
from subscriptions.stream import Decision, ResyncRequired, cursor_at, stream

log = logging.getLogger("agora.notifier")
_SYSTEM = Standing(role=None, oversees=True, owns=False)  # sees every event as it happened


class _EveryEvent:
    """The notifier's watch: every event, as it happened."""

    def wants(self, event: EventDoc) -> bool:
        return True

    async def refresh(self) -> None:
        pass

    def decide(self, event: EventDoc, *, live: bool) -> Decision:
        return Decision.DELIVER

    def standing(self, event: EventDoc) -> Standing:
        return _SYSTEM


class Notifier:
    def __init__(self, store: Store, fanout: Fanout, *, retry_after: float = 1.0) -> None:
        self._store = store
        self._fanout = fanout
        self._retry_after = retry_after
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notifier")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._follow()
            except asyncio.CancelledError:
                raise
            except ResyncRequired:  # retention removed what it had not read: go on from now
                await self._store.notifications.advance(seq=await self._store.events.head())
            except Exception as error:  # the database may be away for a moment
                log.warning("notifier (retrying): %s", error)
                await asyncio.sleep(self._retry_after)

    async def _follow(self) -> None:
        store = self._store
        position = await store.notifications.position()
        if position is None:  # its first run: from now on
            position = await store.events.head()
            await store.notifications.advance(seq=position)
        async for delivery in stream(fanout=self._fanout, log=store.events,
                                     watch=_EveryEvent(), after=cursor_at(position)):
            await notify(store, delivery.event)
            await store.notifications.advance(seq=seq_of(delivery.event))
