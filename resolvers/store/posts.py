"""The `posts` collection: in creation order, with tombstones and hidden posts kept."""

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from resolvers.coalesced import find_ids
from resolvers.domain.discussions import PostDoc
from resolvers.domain.paging import Seek
from resolvers.store.first_pages import counted_of_each, first_of_each
from resolvers.store.groups import by_id, object_id
from resolvers.store.outbox import NO_EVENTS, Events, HoldsEvents
from resolvers.store.seek import read_page


def _visible(include_hidden: bool) -> dict[str, Any]:
    return {} if include_hidden else {"hidden": None}


PUBLISHED: dict[str, Any] = {"hidden": None, "deleted_at": None}  # what unread counts count


class PostStore(HoldsEvents[PostDoc]):

    async def ensure_indexes(self) -> None:
        await self._collection.create_indexes([
            IndexModel([("discussion_id", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("group_id", ASCENDING), ("created_at", DESCENDING)]),
            IndexModel("client_key", unique=True,
                       partialFilterExpression={"client_key": {"$type": "string"}}),
        ])

    async def insert(self, *, doc: PostDoc, events: Events = NO_EVENTS) -> tuple[PostDoc, bool]:
        """Insert a post with `events`; with a `client_key` already used, return that post
        instead (and write no events).

        Returns the post and whether it was created now.
        """
        try:
            result = await self._collection.insert_one(events.inserted(doc))
        except DuplicateKeyError:
            existing = await self._collection.find_one({"client_key": doc["client_key"]})
            if existing is None:
                raise
            return existing, False
        inserted = self._written(events, {**doc, "_id": result.inserted_id})
        assert inserted is not None
        return inserted, True

    async def count(self, *, discussion_id: str) -> int:
        """Every post of the discussion, tombstones and hidden ones included."""
        return await self._collection.count_documents({"discussion_id": discussion_id})

    async def count_published(
        self, *, discussion_id: str, after: ObjectId | None = None, upto: ObjectId | None = None
    ) -> int:
        """Published posts of the discussion, those after `after` and up to `upto` if given."""
        query: dict[str, Any] = {"discussion_id": discussion_id, **PUBLISHED}
        span = ({} if after is None else {"$gt": after}) | ({} if upto is None else {"$lte": upto})
        if span:
            query["_id"] = span
        return await self._collection.count_documents(query)

    async def last(self, *, discussion_id: str) -> PostDoc | None:
        """The discussion's latest post, hidden or deleted alike."""
        return await self._collection.find_one({"discussion_id": discussion_id},
                                               sort=[("_id", DESCENDING)])

    async def find_by_client_key(self, *, key: str) -> PostDoc | None:
        return await self._collection.find_one({"client_key": key})

    async def get(self, *, post_id: str) -> PostDoc | None:
        oid = object_id(post_id)
        return None if oid is None else await self._by_id(oid)

    async def get_many(self, *, post_ids: list[str]) -> list[PostDoc]:
        oids = [oid for value in post_ids if (oid := object_id(value)) is not None]
        return await find_ids(self._collection, oids)

    async def update(
        self, *, post_id: Any, expected: dict[str, Any], change: dict[str, Any],
        events: Events = NO_EVENTS,
    ) -> PostDoc | None:
        """Compare-and-set: apply `change` only while the post matches `expected`."""
        return self._written(events, await self._collection.find_one_and_update(
            {"_id": post_id, **expected}, events.pushed(change),
            return_document=ReturnDocument.AFTER,
        ))

    async def page(
        self, *, discussion_id: str, seek: Seek, limit: int, include_hidden: bool
    ) -> tuple[list[PostDoc], bool]:
        query: dict[str, Any] = {"discussion_id": discussion_id, **_visible(include_hidden)}
        return await read_page(self._collection, query, [("_id", ASCENDING)], seek, limit,
                               by_id)

    async def first_pages(
        self, *, discussion_ids: list[str], limit: int, include_hidden: bool
    ) -> list[PostDoc]:
        """The first `limit` posts of each discussion, in one command."""
        return await first_of_each(
            self._collection, parent="discussion_id", order={"_id": ASCENDING}, limit=limit,
            match={"discussion_id": {"$in": discussion_ids}, **_visible(include_hidden)},
        )

    async def published_since(
        self, *, group_ids: list[str], since: datetime, limit: int
    ) -> dict[str, tuple[int, list[PostDoc]]]:
        """By group: how many published posts were written after `since`, and the newest
        `limit`."""
        return await counted_of_each(
            self._collection,
            match={"group_id": {"$in": group_ids}, "created_at": {"$gt": since}, **PUBLISHED},
            parent="group_id", order={"created_at": DESCENDING}, limit=limit)
