"""A real graphql-transport-ws client, for tests against the running server."""

import asyncio
import json
from typing import Any

import httpx2
import websockets
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import ClientConnection

PROTOCOL = "graphql-transport-ws"


class LiveClient:
    """One WebSocket connection; `subscribe` starts operations, `next_event` reads them."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self._ids = 0

    @classmethod
    async def connect(cls, base_url: str, token: str | None) -> "LiveClient":
        url = base_url.replace("http://", "ws://") + "/graphql"
        connection = await websockets.connect(url, subprotocols=[PROTOCOL])
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await connection.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(connection.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        return cls(connection)

    async def subscribe(self, query: str, **variables: Any) -> str:
        self._ids += 1
        operation = str(self._ids)
        await self.connection.send(json.dumps({
            "id": operation, "type": "subscribe",
            "payload": {"query": query, "variables": variables},
        }))
        return operation

    async def message(self, wait: float | None = 10) -> dict[str, Any]:
        """The next message other than a ping (answered), within `wait` seconds (None: the
        caller bounds the time, as a benchmark waiting on thousands of clients at once does)."""
        while True:
            received = self.connection.recv()
            message = json.loads(await (received if wait is None
                                        else asyncio.wait_for(received, wait)))
            if message["type"] != "ping":
                return message  # type: ignore[no-any-return]
            await self.connection.send(json.dumps({"type": "pong"}))

    async def events(self, count: int, wait: float | None = 20) -> list[dict[str, Any]]:
        """The next `count` events' data, failing on anything else."""
        received = []
        while len(received) < count:
            message = await self.message(wait)
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message
            (data,) = message["payload"]["data"].values()
            received.append(data)
        return received

    async def silence(self, seconds: float = 0.6) -> None:
        """Assert that nothing arrives for `seconds`."""
        try:
            message = await self.message(seconds)
        except TimeoutError:
            return
        raise AssertionError(f"expected nothing, got {message}")

    async def close(self) -> None:
        await self.connection.close()


async def metric(base_url: str, name: str) -> dict[tuple[str, ...], float]:
    """The samples of metric `name` at `base_url`'s /metrics, by their label values."""
    async with httpx2.AsyncClient(timeout=10) as http:
        text = (await http.get(f"{base_url}/metrics")).text
    for family in text_string_to_metric_families(text):
        if family.name == name:
            return {tuple(sample.labels.values()): sample.value for sample in family.samples
                    if not sample.name.endswith("_created")}
    raise AssertionError(f"no {name} metric")


async def active_subscriptions(base_url: str) -> float:
    """How many subscriptions the server at `base_url` has registered."""
    return (await metric(base_url, "agora_subscriptions_active"))[()]


async def registered(base_url: str, at_least: float, wait: float = 20) -> None:
    """Wait until the server has registered `at_least` subscriptions: events published after
    this reach them, with no sleeping on a guess."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while await active_subscriptions(base_url) < at_least:
        if loop.time() > deadline:
            raise AssertionError(f"fewer than {at_least} subscriptions registered")
        await asyncio.sleep(0.02)
