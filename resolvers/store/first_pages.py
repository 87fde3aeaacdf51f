"""The first page of many parents' children in one command."""

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection


async def first_of_each(
    collection: AsyncCollection[Any], *, match: dict[str, Any], parent: str,
    order: dict[str, int], limit: int,
) -> list[dict[str, Any]]:
    """The first `limit` matched documents (in `order`) of each value of `parent`. `$topN`
    keeps only `limit` documents a parent while grouping (MongoDB 5.2 or later), where
    pushing every document and slicing held all of them in memory."""
    pipeline: list[dict[str, Any]] = [
        {"$match": match},
        {"$group": {"_id": f"${parent}", "docs": {
            "$topN": {"n": limit, "sortBy": order, "output": "$$ROOT"}}}},
    ]
    cursor = await collection.aggregate(pipeline)
    return [doc async for group in cursor for doc in group["docs"]]
