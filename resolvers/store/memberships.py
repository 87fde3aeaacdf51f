"""The `memberships` collection: who belongs to which group, with which role.

A membership that ends keeps its document with `role: null`, so that leaving, being removed
and joining again are single-document writes that carry their events.
"""

from datetime import datetime
from typing import Any, TypedDict

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from resolvers.domain.paging import Seek
from resolvers.store.first_pages import counted_of_each
from resolvers.store.outbox import NO_EVENTS, Events, HoldsEvents
from resolvers.store.seek import read_page


class MembershipDoc(TypedDict, total=False):
    """A membership, as stored in the `memberships` collection; it stays when it ends."""

    _id: str  # the group's and the member's ids
    group_id: str
    user_id: str
    role: str  # null once the membership has ended; the reads here are of current ones
    joined_at: datetime
    joined_seq: str  # the order members are listed in
    left_at: datetime | None
    netiquette_version: int | None  # the version of the netiquette accepted on joining
    notify_level: str  # a NotifyLevel: of which new posts in the group they are told
    outbox: list[dict[str, Any]]  # events waiting to enter the log

_CURRENT = {"role": {"$ne": None}}


def membership_id(group_id: str, user_id: str) -> str:
    return f"{group_id}:{user_id}"


class MembershipStore(HoldsEvents[MembershipDoc]):

    def __init__(self, collection: AsyncCollection[Any]) -> None:
        super().__init__(collection, **_CURRENT)

    async def ensure_indexes(self) -> None:
        await self._collection.create_indexes([
            IndexModel([("group_id", ASCENDING), ("joined_seq", ASCENDING)]),
            IndexModel([("group_id", ASCENDING), ("role", ASCENDING)]),
            IndexModel([("user_id", ASCENDING), ("group_id", ASCENDING)]),
            IndexModel([("group_id", ASCENDING), ("notify_level", ASCENDING)]),
            IndexModel([("group_id", ASCENDING), ("joined_at", DESCENDING)]),
        ])

    async def add(
        self, *, group_id: str, user_id: str, role: str, now: datetime,
        events: Events = NO_EVENTS, netiquette_version: int | None = None,
    ) -> bool:
        """Add a member, who accepted `netiquette_version` on joining; False (and no change)
        if they already were one."""
        change = {"$set": {"group_id": group_id, "user_id": user_id, "role": role,
                           "joined_at": now, "joined_seq": str(ObjectId()), "left_at": None,
                           "netiquette_version": netiquette_version}}
        try:
            await self._collection.update_one(
                {"_id": membership_id(group_id, user_id), "role": None},
                events.pushed(change),
                upsert=True,
            )
        except DuplicateKeyError:  # a current member (or a concurrent join that won)
            return False
        self._hold(events, membership_id(group_id, user_id))
        return True

    async def remove(
        self, *, group_id: str, user_id: str, now: datetime, events: Events = NO_EVENTS
    ) -> MembershipDoc | None:
        """End a membership; the membership as it was, or None if there was none."""
        ended = await self._collection.find_one_and_update(
            {"_id": membership_id(group_id, user_id), **_CURRENT},
            events.pushed({"$set": {"role": None, "left_at": now}}),
            return_document=ReturnDocument.BEFORE,
        )
        if ended is not None:
            self._hold(events, ended["_id"])
        return ended

    async def set_notify_level(
        self, *, group_id: str, user_id: str, level: str, events: Events = NO_EVENTS
    ) -> bool:
        """False if they are not a member."""
        ident = membership_id(group_id, user_id)
        result = await self._collection.update_one(
            {"_id": ident, **_CURRENT}, events.pushed({"$set": {"notify_level": level}}))
        if result.matched_count != 1:
            return False
        self._hold(events, ident)
        return True

    async def at_levels(self, *, group_id: str, levels: list[str]) -> dict[str, list[str]]:
        """By level: the members told of new posts in the group at each of `levels`."""
        found = self._collection.find(
            {"group_id": group_id, "notify_level": {"$in": levels}, **_CURRENT},
            {"user_id": 1, "notify_level": 1})
        members: dict[str, list[str]] = {level: [] for level in levels}
        async for doc in found:
            members[doc["notify_level"]].append(doc["user_id"])
        return members

    async def get(self, *, group_id: str, user_id: str) -> MembershipDoc | None:
        return await self._by_id(membership_id(group_id, user_id))

    async def set_role(
        self, *, group_id: str, user_id: str, current: str, wanted: str,
        events: Events = NO_EVENTS,
    ) -> MembershipDoc | None:
        """Compare-and-set on the role; None if it changed meanwhile."""
        return self._written(events, await self._collection.find_one_and_update(
            {"_id": membership_id(group_id, user_id), "role": current},
            events.pushed({"$set": {"role": wanted}}),
            return_document=ReturnDocument.AFTER,
        ))

    async def count(self, *, group_id: str, role: str | None = None) -> int:
        query: dict[str, Any] = {"group_id": group_id, **_CURRENT}
        if role is not None:
            query["role"] = role
        return await self._collection.count_documents(query)

    async def holders(self, *, group_id: str, role: str) -> list[str]:
        """The users holding `role` in the group (a group has few leaders)."""
        found = self._collection.find({"group_id": group_id, "role": role}, {"user_id": 1})
        return [doc["user_id"] async for doc in found]

    async def led_by(self, *, user_id: str, roles: list[str]) -> list[str]:
        """The groups in which `user_id` holds one of `roles`."""
        query = {"user_id": user_id, "role": {"$in": roles}}
        return [doc["group_id"] for doc in await self._collection.find(query).to_list()]

    async def members_among(self, *, group_id: str, user_ids: list[str]) -> set[str]:
        """Those of `user_ids` who are members of the group."""
        ids = [membership_id(group_id, user_id) for user_id in user_ids]
        found = self._collection.find({"_id": {"$in": ids}, **_CURRENT}, {"user_id": 1})
        return {doc["user_id"] async for doc in found}

    async def levels_by_group(self, *, user_id: str) -> dict[str, str]:
        """The groups where `user_id` chose a level of notification, with the level."""
        query = {"user_id": user_id, "notify_level": {"$exists": True}, **_CURRENT}
        found = self._collection.find(query, {"group_id": 1, "notify_level": 1})
        return {doc["group_id"]: doc["notify_level"] async for doc in found}

    async def roles_by_group(self, *, user_id: str) -> dict[str, str]:
        """Every group `user_id` belongs to, with their role in it."""
        query = {"user_id": user_id, **_CURRENT}
        found = self._collection.find(query, {"group_id": 1, "role": 1})
        return {doc["group_id"]: doc["role"] async for doc in found}

    async def roles_of(self, *, user_id: str, group_ids: list[str]) -> list[MembershipDoc]:
        query = {"user_id": user_id, "group_id": {"$in": group_ids}, **_CURRENT}
        return await self._collection.find(query, {"group_id": 1, "role": 1}).to_list()

    async def page(
        self, *, group_id: str, role: str | None, seek: Seek, limit: int
    ) -> tuple[list[MembershipDoc], bool]:
        """Members in the order they joined."""
        query: dict[str, Any] = {"group_id": group_id, **_CURRENT}
        if role is not None:
            query["role"] = role
        return await read_page(self._collection, query, [("joined_seq", ASCENDING)], seek,
                               limit, lambda position: (position,))

    async def groups_of(
        self, *, user_id: str, seek: Seek, limit: int
    ) -> tuple[list[MembershipDoc], bool]:
        """The memberships of `user_id`, by group id."""
        return await read_page(self._collection, {"user_id": user_id, **_CURRENT},
                               [("group_id", ASCENDING)], seek, limit,
                               lambda position: (position,))

    async def joined_since(
        self, *, group_ids: list[str], since: datetime, limit: int
    ) -> dict[str, tuple[int, list[MembershipDoc]]]:
        """By group: how many of its members joined after `since`, and the newest `limit`."""
        return await counted_of_each(
            self._collection,
            match={"group_id": {"$in": group_ids}, "joined_at": {"$gt": since}, **_CURRENT},
            parent="group_id", order={"joined_at": DESCENDING}, limit=limit)
