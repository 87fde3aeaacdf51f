"""The Starlette application: `/graphql` over HTTP and WebSocket, and health checks."""

from collections.abc import Callable, Sequence
from datetime import datetime

import pymongo
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from api.files import FileEndpoint
from api.graphql import AgoraGraphQL, utcnow
from api.guards import BodyLimits, RequestGuard
from api.lifespan import DATABASE_WAIT, lifespan_for
from api.logs import RequestId
from api.metrics import Metrics
from api.settings import Settings
from resolvers.domain.rate_limits import QueryBudget
from schema import build_schema


async def healthz(request: Request) -> JSONResponse:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """The process can serve: its database answers, within `DATABASE_WAIT`."""
    try:
        with pymongo.timeout(DATABASE_WAIT):
            await request.state.store.ping()
    except Exception as error:
        return JSONResponse(
            {"status": "unavailable", "database": type(error).__name__}, status_code=503
        )
    return JSONResponse({"status": "ok", "database": "ok"})


def build_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    mongo_listeners: Sequence[CommandListener] = (),
) -> Starlette:
    """The app; `clock` and `mongo_listeners` let tests move time and count commands."""
    settings.check_production_safety()
    metrics = Metrics()
    schema = build_schema(
        mask_errors=settings.is_production,
        introspection=settings.introspection_enabled,
        suggestions=not settings.is_production,
        limits=settings.query_limits(),
        budget=QueryBudget(settings.query_budget),
        observers=[metrics.extension()],
        fast_path=settings.fast_path,
        response_seconds=settings.response_cache_seconds,
    )
    graphql = AgoraGraphQL(schema, settings, clock=clock, metrics=metrics)
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/files/{file_id}", FileEndpoint(settings).serve, methods=["GET", "HEAD"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics.endpoint(
            settings.metrics_token.get_secret_value() if settings.metrics_token else None)),
    ]
    middleware = [
        Middleware(RequestId),
        Middleware(RequestGuard, max_body_bytes=settings.max_body_bytes,
                   body_timeout=settings.body_timeout,
                   uploads=BodyLimits(settings.max_upload_bytes, settings.upload_timeout)),
    ]
    if settings.cors_origins:
        middleware.insert(1, Middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        ))
    app = Starlette(
        routes=routes, middleware=middleware,
        lifespan=lifespan_for(settings, metrics, mongo_listeners, clock, schema.log_followers),
    )
    app.state.responses = schema.responses  # the answers kept on the fast path, if any
    return app
