"""Notifications: reading them, and marking them read."""

import strawberry

from resolvers import notifications
from resolvers.domain.paging import decode_cursor
from schema.context import Info
from schema.errors import answer
from schema.inputs import MarkNotificationsReadInput
from schema.payloads import MarkNotificationsReadPayload
from schema.permissions import IsAuthenticated
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
