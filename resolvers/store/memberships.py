"""The `memberships` collection: who belongs to which group, with which role."""

from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

MembershipDoc = dict[str, Any]


class MembershipStore:
    def __init__(self, collection: AsyncCollection[MembershipDoc]) -> None:
        self._collection = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_index([("group_id", 1), ("user_id", 1)], unique=True)
        await self._collection.create_index([("user_id", 1), ("group_id", 1)])

    async def add(self, *, group_id: str, user_id: str, role: str, now: datetime) -> None:
        await self._collection.update_one(
            {"_id": f"{group_id}:{user_id}"},
            {
                "$setOnInsert": {
                    "group_id": group_id,
                    "user_id": user_id,
                    "role": role,
                    "joined_at": now,
                }
            },
            upsert=True,
        )

    async def get(self, *, group_id: str, user_id: str) -> MembershipDoc | None:
        return await self._collection.find_one({"_id": f"{group_id}:{user_id}"})
