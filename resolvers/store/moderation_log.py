"""The `moderation_log` collection: append-only. This module offers no way to change or
delete an entry, and nothing else in Agora writes to the collection."""

from datetime import datetime
from typing import Any, TypedDict

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from resolvers.domain.paging import Seek
from resolvers.store.groups import by_id
from resolvers.store.seek import read_page


class LogEntry(TypedDict, total=False):
    """One moderation or review action, as stored in the `moderation_log` collection."""

    _id: Any
    group_id: str
    actor_id: str
    actor_name: str
    action: str
    target_kind: str
    target_id: str
    reason: str | None
    at: datetime


class ModerationLogStore:
    def __init__(self, collection: AsyncCollection[Any]) -> None:
        self._collection: AsyncCollection[LogEntry] = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_index([("group_id", 1), ("_id", DESCENDING)])

    async def append(self, *, entry: LogEntry) -> LogEntry:
        result = await self._collection.insert_one(entry)
        return {**entry, "_id": result.inserted_id}

    async def page(
        self, *, group_id: str, seek: Seek, limit: int
    ) -> tuple[list[LogEntry], bool]:
        """Newest first."""
        return await read_page(self._collection, {"group_id": group_id}, [("_id", DESCENDING)],
                               seek, limit, by_id)
