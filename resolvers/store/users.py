"""The `users` collection: one document per token subject, kept up to date from the token."""

from datetime import datetime
from typing import Any, TypedDict

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from resolvers.coalesced import by_id, find_ids
from resolvers.domain.actors import Actor
from resolvers.domain.handles import after_prefix, handle_candidates
from resolvers.domain.paging import Seek
from resolvers.store.seek import read_page


class UserDoc(TypedDict, total=False):
    """A user as stored in the `users` collection, refreshed from each token they use."""

    _id: str  # the token's subject
    name: str
    country: str | None
    roles: list[str]
    created_at: datetime
    updated_at: datetime
    last_seen_at: datetime
    handle: str  # unique; made from the name on first sight, never changed
    netiquette_version: int  # the latest version of the netiquette they accepted


class UserStore:
    def __init__(self, collection: AsyncCollection[Any]) -> None:
        self._collection: AsyncCollection[UserDoc] = collection
        self._by_id = by_id(self._collection)

    async def ensure_indexes(self) -> None:
        await self._collection.create_indexes([
            IndexModel("country"),
            IndexModel("handle", unique=True,
                       partialFilterExpression={"handle": {"$type": "string"}}),
            # What a search by handle reads: the unique index above holds only some users,
            # which a range over handles does not say.
            IndexModel([("handle", ASCENDING), ("_id", ASCENDING)]),
        ])

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
        return doc if "handle" in doc else await self._give_handle(doc)

    async def _give_handle(self, doc: UserDoc) -> UserDoc:
        """The first free handle made from the user's name, once."""
        for handle in handle_candidates(doc["name"]):
            try:
                given = await self._collection.find_one_and_update(
                    {"_id": doc["_id"], "handle": {"$exists": False}},
                    {"$set": {"handle": handle}}, return_document=ReturnDocument.AFTER)
            except DuplicateKeyError:
                continue
            found = given or await self._collection.find_one({"_id": doc["_id"]})
            assert found is not None
            return found
        return doc

    async def by_handles(self, *, handles: list[str]) -> list[UserDoc]:
        if not handles:
            return []
        return await self._collection.find({"handle": {"$in": handles}},
                                           {"handle": 1, "name": 1}).to_list()

    async def search(self, *, prefix: str, seek: Seek, limit: int
                     ) -> tuple[list[UserDoc], bool]:
        """Users whose handle starts with `prefix`, by handle."""
        query = {"handle": {"$gte": prefix, "$lt": after_prefix(prefix)}}
        return await read_page(self._collection, query, [("handle", ASCENDING)], seek, limit,
                               lambda position: (position,))

    async def accept_netiquette(self, *, user_id: str, version: int) -> None:
        await self._collection.update_one({"_id": user_id},
                                          {"$max": {"netiquette_version": version}})

    async def get(self, *, user_id: str) -> UserDoc | None:
        return await self._by_id(user_id)

    async def get_many(self, *, user_ids: list[str]) -> list[UserDoc]:
        return await find_ids(self._collection, user_ids)
