"""Data on the embedded database survives a restart of `python -m api serve`."""

import httpx2
import pytest

from tests.acceptance.server import mint, running_server
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


def test_the_embedded_database_stops_when_the_server_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.acceptance.server import ROOT, _wait_ready, free_port

    port = free_port()
    env = {**os.environ, "APP_DATA_DIR": str(tmp_path)}
    env.pop("APP_MONGODB_URI", None)
    server = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)],
                              cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    _wait_ready(server, f"http://127.0.0.1:{port}", 60)
    children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
    database_pid = int(children.stdout.split()[0])
    server.send_signal(signal.SIGKILL)
    server.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(database_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(database_pid, signal.SIGKILL)
    raise AssertionError("the embedded database outlived its server")
