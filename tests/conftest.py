"""Shared fixtures: one database server per session, one database per test."""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest
from pymongo import AsyncMongoClient

from api.app import build_app
from api.auth import mint_token
from api.embedded import embedded_database
from api.settings import Environment, Settings
from resolvers.domain.actors import Actor, Role
from resolvers.store import Store
from tests.support import Clock, LifespanApp

REAL_MONGODB_URI = os.environ.get("APP_MONGODB_URI", "")
# The suite runs twice in CI: on the fast path (schema/fastpath/), and without it.
FAST_PATH = Settings().fast_path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skips = {}
    if not REAL_MONGODB_URI:
        skips["real_mongodb"] = "needs real MongoDB: set APP_MONGODB_URI to run it"
    if not FAST_PATH:
        skips["fast_path"] = "a property of the fast path, which APP_FAST_PATH=false turns off"
    for item in items:
        for marker, reason in skips.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def mongodb_uri() -> Iterator[str]:
    """Real MongoDB when APP_MONGODB_URI is set; otherwise an embedded server in memory."""
    if REAL_MONGODB_URI:
        yield REAL_MONGODB_URI
        return
    with embedded_database(path=None) as uri:
        yield uri


@pytest.fixture(scope="session")
async def mongo_client(mongodb_uri: str) -> AsyncIterator[AsyncMongoClient[dict]]:  # type: ignore[type-arg]
    client: AsyncMongoClient[dict] = AsyncMongoClient(mongodb_uri, tz_aware=True)  # type: ignore[type-arg]
    yield client
    await client.close()


@pytest.fixture
def database_name() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def store(
    mongo_client: AsyncMongoClient[dict], database_name: str  # type: ignore[type-arg]
) -> AsyncIterator[Store]:
    store = Store(mongo_client[database_name])
    await store.ensure_indexes()
    yield store
    await mongo_client.drop_database(database_name)


@pytest.fixture
async def file_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A store on the embedded database on a file, as `./scripts/serve` runs it: its SQLite
    engine has limits of its own, which the in-memory one does not share."""
    with embedded_database(path=tmp_path / "agora.sqlite3") as uri:
        client: AsyncMongoClient[dict] = AsyncMongoClient(uri, tz_aware=True)  # type: ignore[type-arg]
        try:
            yield Store(client["agora"])
        finally:
            await client.close()


@pytest.fixture
def settings(mongodb_uri: str, database_name: str) -> Settings:
    # The notifier's and the search indexer's own reads of the log would mingle with what a
    # test counts; the tests of notifications and of search turn them on.
    return Settings(
        env=Environment.TEST, mongodb_uri=mongodb_uri, mongodb_database=database_name,
        notifier=False, search_indexer=False,
    )


START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # where each test's clock starts


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
async def client(
    settings: Settings, store: Store, clock: Clock
) -> AsyncIterator[httpx2.AsyncClient]:
    """An HTTP client for the real ASGI app, its lifespan running, on this test's database."""
    async with LifespanApp(build_app(settings, clock=clock)) as app:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://agora.test") as http:
            yield http


class Tokens:
    """Development tokens for the usual cast."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def __call__(
        self, sub: str, *roles: str, country: str | None = "ES", name: str | None = None,
        ttl: timedelta = timedelta(hours=1),
    ) -> str:
        return mint_token(
            self._settings, sub=sub, name=name or sub.title(), roles=list(roles or ["TEACHER"]),
            country=country, ttl=ttl,
        )

    def headers(self, sub: str, *roles: str, country: str | None = "ES") -> dict[str, str]:
        return {"Authorization": f"Bearer {self(sub, *roles, country=country)}"}


@pytest.fixture
def tokens(settings: Settings) -> Tokens:
    return Tokens(settings)


def actor(sub: str, *roles: Role, country: str | None = "ES") -> Actor:
    return Actor(id=sub, name=sub.title(), roles=frozenset(roles or {Role.TEACHER}),
                 country=country)
