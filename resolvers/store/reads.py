"""How far each reader has read: a marker per (discussion, reader), a tally per (group, reader).

A marker holds the last post its reader has read (`upto`, in the posts' order) and `read`, how
many published posts (neither hidden nor deleted) lie up to it. A group's tally holds the sum
of its reader's `read` over the group's discussions. With the published counts that
discussions and groups keep, an unread count is one subtraction: no count of posts is made
when a list shows them.
"""

from datetime import datetime
from typing import Any, TypedDict

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from resolvers.coalesced import find_ids


class MarkerDoc(TypedDict, total=False):
    _id: str  # the discussion's id and the reader's
    discussion_id: str
    group_id: str
    user_id: str
    upto: ObjectId  # the last post read
    read: int  # published posts up to `upto`
    at: datetime


class TallyDoc(TypedDict, total=False):
    _id: str  # the group's id and the reader's
    group_id: str
    user_id: str
    read: int  # the sum of the reader's markers' `read` in the group


def marker_id(discussion_id: str, user_id: str) -> str:
    return f"{discussion_id}:{user_id}"


class ReadStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._markers: AsyncCollection[MarkerDoc] = db["read_markers"]
        self._tallies: AsyncCollection[TallyDoc] = db["group_reads"]

    async def ensure_indexes(self) -> None:
        await self._markers.create_index([("discussion_id", 1), ("upto", 1)])

    async def markers(self, *, user_id: str, discussion_ids: list[str]) -> list[MarkerDoc]:
        return await find_ids(self._markers, [marker_id(d, user_id) for d in discussion_ids])

    async def tallies(self, *, user_id: str, group_ids: list[str]) -> list[TallyDoc]:
        return await find_ids(self._tallies, [marker_id(g, user_id) for g in group_ids])

    async def move_marker(
        self, *, discussion_id: str, group_id: str, user_id: str, expected: ObjectId | None,
        upto: ObjectId, read: int, now: datetime,
    ) -> bool:
        """Compare-and-set: move the marker from `expected` (None: there is none yet) to
        `upto`, adding `read` published posts; False if another request moved it first."""
        ident = marker_id(discussion_id, user_id)
        if expected is None:
            try:
                await self._markers.insert_one({
                    "_id": ident, "discussion_id": discussion_id, "group_id": group_id,
                    "user_id": user_id, "upto": upto, "read": read, "at": now})
            except DuplicateKeyError:
                return False
            return True
        moved = await self._markers.find_one_and_update(
            {"_id": ident, "upto": expected},
            {"$set": {"upto": upto, "at": now}, "$inc": {"read": read}},
            projection={"_id": 1}, return_document=ReturnDocument.AFTER)
        return moved is not None

    async def move_to_own_post(
        self, *, discussion_id: str, group_id: str, user_id: str, post_id: ObjectId,
        now: datetime,
    ) -> MarkerDoc | None:
        """Move the writer's marker to the post they wrote, counting it read; the marker as
        it was (an empty one if there was none), or None if it was past the post already."""
        ident = marker_id(discussion_id, user_id)
        try:
            before = await self._markers.find_one_and_update(
                {"_id": ident, "$or": [{"upto": {"$lt": post_id}}, {"upto": None}]},
                {"$set": {"upto": post_id, "at": now}, "$inc": {"read": 1},
                 "$setOnInsert": {"discussion_id": discussion_id, "group_id": group_id,
                                  "user_id": user_id}},
                upsert=True, return_document=ReturnDocument.BEFORE)
        except DuplicateKeyError:  # it is past the post: the upsert met it
            return None
        return before or {"read": 0}

    async def count_read(self, *, discussion_id: str, user_id: str, by: int) -> None:
        await self._markers.update_one({"_id": marker_id(discussion_id, user_id)},
                                       {"$inc": {"read": by}})

    async def add_to_tally(self, *, group_id: str, user_ids: list[str], read: int) -> None:
        """Add `read` to the tallies of `user_ids` in the group; one reader's is made if it is
        missing (every reader with a marker has one)."""
        if len(user_ids) == 1:
            await self._tallies.update_one(
                {"_id": marker_id(group_id, user_ids[0])},
                {"$inc": {"read": read},
                 "$setOnInsert": {"group_id": group_id, "user_id": user_ids[0]}},
                upsert=True)
            return
        if not user_ids or read == 0:
            return
        await self._tallies.update_many(
            {"_id": {"$in": [marker_id(group_id, user) for user in user_ids]}},
            {"$inc": {"read": read}})

    async def recount_past(self, *, discussion_id: str, post_id: ObjectId, by: int) -> list[str]:
        """A post at or before their markers was published (`by` 1) or withdrawn (-1): the
        readers it counts for, whose markers now say so."""
        past = {"discussion_id": discussion_id, "upto": {"$gte": post_id}}
        readers = [doc["user_id"] for doc in
                   await self._markers.find(past, {"user_id": 1}).to_list()]
        if readers:
            await self._markers.update_many(past, {"$inc": {"read": by}})
        return readers
