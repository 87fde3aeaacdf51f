"""`python -m api serve` started, restarted and stopped: the data on the embedded database
survives a restart, stopping never waits on a database that has gone, and a database that
does not answer stops the start with a clear message."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx2
import pytest

from api.embedded import embedded_database
from tests.acceptance.server import (
    ROOT,
    _wait_ready,
    free_port,
    mint,
    running_server,
    start_server,
)
from tests.acceptance.test_group_story import CREATE, form_input
from tests.groups_seed import NEAR_DUPLICATE

pytestmark = pytest.mark.e2e


def call(base_url: str, token: str, query: str, **variables: object) -> dict:
    response = httpx2.post(
        f"{base_url}/graphql", json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"}, timeout=30,
    )
    return response.json()["data"]


def test_a_restart_keeps_the_data(tmp_path):
    # No APP_MONGODB_URI: the server starts its own embedded database under APP_DATA_DIR.
    env = {"APP_MONGODB_URI": "", "APP_DATA_DIR": str(tmp_path / "data")}
    token = mint("olga", "country=ES")
    with running_server(env) as url:
        created = call(url, token, CREATE, input=form_input(NEAR_DUPLICATE))["createGroup"]
        assert created["status"] == "PENDING"
    assert (tmp_path / "data" / "agora.sqlite3").exists()
    with running_server(env) as url:
        query = "query($id: ID!) { group(id: $id) { title status } me { name } }"
        again = call(url, token, query, id=created["id"])
    assert again == {
        "group": {"title": NEAR_DUPLICATE.title, "status": "PENDING"},
        "me": {"name": "Olga"},
    }


@contextlib.contextmanager
def serving(env: dict[str, str], *, session: bool = False) -> Iterator[
        tuple[subprocess.Popen[bytes], str]]:
    """The API (`start_server`), ready, and its URL. With `session`, in a session of its own,
    as a terminal runs a command. Whatever the test did, nothing it started outlives it."""
    port = free_port()
    server = start_server(env, port, stderr=subprocess.DEVNULL, start_new_session=session)
    children: list[int] = []
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(server, url, 60)
        children += children_of(server.pid)
        yield server, url
    finally:
        for pid in [server.pid, *children]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.wait()


def children_of(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(child) for child in found.stdout.split()]


def read_something(url: str) -> None:
    """A request that talks to the database (and leaves the driver a session to end)."""
    query = "{ groups(first: 1) { edges { node { id } } } }"
    assert call(url, mint("olga"), query) == {"groups": {"edges": []}}


def gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_the_embedded_database_stops_when_the_server_is_killed(tmp_path):
    with serving({"APP_MONGODB_URI": "", "APP_DATA_DIR": str(tmp_path)}) as (server, _):
        (database_pid,) = children_of(server.pid)
        server.send_signal(signal.SIGKILL)
        server.wait()
        assert gone(database_pid, within=20), "the embedded database outlived its server"


def test_ctrl_c_stops_the_server_and_its_embedded_database_at_once(tmp_path):
    env = {"APP_MONGODB_URI": "", "APP_DATA_DIR": str(tmp_path)}
    with serving(env, session=True) as (server, url):
        (database_pid,) = children_of(server.pid)
        read_something(url)
        os.killpg(server.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole process group
        # Well under the driver's 30 s search for a database that stopped with us.
        assert server.wait(timeout=15) == 0
        assert gone(database_pid, within=15)


def test_the_server_stops_at_once_when_its_database_has_gone(tmp_path):
    with contextlib.ExitStack() as database:
        uri = database.enter_context(embedded_database(path=tmp_path / "data.sqlite3"))
        env = {"APP_MONGODB_URI": uri, "APP_MONGODB_DATABASE": "stopping"}
        with serving(env) as (server, url):
            read_something(url)
            database.close()  # the database stops under the running server
            time.sleep(1)  # the driver sees it gone, and would look for it for 30 s
            server.send_signal(signal.SIGTERM)
            # Uvicorn ends its graceful shutdown by raising again the signal it caught.
            assert server.wait(timeout=15) == -signal.SIGTERM


def test_a_database_that_does_not_answer_stops_the_start_with_a_clear_message():
    closed = f"mongodb://127.0.0.1:{free_port()}"  # nothing listens there
    environment = {**os.environ, "APP_MONGODB_URI": closed, "APP_DATABASE_TIMEOUT": "1"}
    started = subprocess.run(
        [sys.executable, "-m", "api", "serve", "--port", str(free_port())], cwd=ROOT,
        env=environment, capture_output=True, text=True, timeout=60)
    assert started.returncode != 0
    assert ("the database (APP_MONGODB_URI) did not answer within 1 s (APP_DATABASE_TIMEOUT)"
            in started.stderr)
