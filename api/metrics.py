"""Prometheus metrics at `/metrics`: requests, latency, live connections, and the event log."""

import hmac
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Metric,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from resolvers.domain.events import EventDoc

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
LAG_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30)


class Renderings(Protocol):
    """How often live events were rendered, and how often a rendering was shared."""

    made: int
    reused: int


class Metrics:
    """One set of metrics per app, in its own registry (tests build many apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.operations = Counter(
            "agora_graphql_operations", "GraphQL operations by type", ["type"],
            registry=self.registry)
        self.errors = Counter(
            "agora_graphql_errors", "GraphQL operations answered with errors, by type",
            ["type"], registry=self.registry)
        self.latency = Histogram(
            "agora_graphql_seconds", "Time to answer a GraphQL operation", ["type"],
            buckets=LATENCY_BUCKETS, registry=self.registry)
        self.websockets = Gauge(
            "agora_websockets_open", "Open WebSocket connections", registry=self.registry)
        self.subscriptions = Gauge(
            "agora_subscriptions_active", "Subscriptions registered with this process's reader",
            registry=self.registry)
        self.appended = Counter(
            "agora_events_appended", "Events this process appended to the log",
            registry=self.registry)
        self.delivered = Counter(
            "agora_events_delivered", "Events handed to subscribers (one per subscriber)",
            registry=self.registry)
        self.lag = Histogram(
            "agora_event_lag_seconds", "From an event's time to its hand-out to subscribers",
            buckets=LAG_BUCKETS, registry=self.registry)

    def count_renderings(self, renders: Renderings) -> None:
        """Expose how often `renders` made a rendering and reused one, read when scraped:
        counting each of an event's thousands of deliveries through a Counter takes a lock
        each, which showed in a large fan-out's CPU (bench/RESULTS.md)."""
        self.registry.register(_RenderingsCollector(renders))

    def event_handed_out(self, event: EventDoc, subscribers: int) -> None:
        self.delivered.inc(subscribers)
        at: datetime = event["at"]
        self.lag.observe(max(0.0, (datetime.now(UTC) - at).total_seconds()))

    def extension(self) -> type[SchemaExtension]:
        """A Strawberry extension counting and timing operations by type."""
        metrics = self

        class OperationMetrics(SchemaExtension):
            def on_operation(self) -> Iterator[None]:
                started = time.perf_counter()
                yield
                context = self.execution_context
                try:
                    kind = context.operation_type.value
                except RuntimeError:  # the document did not parse
                    kind = "invalid"
                metrics.operations.labels(kind).inc()
                metrics.latency.labels(kind).observe(time.perf_counter() - started)
                result = context.result
                if context.pre_execution_errors or (result is not None and result.errors):
                    metrics.errors.labels(kind).inc()

        return OperationMetrics

    def endpoint(self, token: str | None) -> Callable[[Request], Awaitable[Response]]:
        """The `/metrics` endpoint; with `token`, only for requests bearing it."""
        expected = None if token is None else f"Bearer {token}".encode()

        async def serve(request: Request) -> Response:
            given = request.headers.get("authorization", "").encode()
            if expected is not None and not hmac.compare_digest(given, expected):
                return Response("Metrics need their bearer token (APP_METRICS_TOKEN)\n",
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
        return serve


class _RenderingsCollector(Collector):
    def __init__(self, renders: Renderings) -> None:
        self._renders = renders

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "agora_event_renderings", "Live events executed and serialised for subscribers, "
            "by whether a rendering made for another subscriber was reused", labels=["shared"])
        family.add_metric(["yes"], self._renders.reused)
        family.add_metric(["no"], self._renders.made)
        yield family
