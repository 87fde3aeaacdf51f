"""HTTP guards in front of GraphQL: request size and time, and the media types a POST may
use."""

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A POST in one of these can be sent cross-site by any web page without a CORS preflight.
_MULTIPART = "multipart/form-data"
_SIMPLE_TYPES = ("text/plain", "application/x-www-form-urlencoded", _MULTIPART)


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


class _TooSlow(Exception):
    pass


@dataclass(frozen=True, slots=True)
class BodyLimits:
    """How big a body may be, and how long it may take to arrive."""

    max_bytes: int
    timeout: float


class RequestGuard:
    """Refuse bodies over their limit with 413 before anything parses them, bodies that have
    not all arrived in time after their headers with 408 (a client trickling its body must
    not hold a request open for ever), and POSTs with a media type a cross-site form could
    send (CSRF) with 415. A multipart POST (uploads) passes when it carries an
    `Authorization` header, which no cross-site form can send, under `uploads`' limits."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, body_timeout: float,
                 uploads: BodyLimits | None = None) -> None:
        self.app = app
        self.plain = BodyLimits(max_body_bytes, body_timeout)
        self.uploads = uploads or self.plain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limits = self.plain
        if scope["method"] == "POST":
            media_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type == _MULTIPART and "authorization" in headers:
                limits = self.uploads
            elif not media_type or media_type in _SIMPLE_TYPES:
                await refusal(415, "POST a JSON body (Content-Type: application/json), or "
                              "upload files as a multipart request with an Authorization "
                              "header")(scope, receive, send)
                return
        await self._limited(limits, scope, receive, send)

    async def _limited(self, limits: BodyLimits, scope: Scope, receive: Receive, send: Send
                       ) -> None:
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limits.max_bytes:
            await self._too_large(limits, scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + limits.timeout
        received = 0
        complete = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, complete
            if complete:  # past the body: what follows is the client leaving
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _TooSlow from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limits.max_bytes:
                    raise _TooLarge
                complete = not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._too_large(limits, scope, receive, send)
        except _TooSlow:
            if not started:
                await refusal(408, "The request body did not arrive within "
                              f"{limits.timeout:g} seconds")(scope, receive, send)

    async def _too_large(self, limits: BodyLimits, scope: Scope, receive: Receive, send: Send
                         ) -> None:
        await refusal(413, f"The request is larger than {limits.max_bytes:,} bytes")(
            scope, receive, send)
