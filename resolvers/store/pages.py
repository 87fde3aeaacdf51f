"""The `pages` collection: a group's work plan, ordered by rank."""

from datetime import datetime
from typing import Any, TypedDict

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from resolvers.coalesced import find_ids
from resolvers.store.groups import object_id


class PageDoc(TypedDict, total=False):
    """A page of a group's content, as stored in the `pages` collection."""

    _id: Any
    group_id: str
    title: str
    body: str
    kind: str
    rank: float  # its place among the group's pages
    position: int  # 1-based, as an event carries it (not stored)
    author_id: str
    created_at: datetime
    updated_at: datetime


class PageStore:
    def __init__(self, collection: AsyncCollection[Any]) -> None:
        self._collection: AsyncCollection[PageDoc] = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_indexes([
            IndexModel([("group_id", ASCENDING), ("rank", ASCENDING)]),
            IndexModel([("group_id", ASCENDING), ("kind", ASCENDING)]),
        ])

    async def insert(self, *, doc: PageDoc) -> PageDoc:
        result = await self._collection.insert_one(doc)
        return {**doc, "_id": result.inserted_id}

    async def get(self, *, page_id: str) -> PageDoc | None:
        oid = object_id(page_id)
        return None if oid is None else await self._collection.find_one({"_id": oid})

    async def ranks(self, *, group_id: str) -> list[PageDoc]:
        """Every page of the group, in order, with only `_id` and `rank`."""
        cursor = self._collection.find({"group_id": group_id}, {"rank": 1}).sort("rank", 1)
        return await cursor.to_list()

    async def update(
        self, *, page_id: Any, fields: PageDoc, now: datetime
    ) -> PageDoc | None:
        return await self._collection.find_one_and_update(
            {"_id": page_id},
            {"$set": {**fields, "updated_at": now}},
            return_document=ReturnDocument.AFTER,
        )

    async def renumber(self, *, ordered_ids: list[Any]) -> None:
        for rank, page_id in enumerate(ordered_ids, start=1):
            await self._collection.update_one({"_id": page_id}, {"$set": {"rank": float(rank)}})

    async def delete(self, *, page_id: Any) -> bool:
        return (await self._collection.delete_one({"_id": page_id})).deleted_count == 1

    async def get_many(self, *, page_ids: list[str]) -> list[PageDoc]:
        oids = [oid for value in page_ids if (oid := object_id(value)) is not None]
        return await find_ids(self._collection, oids)

    async def kinds_present(self, *, group_id: str, kinds: list[str]) -> set[str]:
        """Which of `kinds` the group has a page of: one indexed lookup each."""
        return {kind for kind in kinds
                if await self._collection.find_one({"group_id": group_id, "kind": kind},
                                                   {"_id": 1}) is not None}

    async def count(self, *, group_id: str) -> int:
        return await self._collection.count_documents({"group_id": group_id})
