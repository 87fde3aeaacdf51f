"""The GraphQL endpoint: Strawberry's ASGI view, with Agora's auth and context."""

import asyncio
import contextlib
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType

from api.auth import InvalidToken, Tokens, bearer_token
from api.guards import refusal
from api.metrics import Metrics
from api.settings import Settings
from resolvers.domain.actors import Actor
from resolvers.domain.rate_limits import RateLimits
from resolvers.store import Store
from schema.context import Context, Limits
from schema.errors import RATE_LIMITED, UNAUTHENTICATED
from schema.serialized import message_text


def utcnow() -> datetime:
    return datetime.now(UTC)


def unauthenticated(reason: str) -> Response:
    """401 with a GraphQL-shaped body, so clients read it like any other error."""
    return refusal(401, reason, code=UNAUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})


GRAPHIQL_EXAMPLE = """# Welcome to Agora. Add a header {"Authorization": "Bearer <token>"} below;
# `python -m api token --sub olga --name Olga --country ES` prints one.
# `python -m api seed-demo` fills the database with a demo community.

query ActiveGroups {
  me { name roles }
  groups(first: 5, filter: {status: ACTIVE}) {
    edges { node {
      title topics languages memberCount featured owner { name }
      discussions(first: 2) { edges { node { title postCount lastPostAt } } }
    } }
  }
}
"""
_EXAMPLE_QUERY = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)
TOKEN_EXPIRED = 4403
GRAPHQL_RESPONSE = "application/graphql-response+json"


def _wants_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE in request.headers.get("accept", "")


def _retry_after(result: ExecutionResult) -> int | None:
    """Seconds to wait, when the caller's query budget refused the request."""
    for error in result.errors or ():
        if (error.extensions or {}).get("code") == RATE_LIMITED:
            seconds = (error.extensions or {}).get("retryAfterSeconds")
            return seconds if isinstance(seconds, int) else None
    return None


def _close_at(websocket: WebSocket, expires: datetime) -> None:
    """Close `websocket` when its token expires."""

    async def close() -> None:
        with contextlib.suppress(Exception):  # it may have closed already
            await websocket.close(TOKEN_EXPIRED, "Token expired")

    def start() -> None:
        task = asyncio.get_running_loop().create_task(close())
        _background.add(task)
        task.add_done_callback(_background.discard)

    delay = max(0.0, (expires - datetime.now(UTC)).total_seconds())
    asyncio.get_running_loop().call_later(delay, start)


# The key under which a WebSocket's scope remembers whose connection it counts.
_LIVE_USER = "live_user"

# Strong references to the closing tasks until they finish.
_background: set[asyncio.Task[None]] = set()


