"""The per-request context every resolver reads: `strawberry.Info[Context, None]`."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import strawberry
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension

from resolvers.domain.actors import Actor
from resolvers.domain.paging import PageRequest
from resolvers.domain.rate_limits import RateLimits
from resolvers.loaders import Loaders
from resolvers.store import Store


@dataclass(frozen=True, slots=True)
class Limits:
    default_page_size: int = 20
    max_page_size: int = 100
    similar_recorded: int = 5

    def page(self, first: int | None, after: str | None, last: int | None = None,
             before: str | None = None) -> PageRequest:
        return PageRequest(
            first=first, after=after, default_size=self.default_page_size,
            max_size=self.max_page_size, last=last, before=before,
        )


@dataclass
class Context:
    store: Store
    viewer: Actor | None
    clock: Callable[[], datetime]
    limits: Limits
    rate_limits: RateLimits
    request: Any = None
    response: Any = None
    fanout: Any = None  # the process's event fan-out (subscriptions.fanout.Fanout)
    # Set by Strawberry from a WebSocket's `connection_init` payload.
    connection_params: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    given_loaders: Loaders | None = None  # made when first asked for otherwise

    def now(self) -> datetime:
        return self.clock()

    @property
    def loaders(self) -> Loaders:
        """The request's loaders (`resolvers.loaders`)."""
        if self.given_loaders is None:
            self.given_loaders = Loaders(self.store, self.viewer)
        return self.given_loaders

    def fresh_loaders(self) -> None:
        """Loaders of its own for what runs next. A WebSocket's context lasts as long as the
        connection: each operation on it, and each event of a subscription, reads anew what
        it shows (the viewer's role, an author's name) instead of what an earlier one read.
        They are made when first asked for: a shared rendering of an event needs none."""
        self.given_loaders = None


class FreshLoaders(SchemaExtension):
    """Each operation on a WebSocket with loaders of its own (`Context.fresh_loaders`); over
    HTTP each request's context is made for it."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context) and isinstance(context.request, WebSocket):
            context.fresh_loaders()
        yield


Info = strawberry.Info[Context, None]
