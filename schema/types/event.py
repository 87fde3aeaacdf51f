"""Live events, as subscriptions deliver them."""

from datetime import datetime
from typing import Annotated, Any, Self

import strawberry
from strawberry import relay

from resolvers.domain.events import EventDoc, EventKind
from resolvers.domain.membership import GroupRole
from schema.context import Info
from schema.types.discussion import Discussion, Post, Report
from schema.types.group import Group
from schema.types.membership import GroupRoleType
from schema.types.user import User
from subscriptions.stream import event_cursor

EventKindType = strawberry.enum(EventKind, name="EventKind")


@strawberry.type(description="A member joining, leaving, being removed, or changing role.")
class MembershipChange:
    role: GroupRoleType | None = strawberry.field(  # type: ignore[valid-type]
        description="The role after the change; null once the membership has ended."
    )
    user_id: strawberry.Private[str]

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        doc = await info.context.loaders.users.load(self.user_id)
        return User.from_doc(doc) if doc else None


EventSubject = Annotated[
    Post | Discussion | Group | MembershipChange | Report,
    strawberry.union("EventSubject", description="The object an event concerns, as it was then."),
]


def _subject(kind: str, doc: dict[str, Any]) -> Any:
    match kind:
        case "Post":
            return Post.from_doc(doc)
        case "Discussion":
            return Discussion.from_doc(doc)
        case "Group":
            return Group.from_doc(doc)  # type: ignore[arg-type]
        case "Report":
            return Report.from_doc(doc)
    role = doc.get("role")
    return MembershipChange(role=GroupRole(role) if role else None, user_id=doc["user_id"])


@strawberry.type(description="Something that happened; pass `cursor` as `after` to resume.")
class Event:
    cursor: str
    kind: EventKindType  # type: ignore[valid-type]
    at: datetime
    actor: User | None = strawberry.field(description="Who did it; null for the system.")
    group_id: relay.GlobalID
    subject: EventSubject
    message: str | None = strawberry.field(description="The reason or note given, if any.")

    @classmethod
    def from_doc(cls, doc: EventDoc) -> Self:
        actor = doc.get("actor")
        return cls(
            cursor=event_cursor(doc),
            kind=EventKind(doc["kind"]),
            at=doc["at"],
            actor=User(id=actor["id"], name=actor["name"], country=None) if actor else None,
            group_id=relay.GlobalID("Group", doc["group_id"]),
            subject=_subject(doc["subject_kind"], doc["subject"]),
            message=doc.get("message"),
        )
