"""The signed-in user."""

import strawberry

from resolvers import users
from schema.context import Info
from schema.types.user import Me


@strawberry.type
class UserQuery:
    @strawberry.field(description="The signed-in user; null without a token.")
    async def me(self, info: Info) -> Me | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        doc = await users.get_user(store=info.context.store, user_id=viewer.id)
        return Me.from_doc(doc) if doc else None
