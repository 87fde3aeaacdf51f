"""The `notifications` collection, and the events they name (`notified_events`)."""

from datetime import datetime
from typing import Any

from pymongo import DESCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from resolvers.coalesced import find_ids
from resolvers.domain.events import EventDoc
from resolvers.domain.notifications import NotificationDoc, seq_at
from resolvers.domain.paging import Seek
from resolvers.store.first_pages import counted_of_each
from resolvers.store.once import insert_new
from resolvers.store.seek import read_page

ORDER = [("seq", DESCENDING)]
ADDED_AT_ONCE = 500


class NotificationStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._collection: AsyncCollection[NotificationDoc] = db["notifications"]
        self._events: AsyncCollection[EventDoc] = db["notified_events"]

    async def ensure_indexes(self) -> None:
        await self._collection.create_indexes([
            IndexModel([("user_id", 1), *ORDER]),
            IndexModel([("user_id", 1), ("read", 1), *ORDER]),
            IndexModel([("user_id", 1), ("at", DESCENDING)]),
        ])

    async def add(self, *, event: EventDoc, docs: list[NotificationDoc]) -> int:
        """Store the notifications `docs` of `event` (a `notified_event`), but those stored
        already (by this process or another); how many were new. The event is kept once, and
        the notifications a few hundred a command."""
        if not docs:
            return 0
        try:
            await self._events.insert_one(event)
        except DuplicateKeyError:
            pass
        made = 0
        for start in range(0, len(docs), ADDED_AT_ONCE):
            made += await insert_new(self._collection, docs[start:start + ADDED_AT_ONCE])
        return made

    async def page(
        self, *, user_id: str, unread_only: bool, seek: Seek, limit: int
    ) -> tuple[list[NotificationDoc], bool]:
        """Newest first."""
        query: dict[str, Any] = {"user_id": user_id}
        if unread_only:
            query["read"] = False
        return await read_page(self._collection, query, ORDER, seek, limit,
                               lambda position: (seq_at(position),))

    async def count_unread(self, *, user_id: str, at_most: int) -> int:
        return await self._collection.count_documents({"user_id": user_id, "read": False},
                                                      limit=at_most)

    async def events(self, *, event_ids: list[str]) -> list[EventDoc]:
        """The events notifications name, in no order."""
        return await find_ids(self._events, event_ids)

    async def since(
        self, *, user_id: str, since: datetime, limit: int
    ) -> tuple[int, list[NotificationDoc]]:
        """How many notifications `user_id` got after `since`, and the newest `limit`."""
        found = await counted_of_each(
            self._collection, match={"user_id": user_id, "at": {"$gt": since}},
            parent="user_id", order={"at": DESCENDING}, limit=limit)
        return found.get(user_id, (0, []))

    async def mark_read(
        self, *, user_id: str, up_to: int | None, ids: list[str] | None
    ) -> int:
        """Mark read those up to `up_to` (a `seq`, inclusive) or those of `ids`; how many."""
        if ids == []:
            return 0
        query: dict[str, Any] = {"user_id": user_id, "read": False}
        if up_to is not None:
            query["seq"] = {"$lte": up_to}
        if ids is not None:
            query["_id"] = {"$in": ids}
        result = await self._collection.update_many(query, {"$set": {"read": True}})
        return result.modified_count
