"""Notifications, as their reader may see them when they read them."""

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from resolvers import notifications
from resolvers.domain.notifications import NotificationKind, position_of
from resolvers.domain.paging import encode_cursor
from resolvers.notifications import Shown
from schema.context import Info
from schema.types.common import Connection
from schema.types.event import EventSubject, subject_of
from schema.types.user import User


@strawberry.type(description="Something that happened that concerns you, kept until you read "
                 "it: a decision on your proposal, a reply to your post, and the like.")
class Notification:
    id: strawberry.ID
    kind: NotificationKind
    at: datetime
    read: bool
    shown: strawberry.Private[Shown]

    @classmethod
    def from_shown(cls, shown: Shown) -> Self:
        doc = shown.doc
        return cls(id=strawberry.ID(doc["_id"]), kind=NotificationKind(doc["kind"]),
                   at=doc["at"], read=doc["read"], shown=shown)

    @strawberry.field(description="Its place in your notifications: `after` for "
                      "notificationAdded, `upTo` for markNotificationsRead.")
    def cursor(self) -> str:
        return encode_cursor(position_of(self.shown.doc))

    @strawberry.field(description="Who did it; null for the system.")
    def actor(self) -> User | None:
        actor = self.shown.doc.get("actor")
        return User(id=actor["id"], name=actor["name"], country=None) if actor else None

    @strawberry.field(description="The group it happened in.")
    def group_id(self) -> relay.GlobalID:
        return relay.GlobalID("Group", self.shown.doc["group_id"])

    @strawberry.field(description="What it is about, as you may see it now; null once you "
                      "may not (a post hidden since, a group you may no longer see).")
    def subject(self) -> EventSubject | None:
        event = self.shown.event
        if event is None:
            return None
        found: EventSubject = subject_of(event["subject_kind"], event["subject"])
        return found

    @strawberry.field(description="The reason or note given, if any, when you may see it.")
    def message(self) -> str | None:
        return None if self.shown.event is None else self.shown.event.get("message")


@strawberry.type
class NotificationConnection(Connection[Notification]):
    @strawberry.field(description="How many of your notifications are unread (counted up to "
                      "1,000).")
    async def unread_count(self, info: Info) -> int:
        return await notifications.unread_count(store=info.context.store,
                                                actor=info.context.viewer)


@strawberry.type(description="What marking notifications read changed.")
class NotificationsRead:
    marked: int
    unread_count: int
