"""The `positions` collection: how far each follower of the event log (the notifier, the
search indexer) has read it, so that a restart resumes there."""

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection


class PositionStore:
    def __init__(self, collection: AsyncCollection[Any]) -> None:
        self._collection = collection

    async def get(self, follower: str) -> int | None:
        """The last log position `follower` finished, or None before its first run."""
        found = await self._collection.find_one({"_id": follower})
        return None if found is None else int(found["seq"])

    async def advance(self, follower: str, *, seq: int) -> None:
        await self._collection.update_one({"_id": follower}, {"$max": {"seq": seq}},
                                          upsert=True)
