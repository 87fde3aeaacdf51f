"""Agora as deployed by docker-compose.yml: nginx in front of two API processes on one
database, with the proxy's own configuration (scripts/nginx/agora.conf). nginx comes from
Debian's package (scripts/test unpacks it); only the address it listens on and the replicas'
addresses differ from the compose file's."""

import asyncio
import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import pytest

from tests.acceptance.server import free_port
from tests.live.client import LiveClient, active_subscriptions, registered
from tests.live.test_streams import POSTS, post, thread

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
CONFIGURATION = ROOT / "scripts" / "nginx" / "agora.conf"
HEADER_TIMEOUT = 5  # client_header_timeout in agora.conf


def nginx_binary() -> str | None:
    unpacked = ROOT / ".venv" / "nginx" / "usr" / "sbin" / "nginx"
    return shutil.which("nginx") or (str(unpacked) if unpacked.exists() else None)


def configured(port: int, upstreams: list[str]) -> str:
    """agora.conf listening on loopback at `port` instead of the compose file's port."""
    text = CONFIGURATION.read_text()
    assert text.count("listen 8080;") == 1
    return text.replace("listen 8080;", f"listen 127.0.0.1:{port};")


@contextlib.contextmanager
def running_nginx(upstreams: list[str]) -> Iterator[str]:
    binary = nginx_binary()
    if binary is None:
        pytest.skip("no nginx here: scripts/test unpacks Debian's package where apt-get is")
    port = free_port()
    home = Path(tempfile.mkdtemp(prefix="agora-nginx-"))
    home.chmod(0o755)  # nginx's workers run as an unprivileged user when started as root
    try:
        (home / "agora.conf").write_text(configured(port, upstreams))
        (home / "agora-upstream.conf").write_text(
            "".join(f"server {urlsplit(url).netloc};\n" for url in upstreams))
        (home / "nginx.conf").write_text(f"""
            daemon off;
            worker_processes 1;
            pid {home}/nginx.pid;
            error_log {home}/error.log info;
            events {{ worker_connections 1024; }}
            http {{
                access_log off;
                client_body_temp_path {home}/body;
                proxy_temp_path {home}/proxy;
                fastcgi_temp_path {home}/fastcgi;
                uwsgi_temp_path {home}/uwsgi;
                scgi_temp_path {home}/scgi;
                include agora.conf;
            }}
        """)
        process = subprocess.Popen(
            [binary, "-p", str(home), "-c", str(home / "nginx.conf"), "-e",
             str(home / "error.log")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                raise AssertionError(f"nginx exited: {(home / 'error.log').read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            assert time.monotonic() < deadline, "nginx did not start listening"
            time.sleep(0.05)
        try:
            yield url
        finally:
            process.terminate()
            process.wait(10)
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def proxy(servers: list[str]) -> Iterator[str]:
    with running_nginx(servers) as url:
        yield url


async def test_requests_through_the_proxy_are_answered(proxy):
    async with httpx2.AsyncClient(timeout=10) as http:
        ready = await http.get(f"{proxy}/readyz")
        answer = await http.post(f"{proxy}/graphql", json={"query": "{ __typename }"})
    assert ready.status_code == 200
    assert answer.json() == {"data": {"__typename": "Query"}}


async def test_subscribers_behind_the_proxy_are_spread_and_receive_writes_of_either_process(
    servers, proxy, live_store, tokens
):
    _, discussion = await thread(live_store)
    before = [await active_subscriptions(url) for url in servers]
    watchers = [await LiveClient.connect(proxy, tokens("member0")) for _ in range(2)]
    for watcher in watchers:
        await watcher.subscribe(POSTS, discussion=discussion)
    # nginx takes turns: the two WebSockets went to the two processes.
    for url, count in zip(servers, before, strict=True):
        await registered(url, count + 1)
    async with httpx2.AsyncClient(timeout=10) as http:
        for n, url in enumerate([*servers, proxy]):
            await post(http, url, tokens("member1"), discussion, f"through {n}")
    for watcher in watchers:
        events = await watcher.events(3)
        assert [event["subject"]["body"] for event in events] == [
            "through 0", "through 1", "through 2"]
        await watcher.close()


async def seconds_until_cut_off(url: str, give_up_after: float) -> float | None:
    """Send a request's headers a line every quarter second, never ending them: how long
    the server at `url` lets that go on (None: until `give_up_after`)."""
    reader, writer = await asyncio.open_connection(*urlsplit(url).netloc.split(":"))
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        writer.write(b"GET /readyz HTTP/1.1\r\nHost: agora\r\n")
        while loop.time() - started < give_up_after:
            writer.write(b"X-Slow: %d\r\n" % int(loop.time() * 1000))
            await writer.drain()
            with contextlib.suppress(TimeoutError):
                if await asyncio.wait_for(reader.read(1024), 0.25) == b"":
                    return loop.time() - started
        return None
    except ConnectionError:
        return loop.time() - started
    finally:
        writer.close()


async def test_a_client_trickling_its_request_headers_is_cut_off(servers, proxy):
    through_proxy, direct = await asyncio.gather(
        seconds_until_cut_off(proxy, give_up_after=3 * HEADER_TIMEOUT),
        seconds_until_cut_off(servers[0], give_up_after=HEADER_TIMEOUT + 3))
    assert through_proxy is not None, "the proxy kept waiting for the headers"
    assert HEADER_TIMEOUT - 0.5 <= through_proxy <= HEADER_TIMEOUT + 3
    assert direct is None  # what the proxy is for: uvicorn alone waits on
