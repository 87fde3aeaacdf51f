"""Subscriptions: live events over WebSocket, each carrying its cursor."""

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry import relay

from resolvers import notifications
from resolvers.domain.errors import DomainError
from resolvers.domain.events import EventKind
from resolvers.domain.groups import require_actor
from schema.context import Context, Info
from schema.errors import query_error
from schema.inputs import node_id
from schema.types.event import Event
from schema.types.notification import Notification
from subscriptions import feeds
from subscriptions.stream import Delivery, ResyncRequired, SlowConsumer, StreamEnded

_CODES: dict[type[DomainError], str] = {
    ResyncRequired: "RESYNC_REQUIRED",
    StreamEnded: "STREAM_ENDED",
    SlowConsumer: "SLOW_CONSUMER",
}


def _error(exc: DomainError) -> GraphQLError:
    code = _CODES.get(type(exc))
    return query_error(exc) if code is None else GraphQLError(
        exc.message, extensions={"code": code}
    )


async def _delivered[T](
    context: Context, open_stream: Callable[[], Awaitable[AsyncIterator[Delivery]]],
    render: Callable[[Delivery], T],
) -> AsyncGenerator[T]:
    """Open a stream and map its events (by `render`) and expected failures to GraphQL.
    Each event is executed with loaders of its own: what it shows is read when it is
    delivered."""
    try:
        async for delivery in await open_stream():
            context.fresh_loaders()
            yield render(delivery)
    except DomainError as exc:
        raise _error(exc) from None


def _events(
    context: Context, open_stream: Callable[[], Awaitable[AsyncIterator[Delivery]]],
) -> AsyncGenerator[Event]:
    return _delivered(context, open_stream, Event.of)


@strawberry.type
class Subscription:
    @strawberry.subscription(description="New posts of a discussion, or of a whole group.")
    async def post_added(
        self, info: Info, discussion_id: relay.GlobalID | None = None,
        group_id: relay.GlobalID | None = None, after: str | None = None,
    ) -> AsyncGenerator[Event]:
        ctx = info.context
        async for event in _events(ctx, lambda: feeds.post_added(
            store=ctx.store, fanout=ctx.fanout, actor=ctx.viewer,
            discussion_id=node_id(discussion_id, "Discussion") if discussion_id else None,
            group_id=node_id(group_id, "Group") if group_id else None, after=after,
        )):
            yield event

    @strawberry.subscription(description="Every event of one group, for its members.")
    async def group_activity(
        self, info: Info, group_id: relay.GlobalID, after: str | None = None
    ) -> AsyncGenerator[Event]:
        ctx = info.context
        async for event in _events(ctx, lambda: feeds.group_activity(
            store=ctx.store, fanout=ctx.fanout, actor=ctx.viewer,
            group_id=node_id(group_id, "Group"), after=after,
        )):
            yield event

    @strawberry.subscription(
        description="A group's status changes; without groupId, those of every group the "
        "caller oversees (CSS, NSS) or owns."
    )
    async def group_status_changed(
        self, info: Info, group_id: relay.GlobalID | None = None, after: str | None = None
    ) -> AsyncGenerator[Event]:
        ctx = info.context
        async for event in _events(ctx, lambda: feeds.group_status_changed(
            store=ctx.store, fanout=ctx.fanout, actor=ctx.viewer,
            group_id=node_id(group_id, "Group") if group_id else None, after=after,
        )):
            yield event

    @strawberry.subscription(
        description="Pending groups, reports, hidden posts, status changes, inactivity flags, "
        "exemptions, advisors and candidates for featuring: everything for the CSS, a country "
        "for NSS, their groups for moderators."
    )
    async def moderation_feed(
        self, info: Info, after: str | None = None,
        kinds: list[EventKind] | None = None,
        advised_only: Annotated[bool, strawberry.argument(
            description="Only the groups the caller advises.")] = False,
    ) -> AsyncGenerator[Event]:
        ctx = info.context
        async for event in _events(ctx, lambda: feeds.moderation_feed(
            store=ctx.store, fanout=ctx.fanout, actor=ctx.viewer,
            kinds=[EventKind(kind) for kind in kinds] if kinds else None, after=after,
            advised_only=advised_only,
        )):
            yield event

    @strawberry.subscription(
        description="The caller's notifications as they are made; pass the last `cursor` "
        "as `after` to resume. Each is also stored: see `notifications`."
    )
    async def notification_added(
        self, info: Info, after: str | None = None
    ) -> AsyncGenerator[Notification]:
        ctx = info.context
        viewer = ctx.viewer
        async for notification in _delivered(
            ctx, lambda: feeds.notification_added(store=ctx.store, fanout=ctx.fanout,
                                                  actor=viewer, after=after),
            lambda delivery: Notification.from_shown(
                notifications.made_now(delivery.event, require_actor(viewer))),
        ):
            yield notification
