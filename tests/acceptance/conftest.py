"""The API server, started once per module on a loopback port."""

import uuid
from collections.abc import Iterator

import pytest

from tests.acceptance.server import running_server


@pytest.fixture(scope="module")
def server(mongodb_uri: str) -> Iterator[str]:
    database = f"test_e2e_{uuid.uuid4().hex[:8]}"
    with running_server({"APP_MONGODB_URI": mongodb_uri, "APP_MONGODB_DATABASE": database}) as url:
        yield url
