"""Every MongoDB query, one module per collection, gathered in one `Store`."""

from pymongo.asynchronous.database import AsyncDatabase

from resolvers.store.groups import GroupStore
from resolvers.store.invitations import InvitationStore
from resolvers.store.memberships import MembershipStore
from resolvers.store.pages import PageStore
from resolvers.store.users import UserStore


class Store:
    """The collections a request may touch; built once per process from one database."""

    def __init__(self, db: AsyncDatabase[dict]) -> None:  # type: ignore[type-arg]
        self.db = db
        self.groups = GroupStore(db["groups"])
        self.invitations = InvitationStore(db["invitations"])
        self.memberships = MembershipStore(db["memberships"])
        self.pages = PageStore(db["pages"])
        self.users = UserStore(db["users"])

    async def ensure_indexes(self) -> None:
        """Create every index; running it again changes nothing."""
        for part in (self.groups, self.invitations, self.memberships, self.pages, self.users):
            await part.ensure_indexes()

    async def ping(self) -> None:
        await self.db.command("ping")
