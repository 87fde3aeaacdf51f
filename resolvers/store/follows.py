"""The `follows` collection: who follows (or has muted) which discussion."""

from datetime import datetime
from typing import Any, TypedDict

from pymongo import IndexModel
from pymongo.errors import DuplicateKeyError

from resolvers.store.outbox import NO_EVENTS, Events, HoldsEvents


class FollowDoc(TypedDict, total=False):
    _id: str  # the discussion's id and the user's
    discussion_id: str
    group_id: str
    user_id: str
    muted: bool
    since: datetime
    outbox: list[dict[str, Any]]  # events waiting to enter the log


def follow_id(discussion_id: str, user_id: str) -> str:
    return f"{discussion_id}:{user_id}"


class FollowStore(HoldsEvents[FollowDoc]):

    async def ensure_indexes(self) -> None:
        await self._collection.create_indexes([
            IndexModel([("discussion_id", 1), ("muted", 1)]),
            IndexModel([("user_id", 1), ("muted", 1)]),
        ])

    async def set(self, *, discussion_id: str, group_id: str, user_id: str, muted: bool,
                  now: datetime, keep_muted: bool = False, events: Events = NO_EVENTS) -> None:
        """Follow (or mute) the discussion; with `keep_muted`, a mute stays as it is."""
        ident = follow_id(discussion_id, user_id)
        query: dict[str, Any] = {"_id": ident}
        if keep_muted:
            query["muted"] = {"$ne": True}
        update = events.pushed({"$set": {"discussion_id": discussion_id, "group_id": group_id,
                                         "user_id": user_id, "muted": muted},
                                "$setOnInsert": {"since": now}})
        try:
            await self._collection.update_one(query, update, upsert=True)
        except DuplicateKeyError:  # a mute, kept: the upsert met it
            if not keep_muted:
                raise
            return
        self._hold(events, ident)

    async def of_discussion(self, *, discussion_id: str) -> list[FollowDoc]:
        """Everyone who follows or muted the discussion."""
        return await self._collection.find({"discussion_id": discussion_id},
                                           {"user_id": 1, "muted": 1}).to_list()

    async def of_user(self, *, user_id: str) -> list[FollowDoc]:
        return await self._collection.find({"user_id": user_id},
                                           {"discussion_id": 1, "muted": 1}).to_list()
