"""Inserting documents whose `_id`s say what they are, so that writing them twice (two
processes, a retry) stores them once."""

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

DUPLICATE_KEY = 11000


async def insert_new(collection: AsyncCollection[Any], docs: Sequence[Any]) -> int:
    """Insert those of `docs` not stored yet; how many were."""
    if not docs:
        return 0
    try:
        result = await collection.insert_many(docs, ordered=False)
    except BulkWriteError as failed:
        if any(error["code"] != DUPLICATE_KEY for error in failed.details["writeErrors"]):
            raise
        return int(failed.details["nInserted"])
    return len(result.inserted_ids)
