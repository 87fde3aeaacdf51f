"""SIGTERM: stop accepting, tell subscribers to reconnect elsewhere, finish what is in flight."""

import asyncio
import os
import signal
import subprocess
import sys

import httpx2
import pytest
import websockets

from tests.acceptance.server import ROOT, _wait_ready, free_port
from tests.live.client import LiveClient, registered
from tests.live.conftest import server_env

pytestmark = pytest.mark.e2e

FEED = "subscription { moderationFeed { kind } }"


async def test_sigterm_closes_subscriptions_with_1012_and_finishes_requests(
    mongodb_uri, live_database, tokens
):
    port = free_port()
    env = {**os.environ, **server_env(mongodb_uri, live_database)}
    server = subprocess.Popen(  # noqa: ASYNC220 - starting it does not wait for it
        [sys.executable, "-m", "api", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        await asyncio.to_thread(_wait_ready, server, url, 60)
        watcher = await LiveClient.connect(url, tokens("carla", "CSS", country=None))
        await watcher.subscribe(FEED)
        await registered(url, 1)
        async with httpx2.AsyncClient(timeout=30) as http:
            requests = [asyncio.ensure_future(http.post(
                f"{url}/graphql", json={"query": "{ me { name } }"},
                headers={"Authorization": f"Bearer {tokens('olga')}"})) for _ in range(20)]
            # SIGTERM once the server is answering them (a fixed pause may end before a slow
            # machine has taken any): the rest are in flight, or not yet accepted.
            await asyncio.wait(requests, return_when=asyncio.FIRST_COMPLETED)
            server.send_signal(signal.SIGTERM)
            outcomes = await asyncio.gather(*requests, return_exceptions=True)
        answered = [o for o in outcomes if isinstance(o, httpx2.Response)]
        assert answered, outcomes
        # Every request the server took was answered in full; the others were never accepted.
        assert all(response.status_code == 200 for response in answered)
        assert all(isinstance(o, httpx2.Response | httpx2.TransportError) for o in outcomes)
        with pytest.raises(websockets.ConnectionClosed):
            await watcher.message(15)
        assert watcher.connection.close_code == 1012  # service restart: reconnect elsewhere
        # uvicorn re-raises SIGTERM once it has shut down gracefully.
        assert await asyncio.to_thread(server.wait, 30) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
