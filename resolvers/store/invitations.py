"""The `invitations` collection: one per group and invitee, re-opened by a new invitation."""

from datetime import datetime
from typing import Any, TypedDict

from bson import ObjectId
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from resolvers.domain.paging import Seek
from resolvers.store.memberships import membership_id
from resolvers.store.seek import read_page


class InvitationDoc(TypedDict, total=False):
    """An invitation to a group, as stored in the `invitations` collection."""

    _id: str  # the group's and the invitee's ids
    group_id: str
    user_id: str
    inviter_id: str
    status: str
    invited_at: datetime
    invited_seq: str  # the order invitations are listed in
    responded_at: datetime | None


class InvitationStore:
    def __init__(self, collection: AsyncCollection[Any]) -> None:
        self._collection: AsyncCollection[InvitationDoc] = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_index(
            [("user_id", ASCENDING), ("status", ASCENDING), ("invited_seq", ASCENDING)]
        )

    async def invite(
        self, *, group_id: str, user_id: str, inviter_id: str, now: datetime
    ) -> InvitationDoc:
        doc = await self._collection.find_one_and_update(
            {"_id": membership_id(group_id, user_id)},
            {"$set": {"group_id": group_id, "user_id": user_id, "inviter_id": inviter_id,
                      "status": "PENDING", "invited_at": now, "invited_seq": str(ObjectId()),
                      "responded_at": None}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None
        return doc

    async def get(self, *, invitation_id: str) -> InvitationDoc | None:
        return await self._collection.find_one({"_id": invitation_id})

    async def respond(
        self, *, invitation_id: str, status: str, now: datetime
    ) -> InvitationDoc | None:
        """Compare-and-set from PENDING; None if it was answered meanwhile."""
        return await self._collection.find_one_and_update(
            {"_id": invitation_id, "status": "PENDING"},
            {"$set": {"status": status, "responded_at": now}},
            return_document=ReturnDocument.AFTER,
        )

    async def pending_for(
        self, *, user_id: str, seek: Seek, limit: int
    ) -> tuple[list[InvitationDoc], bool]:
        query: dict[str, Any] = {"user_id": user_id, "status": "PENDING"}
        return await read_page(self._collection, query, [("invited_seq", ASCENDING)], seek,
                               limit, lambda position: (position,))
