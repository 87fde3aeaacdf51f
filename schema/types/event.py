"""Live events, as subscriptions deliver them."""

from datetime import datetime
from typing import Annotated, Any, Self, cast

import strawberry
from strawberry import relay

from resolvers.domain.discussions import DiscussionDoc, PostDoc
from resolvers.domain.events import EventDoc, EventKind
from resolvers.domain.groups import GroupDoc
from resolvers.domain.membership import GroupRole, Standing
from resolvers.store.pages import PageDoc
from resolvers.store.reports import ReportDoc
from schema.context import Info
from schema.declared import Audience, declare
from schema.types.discussion import Discussion, Post, Report
from schema.types.group import Group
from schema.types.page import Page
from schema.types.user import User
from subscriptions.stream import Delivery, event_cursor


@strawberry.type(description="A member joining, leaving, being removed, or changing role.")
class MembershipChange:
    role: GroupRole | None = strawberry.field(
        description="The role after the change; null once the membership has ended."
    )
    user_id: strawberry.Private[str]

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    async def user(self, info: Info) -> User | None:
        return await User.by_id(info, self.user_id)


EventSubject = Annotated[
    Post | Discussion | Group | MembershipChange | Report | Page,
    strawberry.union("EventSubject", description="The object an event concerns, as it was then."),
]


def subject_of(kind: str, doc: dict[str, Any]) -> Any:
    """The object of `kind` an event's `subject` document describes: a document of its
    collection, as it was."""
    match kind:
        case "Post":
            return Post.from_doc(cast(PostDoc, doc))
        case "Discussion":
            return Discussion.from_doc(cast(DiscussionDoc, doc))
        case "Group":
            return Group.from_doc(cast(GroupDoc, doc))
        case "Report":
            return Report.from_doc(cast(ReportDoc, doc))
        case "Page":
            return Page.from_doc(cast(PageDoc, doc))
    role = doc.get("role")
    return MembershipChange(role=GroupRole(role) if role else None, user_id=doc["user_id"])


@strawberry.type(description="Something that happened; pass `cursor` as `after` to resume.")
class Event:
    doc: strawberry.Private[EventDoc]
    # The subscriber's standing in the event's group when it happened.
    standing: strawberry.Private[Standing]

    @classmethod
    def of(cls, delivery: Delivery) -> Self:
        return cls(doc=delivery.event, standing=delivery.standing)

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def cursor(self) -> str:
        return event_cursor(self.doc)

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def kind(self) -> EventKind:
        return EventKind(self.doc["kind"])

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def at(self) -> datetime:
        return self.doc["at"]

    @strawberry.field(description="Who did it; null for the system.",
                      metadata=declare(Audience.EVERYONE))
    def actor(self) -> User | None:
        actor = self.doc.get("actor")
        return User(id=actor["id"], name=actor["name"], country=None) if actor else None

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def group_id(self) -> relay.GlobalID:
        return relay.GlobalID("Group", self.doc["group_id"])

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def subject(self) -> EventSubject:
        subject: EventSubject = subject_of(self.doc["subject_kind"], self.doc["subject"])
        return subject

    @strawberry.field(description="The reason or note given, if any.",
                      metadata=declare(Audience.EVERYONE))
    def message(self) -> str | None:
        return self.doc.get("message")
