"""The `rate_limits` collection: one counter per user, action and fixed window, shared by
every API process; expired windows are removed by a TTL index."""

from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

_MARGIN = timedelta(minutes=5)


class WindowDoc(TypedDict):
    """One user's calls of one action in one window, as stored in `rate_limits`."""

    _id: str  # the user, the action and the window
    count: int
    expires_at: datetime  # when the TTL index removes it


class RateLimitStore:
    def __init__(self, collection: AsyncCollection[Any]) -> None:
        self._collection: AsyncCollection[WindowDoc] = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("expires_at", expireAfterSeconds=0)

    async def hit(self, *, key: str, ends_at: float) -> int:
        """Count one call in window `key`; the count so far, this call included."""
        # The TTL monitor runs on the database's wall clock, whatever clock the caller uses;
        # a window document outlives its window by a margin on that clock too.
        expires_at = max(datetime.fromtimestamp(ends_at, UTC), datetime.now(UTC)) + _MARGIN
        for _ in range(2):  # a concurrent first hit may win the upsert; then just increment
            try:
                doc = await self._collection.find_one_and_update(
                    {"_id": key},
                    {"$inc": {"count": 1},
                     "$setOnInsert": {"expires_at": expires_at}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                continue
            assert doc is not None
            return int(doc["count"])
        raise RuntimeError(f"could not count rate limit window {key}")
