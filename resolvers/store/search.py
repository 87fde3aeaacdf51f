"""The `search_entries` collection: the search index Agora keeps itself. One entry per term
of each group, discussion and post that search may find; its `_id` is the item's id and the
term, so writing an item's entries twice stores them once.

A term's best entries are read by equality on the term, in the order of an index on its
weight, so a search reads what it ranks, however many items hold the term."""

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from resolvers.coalesced import find_all_ids
from resolvers.domain.search import Posting, SearchKind, index_terms
from resolvers.store.once import insert_new

# Heaviest first; among equals, the newest item (an entry's id begins with its item's).
WEIGHT_ORDER = [("weight", DESCENDING), ("_id", DESCENDING)]


class SearchStore:
    def __init__(self, collection: AsyncCollection[Any]) -> None:
        self._collection = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_indexes([
            IndexModel([("term", ASCENDING), *WEIGHT_ORDER]),
            IndexModel([("term", ASCENDING), ("kind", ASCENDING), *WEIGHT_ORDER]),
            IndexModel([("group_id", ASCENDING), ("term", ASCENDING), *WEIGHT_ORDER]),
            IndexModel([("group_id", ASCENDING), ("term", ASCENDING), ("kind", ASCENDING),
                        *WEIGHT_ORDER]),
            # A search in one language: its entries alone are walked.
            IndexModel([("language", ASCENDING), ("term", ASCENDING), *WEIGHT_ORDER]),
            IndexModel([("language", ASCENDING), ("term", ASCENDING), ("kind", ASCENDING),
                        *WEIGHT_ORDER]),
            IndexModel("item_id"),
        ])

    async def replace(
        self, *, item_id: str, kind: SearchKind, group_id: str, language: str,
        fields: Sequence[tuple[str, float]],
    ) -> None:
        """Make the terms of `fields` (each a text and its boost), with their weights, the
        item's entries."""
        terms = index_terms(fields, language)
        kept = await self._collection.find({"item_id": item_id}, {"term": 1, "weight": 1,
                                                                  "language": 1}).to_list()
        stale = [doc["_id"] for doc in kept
                 if terms.get(doc["term"]) != doc["weight"] or doc["language"] != language]
        current = {doc["term"] for doc in kept if doc["_id"] not in stale}
        if stale:
            await self._collection.delete_many({"_id": {"$in": stale}})
        new = [
            {"_id": f"{item_id}:{term}", "item_id": item_id, "kind": kind.value,
             "group_id": group_id, "language": language, "term": term, "weight": weight}
            for term, weight in terms.items() if term not in current
        ]
        await insert_new(self._collection, new)

    async def remove(self, *, item_id: str) -> None:
        await self._collection.delete_many({"item_id": item_id})

    async def best(
        self, *, term: str, group_id: str | None, kind: SearchKind | None,
        language: str | None, limit: int,
    ) -> list[Posting]:
        """The `limit` entries of `term` of the greatest weight."""
        query: dict[str, Any] = {"term": term}
        if group_id is not None:
            query["group_id"] = group_id
        if kind is not None:
            query["kind"] = kind.value
        if language is not None:
            query["language"] = language
        docs = await self._collection.find(query, _POSTING).sort(WEIGHT_ORDER).limit(
            limit).to_list()
        return [_posting(doc) for doc in docs]

    async def entries(self, pairs: list[tuple[str, str]]) -> list[Posting]:
        """The entries of these (item, term) pairs that exist."""
        return [_posting(doc) for doc in await find_all_ids(
            self._collection, [f"{item_id}:{term}" for item_id, term in pairs],
            projection=_POSTING)]


_POSTING = {"item_id": 1, "kind": 1, "group_id": 1, "term": 1, "weight": 1, "language": 1}


def _posting(doc: Mapping[str, Any]) -> Posting:
    return Posting(doc["item_id"], SearchKind(doc["kind"]), doc["group_id"], doc["term"],
                   doc["weight"], doc["language"])