class AgoraGraphQL(GraphQL[Context, None]):
    def __init__(
        self, schema: BaseSchema, settings: Settings, *, metrics: Metrics,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            # The request guard lets a multipart POST through only with an Authorization
            # header, which a cross-site form cannot send (api/guards.py).
            multipart_uploads_enabled=True,
        )
        self._settings = settings
        self._tokens = Tokens(settings)
        self._clock = clock
        self._metrics = metrics
        self._rate_limits = RateLimits(settings.rate_limits)
        self._live_users: Counter[str] = Counter()  # open WebSockets by user or address
        if (renderings := getattr(schema, "renderings", None)) is not None:
            metrics.count_renderings(renderings)
        self._limits = Limits(
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
            similar_recorded=settings.similar_groups_recorded,
        )

    def _actor(self, authorization: str | None) -> Actor | None:
        return self._credentials(authorization)[0]

    def _credentials(self, authorization: str | None) -> tuple[Actor | None, datetime | None]:
        token = bearer_token(authorization)
        return (None, None) if token is None else self._tokens.read(token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            self._metrics.websockets.inc()
            try:
                await super().__call__(scope, receive, send)
            finally:
                self._metrics.websockets.dec()
                if (user := scope.get("state", {}).get(_LIVE_USER)) is not None:
                    self._live_users[user] -= 1
                    if self._live_users[user] <= 0:
                        del self._live_users[user]
            return
        try:
            actor = self._actor(Headers(scope=scope).get("authorization"))
        except InvalidToken as error:
            await unauthenticated(str(error))(scope, receive, send)
            return
        scope.setdefault("state", {})["actor"] = actor
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except HTTPException as error:  # e.g. no query, bad JSON: answer in GraphQL's shape
            response = refusal(error.status_code, error.reason)
        except ClientDisconnect:  # it left before its body had arrived: nobody to answer
            return
        finally:
            await request.close()  # the files of a multipart request, spooled to disk
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        """JSON as orjson reads it, which refuses as malformed (400 over HTTP, 4400 on a
        WebSocket) what the standard parser crashes on or lets through: nesting past its
        recursion, a number past a double, bytes that are not UTF-8, half a surrogate pair
        (text no database can store)."""
        return orjson.loads(data)

    def encode_json(self, data: object) -> str | bytes:
        return message_text(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL, opening on an example that works against the demo data."""
        example = GRAPHIQL_EXAMPLE.replace("`", "'")
        html = _EXAMPLE_QUERY.sub(lambda _: f"const EXAMPLE_QUERY = `{example}`;",
                                  self.graphql_ide_html, count=1)
        return HTMLResponse(html)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """GraphQL over HTTP: a client asking for `application/graphql-response+json` gets a
        4xx without `data` when its request could not be parsed or validated; a request its
        caller's budget refused gets 429 and `Retry-After`, whichever it asked for."""
        body = await super().process_result(request, result)
        sub_response: Response = request.state.sub_response
        if _wants_graphql_response(request):
            sub_response.media_type = GRAPHQL_RESPONSE
            if result.data is None and result.errors and all(
                error.path is None for error in result.errors
            ):
                body.pop("data", None)
                sub_response.status_code = 400
        if retry_after := _retry_after(result):
            sub_response.status_code = 429
            sub_response.headers["Retry-After"] = str(retry_after)
        return body

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == GRAPHQL_RESPONSE:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        return response

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        if isinstance(request, Request):
            request.state.sub_response = response
        state = request.state  # the lifespan's `State`, and the caller, `actor`, over HTTP
        actor: Actor | None = getattr(state, "actor", None)
        store: Store = state.store
        if actor is not None:
            await state.users.record(store=store, actor=actor, now=self._clock())
        return Context(
            store=store,
            viewer=actor,
            clock=self._clock,
            limits=self._limits,
            rate_limits=self._rate_limits,
            fanout=state.fanout,
            request=request,
            response=response,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate from `connection_init`: a bad token closes with 4403, as does a user's
        (or, signed out, an address's) connection beyond `max_websockets_per_user` on this
        process; the socket closes (4403 too) when the token expires."""
        params = context.connection_params
        authorization = params.get("authorization") if isinstance(params, dict) else None
        try:
            context.viewer, expires = self._credentials(
                authorization if isinstance(authorization, str) else None
            )
        except InvalidToken as error:
            raise ConnectionRejectionError({"reason": str(error)}) from error
        viewer = context.viewer
        # Signed-out connections are counted by address, so they cannot be held open
        # without bound either.
        client = context.request.client
        holder = f"user:{viewer.id}" if viewer is not None else (
            f"address:{client.host if client else 'unknown'}")
        if self._live_users[holder] >= self._settings.max_websockets_per_user:
            raise ConnectionRejectionError({"reason": "Too many open connections"})
        self._live_users[holder] += 1
        context.request.scope["state"][_LIVE_USER] = holder
        if expires is not None:
            _close_at(context.request, expires)
        if context.viewer is not None:
            users = context.request.state.users
            await users.record(store=context.store, actor=context.viewer, now=self._clock())
        return None
