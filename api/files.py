"""`GET /files/{id}`: a stored file, to whoever may read what it belongs to now.

The answer is the same bytes for ever (a file is never changed, only replaced by another), so
its `ETag` is its digest; `Cache-Control: private, no-cache` lets a browser keep it but asks
again each time, so that a viewer who lost the right to read it stops getting it. One byte
range (`Range: bytes=a-b`) is served as 206; a file nobody may read is 404, as one that does
not exist.
"""

import re

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from api.auth import InvalidToken, Tokens, bearer_token
from api.graphql import unauthenticated
from api.settings import Settings
from resolvers.files import readable_file
from resolvers.store import Store
from resolvers.store.files import FileDoc

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
CACHE_CONTROL = "private, no-cache"
# What a browser may do with a file opened directly: show it, and nothing it contains runs.
SANDBOX = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The first and last byte `header` asks for; None for the whole file (no header, one
    this does not read, or several ranges); ValueError for a range outside the file."""
    match = _RANGE.fullmatch((header or "").strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last `last` bytes
        if int(last) == 0:
            raise ValueError("an empty suffix")
        return max(0, size - int(last)), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise ValueError("outside the file")
    return start, end


class FileEndpoint:
    def __init__(self, settings: Settings) -> None:
        self._tokens = Tokens(settings)

    async def serve(self, request: Request) -> Response:
        try:
            token = bearer_token(request.headers.get("authorization"))
            actor = None if token is None else self._tokens.read(token)[0]
        except InvalidToken as error:
            return unauthenticated(str(error))
        store: Store = request.state.store
        doc = await readable_file(store, actor, request.path_params["file_id"])
        if doc is None:
            return Response("Not found", status_code=404, media_type="text/plain")
        return await _answer(store, request, doc)


def _headers(doc: FileDoc) -> dict[str, str]:
    etag = f'"{doc["sha256"]}"'
    shown = "inline" if doc["content_type"].startswith("image/") else "attachment"
    name = re.sub(r'[^\w.\- ]', "_", doc.get("name", "file"))
    return {
        "ETag": etag, "Cache-Control": CACHE_CONTROL, "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": SANDBOX,
        "Content-Disposition": f'{shown}; filename="{name}"',
    }


async def _answer(store: Store, request: Request, doc: FileDoc) -> Response:
    headers = _headers(doc)
    size = doc["size"]
    if request.headers.get("if-none-match") in (headers["ETag"], "*"):
        return Response(status_code=304, headers=headers)
    if_range = request.headers.get("if-range")
    wanted = request.headers.get("range") if if_range in (None, headers["ETag"]) else None
    try:
        span = byte_range(wanted, size)
    except ValueError:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    start, end = span if span is not None else (0, size - 1)
    length = max(0, end - start + 1)
    status = 200
    if span is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(length)
    if request.method == "HEAD" or length == 0:
        return Response(status_code=status, headers=headers, media_type=doc["content_type"])
    return StreamingResponse(store.files.read(doc["_id"], start=start, length=length),
                             status_code=status, headers=headers,
                             media_type=doc["content_type"])
