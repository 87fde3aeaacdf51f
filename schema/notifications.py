"""Notifications: reading them, and marking them read."""

from datetime import datetime

import strawberry

from resolvers import digest, notifications
from resolvers.domain.notifications import NotifyLevel
from resolvers.domain.paging import decode_cursor
from schema.context import Info
from schema.errors import answer
from schema.inputs import (
    FollowDiscussionInput,
    MarkNotificationsReadInput,
    SetNotifyLevelInput,
    node_id,
)
from schema.payloads import (
    FollowDiscussionPayload,
    MarkNotificationsReadPayload,
    SetNotifyLevelPayload,
)
from schema.permissions import IsAuthenticated
from schema.types.digest import Digest
from schema.types.discussion import Discussion
from schema.types.group import Group
from schema.types.notification import Notification, NotificationConnection, NotificationsRead


@strawberry.type
class NotificationQuery:
    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="The caller's notifications, newest first.")
    async def notifications(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None, unread_only: bool = False,
    ) -> NotificationConnection:
        ctx = info.context
        return await answer(
            lambda: notifications.list_notifications(
                store=ctx.store, actor=ctx.viewer, unread_only=unread_only,
                page=ctx.limits.page(first, after, last, before)),
            lambda page: NotificationConnection.of(page, Notification.from_shown),
        )

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="What happened since `since` in a page of your groups (new "
                      "discussions, posts and members, counted, with the newest few of each) "
                      "and in your notifications: one request for a client coming back.")
    async def digest(
        self, info: Info, since: datetime, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Digest:
        ctx = info.context
        return Digest.of(await digest.digest(
            store=ctx.store, actor=ctx.viewer, since=since,
            page=ctx.limits.page(first, after, last, before), now=ctx.now()))


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(description="Mark read every notification up to a cursor of the "
                         "notifications list (inclusive), or those of `ids`.")
    async def mark_notifications_read(
        self, info: Info, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        ctx = info.context
        up_to = None if input.up_to is None else decode_cursor(input.up_to, field="upTo")
        marked = await notifications.mark_read(
            store=ctx.store, actor=ctx.viewer, up_to=up_to,
            ids=None if input.ids is None else [str(ident) for ident in input.ids])
        return NotificationsRead(marked=marked, unread_count=await notifications.unread_count(
            store=ctx.store, actor=ctx.viewer))

    @strawberry.mutation(description="Follow a discussion: be told of its new posts. Who "
                         "starts a discussion or posts in it follows it already.")
    async def follow_discussion(
        self, info: Info, input: FollowDiscussionInput
    ) -> FollowDiscussionPayload:
        return await _follow(info, input, muted=False)

    @strawberry.mutation(description="Mute a discussion: be told of none of its new posts, "
                         "whatever your level in its group.")
    async def mute_discussion(
        self, info: Info, input: FollowDiscussionInput
    ) -> FollowDiscussionPayload:
        return await _follow(info, input, muted=True)

    @strawberry.mutation(description="Of which new posts in a group you are told: ALL, those "
                         "of the discussions you follow (FOLLOWED, the default), or NONE.")
    async def set_group_notify_level(
        self, info: Info, input: SetNotifyLevelInput
    ) -> SetNotifyLevelPayload:
        ctx = info.context
        return Group.from_doc(await notifications.set_notify_level(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            level=NotifyLevel(input.level), now=ctx.now()))


async def _follow(info: Info, input: FollowDiscussionInput, *, muted: bool) -> Discussion:
    ctx = info.context
    return Discussion.from_doc(await notifications.follow_discussion(
        store=ctx.store, actor=ctx.viewer,
        discussion_id=node_id(input.discussion_id, "Discussion"), muted=muted, now=ctx.now()))
