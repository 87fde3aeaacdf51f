"""The WebSocket protocol Agora serves: uvicorn's websockets-sansio implementation, holding
less for each open connection. A server holds thousands of them, idle between events
(issue 18 asks for at most 50 KB each, with its subscription); this one holds about 5 KiB
less (bench/RESULTS.md):

- the messages received and not yet read wait in an `Inbox` rather than an asyncio.Queue;
- the handshake's request and response, with their headers, are let go once it is done (the
  ASGI scope keeps the headers the application reads).

`APP_WS_PROTOCOL=websockets-sansio` serves with uvicorn's own, unchanged.
"""

from typing import Any

from uvicorn._types import ASGISendEvent
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from subscriptions.inbox import Inbox


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]

    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if self.handshake_complete and getattr(self, "request", None) is not None:
            del self.request, self.response
