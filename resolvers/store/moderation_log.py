"""The `moderation_log` collection: append-only. This module offers no way to change or
delete an entry, and nothing else in Agora writes to the collection."""

from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from resolvers.store.groups import object_id

LogEntry = dict[str, Any]


class ModerationLogStore:
    def __init__(self, collection: AsyncCollection[Any]) -> None:
        self._collection = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_index([("group_id", 1), ("_id", DESCENDING)])

    async def append(self, *, entry: LogEntry) -> LogEntry:
        result = await self._collection.insert_one(entry)
        return {**entry, "_id": result.inserted_id}

    async def page(self, *, group_id: str, after: str | None, limit: int) -> list[LogEntry]:
        """Newest first."""
        query: dict[str, Any] = {"group_id": group_id}
        if after is not None:
            query["_id"] = {"$lt": object_id(after)}
        return await self._collection.find(query).sort("_id", DESCENDING).limit(limit).to_list()
