"""The netiquette, as the CSS published it."""

from datetime import datetime
from typing import Self

import strawberry

from resolvers import netiquette
from resolvers.domain.netiquette import NetiquetteDoc
from schema.context import Info
from schema.declared import Audience, declare
from schema.types.user import User


@strawberry.type(description="The platform's rules, which members accept; the CSS publishes "
                 "new versions.")
class Netiquette:
    version: int
    text: str = strawberry.field(description="Markdown.")
    published_at: datetime
    published_by_id: strawberry.Private[str]

    @classmethod
    def from_doc(cls, doc: NetiquetteDoc) -> Self:
        return cls(version=doc["_id"], text=doc["text"], published_at=doc["at"],
                   published_by_id=doc["by_id"])

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    async def published_by(self, info: Info) -> User | None:
        return await User.by_id(info, self.published_by_id)

    @strawberry.field(description="Whether the caller has accepted this version; false "
                      "without a token.", metadata=declare(Audience.VIEWER))
    async def accepted_by_viewer(self, info: Info) -> bool:
        viewer = info.context.viewer
        if viewer is None:
            return False
        return (await netiquette.accepted_by(info.context.store, viewer) or 0) >= self.version
