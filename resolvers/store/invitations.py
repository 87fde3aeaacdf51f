"""The `invitations` collection: one per group and invitee, re-opened by a new invitation."""

from datetime import datetime
from typing import Any, TypedDict

from bson import ObjectId
from pymongo import ASCENDING, ReturnDocument

from resolvers.domain.paging import Seek
from resolvers.store.memberships import membership_id
from resolvers.store.outbox import NO_EVENTS, Events, HoldsEvents
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
    outbox: list[dict[str, Any]]  # events waiting to enter the log


class InvitationStore(HoldsEvents[InvitationDoc]):

    async def ensure_indexes(self) -> None:
        await self._collection.create_index(
            [("user_id", ASCENDING), ("status", ASCENDING), ("invited_seq", ASCENDING)]
        )

    async def invite(
        self, *, group_id: str, user_id: str, inviter_id: str, now: datetime,
        events: Events = NO_EVENTS,
    ) -> InvitationDoc:
        doc = self._written(events, await self._collection.find_one_and_update(
            {"_id": membership_id(group_id, user_id)},
            events.pushed({"$set": {
                "group_id": group_id, "user_id": user_id, "inviter_id": inviter_id,
                "status": "PENDING", "invited_at": now, "invited_seq": str(ObjectId()),
                "responded_at": None}}),
            upsert=True,
            return_document=ReturnDocument.AFTER,
        ))
        assert doc is not None
        return doc

    async def get(self, *, invitation_id: str) -> InvitationDoc | None:
        return await self._collection.find_one({"_id": invitation_id}, {"outbox": 0})

    async def respond(
        self, *, invitation_id: str, status: str, now: datetime, events: Events = NO_EVENTS,
    ) -> InvitationDoc | None:
        """Compare-and-set from PENDING; None if it was answered meanwhile."""
        return self._written(events, await self._collection.find_one_and_update(
            {"_id": invitation_id, "status": "PENDING"},
            events.pushed({"$set": {"status": status, "responded_at": now}}),
            return_document=ReturnDocument.AFTER,
        ))

    async def pending_for(
        self, *, user_id: str, seek: Seek, limit: int
    ) -> tuple[list[InvitationDoc], bool]:
        query: dict[str, Any] = {"user_id": user_id, "status": "PENDING"}
        return await read_page(self._collection, query, [("invited_seq", ASCENDING)], seek,
                               limit, lambda position: (position,))
