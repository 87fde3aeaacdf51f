"""The WebSocket protocol Agora serves: uvicorn's websockets-sansio implementation, holding
less for each open connection. A server holds thousands of them, idle between events, and
should hold at most 50 KB for each with its subscription; this one holds about 6 KiB less
than uvicorn's (bench/RESULTS.md):

- the messages received and not yet read wait in an `Inbox` rather than an asyncio.Queue;
- whether the socket may be written to is a `_Writable`, not an asyncio.Event (and its deque);
- the handshake's request and response, with their headers, are let go once it is done (the
  ASGI scope keeps the headers the application reads).

`APP_WS_PROTOCOL=websockets-sansio` serves with uvicorn's own, unchanged.
"""

import asyncio
from typing import Any

from uvicorn._types import ASGISendEvent
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from subscriptions.inbox import Inbox


class _Writable:
    """What uvicorn asks of the asyncio.Event that pauses its sends while the transport's
    buffer is full: set, clear and wait; a future only while paused."""

    __slots__ = ("_resumed",)

    def __init__(self) -> None:
        self._resumed: asyncio.Future[None] | None = None  # None: writable

    def is_set(self) -> bool:
        return self._resumed is None

    def set(self) -> None:
        if self._resumed is not None:
            if not self._resumed.done():
                self._resumed.set_result(None)
            self._resumed = None

    def clear(self) -> None:
        if self._resumed is None:
            self._resumed = asyncio.get_running_loop().create_future()

    async def wait(self) -> None:
        while self._resumed is not None:
            await asyncio.shield(self._resumed)  # one waiter cancelled leaves the others


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = _Writable()  # type: ignore[assignment]

    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            del self.request, self.response  # uvicorn reads them only before
