"""The app's lifespan: the database client, the store and its indexes, and warm models."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, TypedDict

import pymongo
from pymongo import AsyncMongoClient
from pymongo.errors import ConnectionFailure
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette

from api.metrics import Metrics
from api.settings import Settings
from resolvers import files
from resolvers.domain.language import warm_up
from resolvers.store import Store
from resolvers.users import UserRecorder
from subscriptions.fanout import Fanout, FanoutSettings
from subscriptions.follower import FollowerFactory, LogFollower
from subscriptions.indexer import SearchIndexer
from subscriptions.notifier import Notifier

log = logging.getLogger("agora.files")

# Seconds a readiness probe or a shutdown waits for a database that does not answer. Without a
# bound, the driver looks for an absent server for its whole server selection timeout (30 s).
DATABASE_WAIT = 2.0


class State(TypedDict):
    store: Store
    users: UserRecorder
    fanout: Fanout


def fanout_settings(settings: Settings) -> FanoutSettings:
    return FanoutSettings(
        poll_interval=settings.events_poll_interval,
        retention=timedelta(days=settings.events_retention_days),
    )


def mongo_client(
    settings: Settings, listeners: Sequence[CommandListener] = ()
) -> AsyncMongoClient[dict[str, Any]]:
    if not settings.mongodb_uri:
        raise RuntimeError("APP_MONGODB_URI is empty; `python -m api serve` starts a database")
    return AsyncMongoClient(
        settings.mongodb_uri, tz_aware=True, connect=False, event_listeners=list(listeners),
        serverSelectionTimeoutMS=round(settings.database_timeout * 1000),
    )


async def close_client(client: AsyncMongoClient[dict[str, Any]]) -> None:
    """Close `client`, waiting `DATABASE_WAIT` at most for the server to end its sessions."""
    with pymongo.timeout(DATABASE_WAIT):
        await client.close()


async def sweep_files(store: Store, clock: Callable[[], datetime], every: float) -> None:
    """Remove discarded files and abandoned uploads every `every` seconds."""
    while True:
        await asyncio.sleep(every)
        try:
            await files.sweep(store, now=clock())
        except ConnectionFailure:
            log.warning("file sweep: the database is unavailable; trying again later")
        except Exception:
            log.exception("file sweep failed; trying again later")


def lifespan_for(
    settings: Settings,
    metrics: Metrics,
    listeners: Sequence[CommandListener],
    clock: Callable[[], datetime],
    schema_followers: Sequence[FollowerFactory] = (),
) -> Callable[[Starlette], AbstractAsyncContextManager[State]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        client = mongo_client(settings, listeners)
        fanout = None
        sweeper: asyncio.Task[None] | None = None
        followers: list[LogFollower] = []
        try:
            store = Store(client[settings.mongodb_database],
                          text_search=settings.search_backend == "text")
            try:
                await store.ensure_indexes()
            except ConnectionFailure:
                raise RuntimeError(
                    f"the database (APP_MONGODB_URI) did not answer within "
                    f"{settings.database_timeout:g} s (APP_DATABASE_TIMEOUT)") from None
            await asyncio.to_thread(warm_up)
            fanout = Fanout(store.events, clock, fanout_settings(settings),
                            observer=metrics.event_handed_out)
            store.events.on_append(metrics.appended.inc)
            metrics.subscriptions.set_function(lambda: fanout.subscriber_count if fanout else 0)
            await fanout.start()
            for wanted, follower in ((settings.notifier, Notifier),
                                     (settings.search_indexer, SearchIndexer)):
                if wanted:
                    followers.append(follower(
                        store, clock, poll_interval=5 * settings.events_poll_interval))
                    await followers[-1].start()
            for make in schema_followers:  # those the schema's own work needs
                followers.append(make(store, clock, settings.events_poll_interval))
                await followers[-1].start()
            sweeper = asyncio.create_task(sweep_files(store, clock, settings.file_sweep_interval),
                                          name="file sweep")
            yield {"store": store, "users": UserRecorder(), "fanout": fanout}
        finally:
            if sweeper is not None:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
            # At once: each may wait out its grace on a database that has gone.
            await asyncio.gather(*(started.stop() for started in followers))
            if fanout is not None:
                await fanout.stop()
            await close_client(client)

    return lifespan
