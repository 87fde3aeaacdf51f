"""Members of a group, and invitations to join one."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay

from resolvers.domain.content import ReadinessItem
from resolvers.domain.membership import GroupRole, InvitationStatus
from resolvers.store.invitations import InvitationDoc
from resolvers.store.memberships import MembershipDoc
from schema.context import Info
from schema.declared import Audience, declare
from schema.types.user import User

if TYPE_CHECKING:
    from schema.types.group import Group



@strawberry.type
class Membership:
    role: GroupRole
    joined_at: datetime
    user_id: strawberry.Private[str]
    group_id: strawberry.Private[str]

    @classmethod
    def from_doc(cls, doc: MembershipDoc) -> Self:
        return cls(
            role=GroupRole(doc["role"]), joined_at=doc["joined_at"], user_id=doc["user_id"],
            group_id=doc["group_id"],
        )

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    async def user(self, info: Info) -> User | None:
        return await User.by_id(info, self.user_id)


@strawberry.type
class Invitation(relay.Node):
    id: relay.NodeID[str]
    status: InvitationStatus
    invited_at: datetime
    responded_at: datetime | None
    doc: strawberry.Private[InvitationDoc]

    @classmethod
    def from_doc(cls, doc: InvitationDoc) -> Self:
        return cls(
            id=doc["_id"], status=InvitationStatus(doc["status"]), invited_at=doc["invited_at"],
            responded_at=doc.get("responded_at"), doc=doc,
        )

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    async def invited_by(self, info: Info) -> User | None:
        return await User.by_id(info, self.doc["inviter_id"])

    @strawberry.field(description="The group; invitees may see it even before they join.",
                      metadata=declare(Audience.EVERYONE))
    async def group(
        self, info: Info
    ) -> Annotated["Group", strawberry.lazy("schema.types.group")]:
        from schema.types.group import Group

        doc = await info.context.loaders.groups.load(self.doc["group_id"])
        assert doc is not None
        return Group.from_doc(doc)

    @strawberry.field(description="What the group still lacks for members (see "
                      "Group.readiness), for those who invite; null for the invitee. Inviting "
                      "works either way.", metadata=declare(Audience.STANDING))
    async def missing_readiness(self, info: Info) -> list[ReadinessItem] | None:
        from schema.types.group import readiness_of

        doc = await info.context.loaders.groups.load(self.doc["group_id"])
        checks = None if doc is None else await readiness_of(info, doc)
        return None if checks is None else [check.item for check in checks if not check.done]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one body for Node's overloads
        cls, *, info: Info, node_ids: Any, required: bool = False
    ) -> list[Self | None]:
        viewer = info.context.viewer
        result: list[Self | None] = []
        for node_id in node_ids:
            doc = await info.context.store.invitations.get(invitation_id=node_id)
            visible = doc is not None and viewer is not None and doc["user_id"] == viewer.id
            result.append(cls.from_doc(doc) if visible and doc else None)
        return result
