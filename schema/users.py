"""The signed-in user, and their pending invitations."""

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from resolvers import membership, notifications, users
from resolvers.domain.actors import Role
from resolvers.domain.groups import require_actor
from resolvers.store.users import UserDoc
from schema.context import Info
from schema.errors import answer
from schema.inputs import node_id
from schema.permissions import IsAuthenticated
from schema.types.common import Connection
from schema.types.membership import Invitation
from schema.types.user import User


@strawberry.type(description="The signed-in user, as recorded from their token.")
class Me:
    id: strawberry.ID = strawberry.field(description="The same global ID as the `User`.")
    name: str
    country: str | None
    roles: list[Role]
    created_at: datetime
    netiquette_version: int | None = strawberry.field(
        description="The latest version of the netiquette they accepted; null for none."
    )

    @classmethod
    def from_doc(cls, doc: UserDoc) -> Self:
        return cls(
            id=strawberry.ID(relay.to_base64(User, doc["_id"])),
            name=doc["name"],
            country=doc.get("country"),
            roles=[Role(role) for role in doc.get("roles", [])],
            created_at=doc["created_at"],
            netiquette_version=doc.get("netiquette_version"),
        )

    @strawberry.field(description="How many of your notifications are unread (counted up to "
                      "1,000).")
    async def unread_notification_count(self, info: Info) -> int:
        return await notifications.unread_count(store=info.context.store,
                                                actor=info.context.viewer)

    @strawberry.field(description="Invitations waiting for an answer, oldest first.")
    async def invitations(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Invitation]:
        ctx = info.context
        return await answer(
            lambda: membership.my_invitations(
                store=ctx.store, actor=require_actor(ctx.viewer),
                page=ctx.limits.page(first, after, last, before),
            ),
            lambda page: Connection.of(page, Invitation.from_doc),
        )


@strawberry.type
class UserQuery:
    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="For a group's owners and moderators, finding whom to "
                      "invite: teachers whose handle (made from their name) starts with "
                      "`search`. Only teachers who have signed in once can be found.")
    async def teachers(
        self, info: Info, group_id: relay.GlobalID, search: str, first: int | None = None,
        after: str | None = None, last: int | None = None, before: str | None = None,
    ) -> Connection[User]:
        ctx = info.context
        return await answer(
            lambda: users.find_teachers(
                store=ctx.store, actor=ctx.viewer, group_id=node_id(group_id, "Group"),
                search=search, page=ctx.limits.page(first, after, last, before),
                limits=ctx.rate_limits, now=ctx.now()),
            lambda page: Connection.of(page, User.from_doc),
        )

    @strawberry.field(description="The signed-in user; null without a token.")
    async def me(self, info: Info) -> Me | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        doc = await users.get_user(store=info.context.store, user_id=viewer.id)
        return Me.from_doc(doc) if doc else None
