"""The app's lifespan: the database client, the store and its indexes, and warm models."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TypedDict

from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette

from api.settings import Settings
from resolvers.domain.language import warm_up
from resolvers.store import Store
from resolvers.users import UserRecorder


class State(TypedDict):
    store: Store
    users: UserRecorder


def mongo_client(
    settings: Settings, listeners: Sequence[CommandListener] = ()
) -> AsyncMongoClient[dict]:  # type: ignore[type-arg]
    if not settings.mongodb_uri:
        raise RuntimeError("APP_MONGODB_URI is empty; `python -m api serve` starts a database")
    return AsyncMongoClient(
        settings.mongodb_uri, tz_aware=True, connect=False, event_listeners=list(listeners)
    )


def lifespan_for(settings: Settings, listeners: Sequence[CommandListener] = ()):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        client = mongo_client(settings, listeners)
        try:
            store = Store(client[settings.mongodb_database])
            await store.ensure_indexes()
            await asyncio.to_thread(warm_up)
            yield {"store": store, "users": UserRecorder()}
        finally:
            await client.close()

    return lifespan
