"""The `users` collection: one document per token subject, kept up to date from the token."""

from datetime import datetime
from typing import Any, TypedDict

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from resolvers.coalesced import by_id, find_ids
from resolvers.domain.actors import Actor


class UserDoc(TypedDict, total=False):
    """A user as stored in the `users` collection, refreshed from each token they use."""

    _id: str  # the token's subject
    name: str
    country: str | None
    roles: list[str]
    created_at: datetime
    updated_at: datetime
    last_seen_at: datetime
    netiquette_version: int  # the latest version of the netiquette they accepted


class UserStore:
    def __init__(self, collection: AsyncCollection[Any]) -> None:
        self._collection: AsyncCollection[UserDoc] = collection
        self._by_id = by_id(self._collection)

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("country")

    async def record(self, *, actor: Actor, now: datetime) -> UserDoc:
        """Create or refresh the user described by `actor`'s token."""
        doc = await self._collection.find_one_and_update(
            {"_id": actor.id},
            {
                "$set": {
                    "name": actor.name,
                    "country": actor.country,
                    "roles": sorted(actor.roles),
                    "updated_at": now,
                },
                "$setOnInsert": {"created_at": now},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None
        return doc

    async def accept_netiquette(self, *, user_id: str, version: int) -> None:
        await self._collection.update_one({"_id": user_id},
                                          {"$max": {"netiquette_version": version}})

    async def get(self, *, user_id: str) -> UserDoc | None:
        return await self._by_id(user_id)

    async def get_many(self, *, user_ids: list[str]) -> list[UserDoc]:
        return await find_ids(self._collection, user_ids)
