"""The `moderation_log` collection: append-only. This module offers no way to change or
delete an entry, and nothing else in Agora writes to the collection."""

from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from resolvers.domain.paging import Seek
from resolvers.store.groups import by_id
from resolvers.store.seek import read_page

LogEntry = dict[str, Any]


class ModerationLogStore:
    def __init__(self, collection: AsyncCollection[Any]) -> None:
        self._collection = collection

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
