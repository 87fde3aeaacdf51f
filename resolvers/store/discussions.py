"""The `discussions` collection: pinned first, then by latest post."""

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import DESCENDING, IndexModel, ReturnDocument

from resolvers.coalesced import find_ids
from resolvers.domain.discussions import DiscussionDoc
from resolvers.domain.paging import Seek
from resolvers.store.first_pages import counted_of_each, first_of_each
from resolvers.store.groups import object_id, position_id
from resolvers.store.outbox import NO_EVENTS, Events, HoldsEvents
from resolvers.store.seek import read_page

ORDER = [("pinned", DESCENDING), ("last_post_at", DESCENDING), ("_id", DESCENDING)]


def position_of(doc: DiscussionDoc) -> str:
    """A cursor position that follows the list's order."""
    return f"{int(doc['pinned'])}|{doc['last_post_at'].isoformat()}|{doc['_id']}"


def parse_position(position: str) -> tuple[bool, datetime, ObjectId]:
    """What `position_of` wrote; ValueError for anything else."""
    pinned, at, ident = position.split("|")
    if pinned not in ("0", "1"):
        raise ValueError(f"not a discussion position: {position!r}")
    return pinned == "1", datetime.fromisoformat(at), position_id(ident)


class DiscussionStore(HoldsEvents[DiscussionDoc]):

    async def ensure_indexes(self) -> None:
        await self._collection.create_indexes([
            IndexModel([("group_id", 1), *ORDER]),
            IndexModel([("group_id", 1), ("created_at", DESCENDING)]),
        ])

    async def insert(self, *, doc: DiscussionDoc, events: Events = NO_EVENTS) -> DiscussionDoc:
        result = await self._collection.insert_one(events.inserted(doc))
        inserted = self._written(events, {**doc, "_id": result.inserted_id})
        assert inserted is not None
        return inserted

    async def get(self, *, discussion_id: str) -> DiscussionDoc | None:
        oid = object_id(discussion_id)
        return None if oid is None else await self._by_id(oid)

    async def get_many(self, *, discussion_ids: list[str]) -> list[DiscussionDoc]:
        oids = [oid for value in discussion_ids if (oid := object_id(value)) is not None]
        return await find_ids(self._collection, oids)

    async def set_flag(
        self, *, discussion_id: Any, flag: str, value: bool, now: datetime,
        events: Events = NO_EVENTS,
    ) -> DiscussionDoc | None:
        """Set `pinned` or `locked`; None if it already had that value."""
        return self._written(events, await self._collection.find_one_and_update(
            {"_id": discussion_id, flag: {"$ne": value}},
            events.pushed({"$set": {flag: value, "updated_at": now}}),
            return_document=ReturnDocument.AFTER,
        ))

    async def set_post_counts(self, *, discussion_id: str, posts: int, published: int) -> None:
        await self._collection.update_one(
            {"_id": object_id(discussion_id)},
            {"$set": {"post_count": posts, "published_count": published}},
        )

    async def count_post(self, *, discussion_id: Any, now: datetime) -> int:
        """Count a new post; the discussion's published posts, with it."""
        counted = await self._collection.find_one_and_update(
            {"_id": discussion_id},
            {"$inc": {"post_count": 1, "published_count": 1}, "$max": {"last_post_at": now}},
            projection={"published_count": 1}, return_document=ReturnDocument.AFTER,
        )
        return 0 if counted is None else int(counted.get("published_count", 0))

    async def count_published(self, *, discussion_id: str, by: int) -> None:
        """A post was withdrawn (hidden or deleted: `by` -1) or published again (1)."""
        await self._collection.update_one({"_id": object_id(discussion_id)},
                                          {"$inc": {"published_count": by}})

    async def published_in(self, *, group_id: str) -> int:
        """The published posts of all the group's discussions (for recovery)."""
        found = self._collection.find({"group_id": group_id}, {"published_count": 1})
        return sum([doc.get("published_count", 0) async for doc in found])

    async def any_in(self, *, group_id: str) -> bool:
        return await self._collection.find_one({"group_id": group_id}, {"_id": 1}) is not None

    async def page(
        self, *, group_id: str, seek: Seek, limit: int
    ) -> tuple[list[DiscussionDoc], bool]:
        return await read_page(self._collection, {"group_id": group_id}, ORDER, seek, limit,
                               parse_position)

    async def first_pages(self, *, group_ids: list[str], limit: int) -> list[DiscussionDoc]:
        """The first `limit` discussions of each group, in one command."""
        return await first_of_each(
            self._collection, match={"group_id": {"$in": group_ids}}, parent="group_id",
            order=dict(ORDER), limit=limit,
        )

    async def started_since(
        self, *, group_ids: list[str], since: datetime, limit: int
    ) -> dict[str, tuple[int, list[DiscussionDoc]]]:
        """By group: how many discussions started after `since`, and the newest `limit`."""
        return await counted_of_each(
            self._collection, match={"group_id": {"$in": group_ids}, "created_at": {"$gt": since}},
            parent="group_id", order={"created_at": DESCENDING}, limit=limit)
