"""What the support services watch over a group: its exemption from the inactivity watch,
its inactivity status, and the groups the NSS propose for featuring."""

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay

from resolvers import oversight
from resolvers.domain.groups import GroupDoc
from resolvers.domain.inactivity import InactivityRule, days_idle, verdict
from resolvers.domain.oversight import CandidateDoc, FeaturingStatus
from schema.context import Info
from schema.declared import Audience, declare
from schema.types.user import User

if TYPE_CHECKING:
    from schema.types.group import Group

GroupRef = Annotated["Group", strawberry.lazy("schema.types.group")]


@strawberry.type(description="Until when a group is left out of the inactivity watch, and why.")
class InactivityExemption:
    until: datetime
    reason: str | None
    granted_at: datetime | None
    granted_by_id: strawberry.Private[str | None]

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        return cls(until=record["until"], reason=record.get("reason"),
                   granted_at=record.get("at"), granted_by_id=record.get("by_id"))

    @strawberry.field(description="The CSS or NSS user who granted it.",
                      metadata=declare(Audience.EVERYONE))
    async def granted_by(self, info: Info) -> User | None:
        return await User.by_id(info, self.granted_by_id)


@strawberry.type(description="How active a group is, as the inactivity watch sees it now.")
class GroupInactivity:
    last_activity_at: datetime | None
    days_inactive: int
    due: bool = strawberry.field(
        description="Whether the CSS should suggest closing it (2 months idle for a group "
        "approved less than 3 months ago, 3 months for others, unless exempt)."
    )
    rule: InactivityRule | None = strawberry.field(description="Why it is due, if it is.")

    @classmethod
    def of(cls, group: GroupDoc, now: datetime) -> Self:
        found = verdict(group, now)
        return cls(last_activity_at=group.get("last_activity_at"),
                   days_inactive=days_idle(group, now), due=found is not None,
                   rule=found.rule if found else None)


@strawberry.type(description="A decision of the CSS on a candidate for featuring.")
class FeaturingDecision:
    at: datetime
    note: str | None
    by_id: strawberry.Private[str]

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    async def by(self, info: Info) -> User | None:
        return await User.by_id(info, self.by_id)


@strawberry.type(description="A group an NSS proposed for featuring; the CSS accepts or "
                 "declines it.")
class FeaturingCandidate(relay.Node):
    id: relay.NodeID[str]
    reason: str
    status: FeaturingStatus
    created_at: datetime
    decision: FeaturingDecision | None
    doc: strawberry.Private[CandidateDoc]

    @classmethod
    def from_doc(cls, doc: CandidateDoc) -> Self:
        decided = doc.get("decision")
        return cls(
            id=str(doc["_id"]), reason=doc["reason"], status=FeaturingStatus(doc["status"]),
            created_at=doc["created_at"], doc=doc,
            decision=FeaturingDecision(at=decided["at"], note=decided.get("note"),
                                       by_id=decided["by_id"]) if decided else None,
        )

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    async def group(self, info: Info) -> GroupRef | None:
        from schema.types.group import Group

        doc = await info.context.loaders.groups.load(self.doc["group_id"])
        return Group.from_doc(doc) if doc else None

    @strawberry.field(description="The NSS user who proposed it.",
                      metadata=declare(Audience.EVERYONE))
    async def proposer(self, info: Info) -> User | None:
        return await User.by_id(info, self.doc["proposer_id"])

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one body for Node's overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        ctx = info.context
        found = [await oversight.visible_candidate(ctx.store, ctx.viewer, node_id)
                 for node_id in node_ids]
        return [cls.from_doc(doc) if doc else None for doc in found]
