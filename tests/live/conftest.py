"""Real API servers on loopback ports, sharing one database, with a store for setting up."""

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from resolvers.store import Store
from tests.acceptance.server import running_server
from tests.live.world import CSS, MAX, MIA, NSS_ES, NSS_FR, OLGA, TOM, World

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def live_database() -> str:
    return f"test_live_{uuid.uuid4().hex[:8]}"


def server_env(mongodb_uri: str, database: str, **extra: str) -> dict[str, str]:
    return {
        "APP_MONGODB_URI": mongodb_uri,
        "APP_MONGODB_DATABASE": database,
        "APP_RATE_LIMITS": json.dumps({"addPost": "100000/minute",
                                       "startDiscussion": "1000/minute"}),
        **extra,
    }


@pytest.fixture(scope="module")
def servers(mongodb_uri: str, live_database: str) -> Iterator[list[str]]:
    """Two API processes on one database."""
    env = server_env(mongodb_uri, live_database)
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(running_server(env)) for _ in range(2)]


@pytest.fixture(scope="module")
async def live_store(
    mongodb_uri: str, live_database: str
) -> AsyncIterator[Store]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongodb_uri, tz_aware=True)
    store = Store(client[live_database])
    await store.ensure_indexes()
    yield store
    await client.drop_database(live_database)
    await client.close()


@pytest.fixture
async def world(live_store):
    for person in (OLGA, MAX, MIA, TOM, CSS, NSS_ES, NSS_FR):
        await live_store.users.record(actor=person, now=datetime.now(UTC))
    return await World().build(live_store)
