"""Each WebSocket implementation `APP_WS_PROTOCOL` offers, over real sockets: a subscriber
receives posts in order, several messages arriving at once are all read, and a closed socket
ends its subscriptions."""

import asyncio

import httpx2
import pytest

from tests.acceptance.server import mint, running_server
from tests.live.client import LiveClient, active_subscriptions, registered
from tests.live.conftest import server_env
from tests.live.test_streams import MEMBERS, OWNER, POSTS, bodies, post, thread

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("protocol", ["lean", "websockets-sansio", "websockets"])
async def test_every_websocket_implementation_delivers_and_lets_go(
    mongodb_uri, live_database, live_store, protocol
):
    _, discussion = await thread(live_store)
    env = server_env(mongodb_uri, live_database, APP_WS_PROTOCOL=protocol)
    with running_server(env) as url:
        async with httpx2.AsyncClient(timeout=10) as http:
            watcher = await LiveClient.connect(url, mint(MEMBERS[0].id))
            # Three subscriptions sent together: the server reads each message.
            await asyncio.gather(*(watcher.subscribe(POSTS, discussion=discussion)
                                   for _ in range(3)))
            await registered(url, 3)
            for body in ("one", "two"):
                await post(http, url, mint(OWNER.id), discussion, body)
            assert sorted(bodies(await watcher.events(6))) == ["one"] * 3 + ["two"] * 3
            await watcher.close()
            for _ in range(200):
                if await active_subscriptions(url) == 0:
                    break
                await asyncio.sleep(0.05)
            assert await active_subscriptions(url) == 0
