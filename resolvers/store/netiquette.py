"""The `netiquette` collection: one document per version, never changed."""

from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from resolvers.domain.netiquette import NetiquetteDoc


class NetiquetteStore:
    def __init__(self, collection: AsyncCollection[Any]) -> None:
        self._collection: AsyncCollection[NetiquetteDoc] = collection

    async def ensure_indexes(self) -> None:
        pass  # read by `_id` alone

    async def current(self) -> NetiquetteDoc | None:
        return await self._collection.find_one({"_id": {"$gte": 1}}, sort=[("_id", DESCENDING)])

    async def publish(self, *, doc: NetiquetteDoc) -> NetiquetteDoc | None:
        """Insert a version; None if that version was published meanwhile."""
        try:
            await self._collection.insert_one(doc)
        except DuplicateKeyError:
            return None
        return doc
