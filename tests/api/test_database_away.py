"""While the database is away: requests are answered within `APP_DATABASE_TIMEOUT` with a
typed error, not after the driver's 30 seconds with a masked one; the readiness probe says so;
each failure is one line of log, not a traceback; and closing does not wait for it."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

from api.app import build_app
from api.embedded import embedded_database
from api.lifespan import close_client, mongo_client
from api.settings import Environment, Settings
from tests.acceptance.test_group_story import CREATE, form_input
from tests.conftest import Tokens
from tests.groups_seed import NEAR_DUPLICATE
from tests.support import LifespanApp, gql

GROUPS = "{ groups(first: 5) { edges { node { title } } } }"
UNAVAILABLE = {
    "message": "The database is unavailable; try again shortly.",
    "extensions": {"code": "DATABASE_UNAVAILABLE"},
}


@pytest.fixture
async def away(tmp_path) -> AsyncIterator[tuple[httpx2.AsyncClient, dict[str, str]]]:
    """The API in production mode, whose database stopped after answering it once; and a
    teacher's headers."""
    with contextlib.ExitStack() as database:
        uri = database.enter_context(embedded_database(path=tmp_path / "away.sqlite3"))
        # The notifier's own word that the database is away is not the request's.
        # Nor is an answer kept before it went away what a read that needs it gets.
        settings = Settings(env=Environment.PRODUCTION, jwt_secret="s" * 40, mongodb_uri=uri,
                            mongodb_database="away", database_timeout=1, notifier=False,
                            search_indexer=False, response_cache_seconds=0)
        headers = Tokens(settings).headers("olga")
        async with LifespanApp(build_app(settings)) as app:
            transport = httpx2.ASGITransport(app=app)
            async with httpx2.AsyncClient(transport=transport, base_url="http://t") as http:
                answered = await gql(http, GROUPS, headers=headers)
                assert answered == {"data": {"groups": {"edges": []}}}
                database.close()
                yield http, headers


def errors_without_locations(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [{key: value for key, value in error.items() if key != "locations"}
            for error in body["errors"]]


async def test_a_read_gets_a_typed_error_in_time_and_one_line_of_log(away, caplog):
    http, headers = away
    caplog.set_level(logging.INFO)
    # Well within the driver's own 30 s, which the setting (1 s here) replaces.
    body = await asyncio.wait_for(gql(http, GROUPS, headers=headers), timeout=15)
    assert body["data"] is None
    assert errors_without_locations(body) == [{**UNAVAILABLE, "path": ["groups"]}]
    logged = [record for record in caplog.records if record.name.startswith("agora")]
    assert [record.levelname for record in logged] == ["WARNING"]
    assert logged[0].exc_info is None


async def test_a_write_gets_the_same_error(away):
    http, headers = away
    body = await asyncio.wait_for(gql(http, CREATE, {"input": form_input(NEAR_DUPLICATE)},
                                      headers=headers), timeout=15)
    assert body["data"] is None
    assert errors_without_locations(body) == [{**UNAVAILABLE, "path": ["createGroup"]}]


async def test_the_readiness_probe_says_so_in_time(away):
    http, _ = away
    response = await asyncio.wait_for(http.get("/readyz"), timeout=15)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


async def test_closing_the_client_does_not_wait_for_the_database(tmp_path):
    with contextlib.ExitStack() as database:
        uri = database.enter_context(embedded_database(path=tmp_path / "gone.sqlite3"))
        client = mongo_client(Settings(mongodb_uri=uri, database_timeout=30))
        await client.gone.things.insert_one({"a": 1})  # the client now holds a session
        database.close()
        await asyncio.sleep(1)  # the driver sees the server gone, and would look for it
        # The driver alone waits its server selection timeout (30 s here) to end the session.
        await asyncio.wait_for(close_client(client), timeout=10)
