"""The first page of many parents' children in one command, and how many each has."""

from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection


async def first_of_each[D: Mapping[str, Any]](
    collection: AsyncCollection[D], *, match: dict[str, Any], parent: str,
    order: dict[str, int], limit: int,
) -> list[D]:
    """The first `limit` matched documents (in `order`) of each value of `parent`, each
    parent's in order. Sorted by parent, then `order` (the index on both serves it), `$firstN`
    keeps only `limit` documents a parent while grouping (MongoDB 5.2 or later), where pushing
    every document and slicing held all of them in memory. `$topN`, which sorts while it
    groups, did the same more slowly on the embedded database (bench/RESULTS.md)."""
    found = await _grouped(collection, match, parent, order, limit, {})
    # Each group's `docs` are documents of the collection: `D`.
    return [doc for group in found for doc in group["docs"]]


async def counted_of_each[D: Mapping[str, Any]](
    collection: AsyncCollection[D], *, match: dict[str, Any], parent: str,
    order: dict[str, int], limit: int,
) -> dict[str, tuple[int, list[D]]]:
    """By value of `parent`: how many documents match, and the first `limit` of them, as
    `first_of_each` reads them. Parents with none are left out."""
    found = await _grouped(collection, match, parent, order, limit, {"count": {"$sum": 1}})
    return {group["_id"]: (group["count"], group["docs"]) for group in found}


async def _grouped(
    collection: AsyncCollection[Any], match: dict[str, Any], parent: str,
    order: dict[str, int], limit: int, also: dict[str, Any],
) -> list[dict[str, Any]]:
    pipeline: list[dict[str, Any]] = [
        {"$match": match},
        {"$sort": {parent: 1, **order}},
        {"$group": {"_id": f"${parent}", "docs": {"$firstN": {"n": limit, "input": "$$ROOT"}},
                    **also}},
    ]
    cursor = await collection.aggregate(pipeline)
    return [group async for group in cursor]
