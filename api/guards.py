"""HTTP guards in front of GraphQL: request size, and the media types a POST may use."""

import json
from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A POST in one of these can be sent cross-site by any web page without a CORS preflight.
_SIMPLE_TYPES = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")


def refusal(
    status: int, message: str, *, code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A request refused before GraphQL ran, in GraphQL's shape. The text is ASCII, with
    escapes: a message quoting the request (a lone surrogate in an operation name, say)
    cannot make the answer unencodable."""
    error: dict[str, object] = {"message": message}
    if code is not None:
        error["extensions"] = {"code": code}
    return Response(json.dumps({"errors": [error]}, separators=(",", ":")), status_code=status,
                    media_type="application/json", headers=headers)


class _TooLarge(Exception):
    pass


class RequestGuard:
    """Refuse bodies over `max_body_bytes` with 413 before anything parses them, and POSTs
    with a media type a cross-site form could send (CSRF) with 415."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] == "POST":
            media_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if not media_type or media_type in _SIMPLE_TYPES:
                await refusal(415, "POST a JSON body (Content-Type: application/json)")(
                    scope, receive, send)
                return
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await refusal(413, f"The request is larger than {self.max_body_bytes:,} bytes")(
            scope, receive, send)
