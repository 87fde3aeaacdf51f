"""`python -m api serve` started, restarted and stopped: the data on the embedded database
survives a restart, stopping never waits on a database that has gone, and a database that
does not answer stops the start with a clear message."""

import os
import signal
import subprocess
import sys
import time
from typing import Any

import httpx2
import pytest

from api.embedded import embedded_database
from tests.acceptance.server import ROOT, _wait_ready, free_port, mint, running_server
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


def serve(env: dict[str, str], **options: Any) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m api serve` with `env` added (empty values removed), ready; and its URL."""
    port = free_port()
    environment = {**os.environ, **env}
    for name in [name for name, value in env.items() if value == ""]:
        environment.pop(name)
    server = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)],
                              cwd=ROOT, env=environment, stderr=subprocess.DEVNULL, **options)
    url = f"http://127.0.0.1:{port}"
    _wait_ready(server, url, 60)
    return server, url


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


def database_of(server: subprocess.Popen[bytes]) -> int:
    children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
    return int(children.stdout.split()[0])


def test_the_embedded_database_stops_when_the_server_is_killed(tmp_path):
    server, _ = serve({"APP_MONGODB_URI": "", "APP_DATA_DIR": str(tmp_path)})
    database_pid = database_of(server)
    server.send_signal(signal.SIGKILL)
    server.wait()
    if not gone(database_pid, within=20):
        os.kill(database_pid, signal.SIGKILL)
        raise AssertionError("the embedded database outlived its server")


def test_ctrl_c_stops_the_server_and_its_embedded_database_at_once(tmp_path):
    # A terminal's Ctrl-C signals the whole foreground process group.
    server, url = serve({"APP_MONGODB_URI": "", "APP_DATA_DIR": str(tmp_path)},
                        start_new_session=True)
    database_pid = database_of(server)
    read_something(url)
    os.killpg(server.pid, signal.SIGINT)
    try:
        # Well under the driver's 30 s search for a database that stopped with us.
        assert server.wait(timeout=15) == 0
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    assert gone(database_pid, within=15)


def test_the_server_stops_at_once_when_its_database_has_gone(tmp_path):
    with embedded_database(path=tmp_path / "data.sqlite3") as uri:
        server, url = serve({"APP_MONGODB_URI": uri, "APP_MONGODB_DATABASE": "stopping"})
        read_something(url)
    assert httpx2.get(f"{url}/readyz", timeout=10).status_code == 503  # it knows
    server.send_signal(signal.SIGTERM)
    try:
        # Uvicorn ends its graceful shutdown by raising again the signal it caught.
        assert server.wait(timeout=15) == -signal.SIGTERM
    finally:
        server.kill()


def test_a_database_that_does_not_answer_stops_the_start_with_a_clear_message():
    closed = f"mongodb://127.0.0.1:{free_port()}"  # nothing listens there
    environment = {**os.environ, "APP_MONGODB_URI": closed, "APP_DATABASE_TIMEOUT": "1"}
    started = subprocess.run(
        [sys.executable, "-m", "api", "serve", "--port", str(free_port())], cwd=ROOT,
        env=environment, capture_output=True, text=True, timeout=60)
    assert started.returncode != 0
    assert ("the database (APP_MONGODB_URI) did not answer within 1 s (APP_DATABASE_TIMEOUT)"
            in started.stderr)
