"""Files in GridFS (`files.files`, `files.chunks`), and what Agora knows of each (`uploads`):
whose it is, its type, its digest, and whether anything uses it yet.

A record is written before its bytes, as STORING; the use case that stored them marks it
ATTACHED once the group or post names it. A record that never got there (the writer died,
its use case was refused) is swept with its bytes, as are DISCARDED ones: what a deleted post
or a replaced image leaves.
"""

import hashlib
import io
from collections.abc import AsyncIterator
from datetime import datetime
from enum import StrEnum
from typing import Any, TypedDict

from bson import ObjectId
from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo import IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from resolvers.store.groups import object_id

BUCKET = "files"
CHUNK_BYTES = 255 * 1024


class FileState(StrEnum):
    STORING = "STORING"
    ATTACHED = "ATTACHED"
    DISCARDED = "DISCARDED"


class FileDoc(TypedDict, total=False):
    _id: ObjectId
    state: str
    owner_kind: str  # "Group" (its image) or "Post" (an attachment)
    owner_id: str
    group_id: str
    name: str
    content_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    thumbnail_of: ObjectId | None  # for a thumbnail, the image it shows
    uploader_id: str
    created_at: datetime


class FileStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name=BUCKET, chunk_size_bytes=CHUNK_BYTES)
        self._records: AsyncCollection[FileDoc] = db["uploads"]

    async def ensure_indexes(self) -> None:
        await self._records.create_indexes([
            IndexModel([("owner_id", 1), ("state", 1)]),
            IndexModel([("state", 1), ("created_at", 1)]),
        ])

    async def store(self, doc: FileDoc, data: bytes) -> FileDoc:
        """Record the file as STORING, then store its bytes; on any failure, neither stays
        (and a process that dies meanwhile leaves what `sweep` removes)."""
        doc = {**doc, "_id": doc.get("_id") or ObjectId(), "state": FileState.STORING.value,
               "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        await self._records.insert_one(doc)
        try:
            await self._bucket.upload_from_stream_with_id(
                doc["_id"], doc.get("name") or "file", io.BytesIO(data),
                metadata={"content_type": doc["content_type"]})
        except BaseException:
            await self.remove([doc["_id"]])
            raise
        return doc

    async def get(self, file_id: str) -> FileDoc | None:
        oid = object_id(file_id)
        return None if oid is None else await self._records.find_one({"_id": oid})

    async def attach(self, ids: list[ObjectId], *, owner_id: str) -> None:
        await self._records.update_many(
            {"_id": {"$in": ids}},
            {"$set": {"state": FileState.ATTACHED.value, "owner_id": owner_id}})

    async def discard(self, *, owner_id: str, keep: list[ObjectId] | None = None) -> None:
        """Mark the files of `owner_id` (but those of `keep`) for removal."""
        query: dict[str, Any] = {"owner_id": owner_id, "state": FileState.ATTACHED.value}
        if keep:
            query["_id"] = {"$nin": keep}
        await self._records.update_many(query, {"$set": {"state": FileState.DISCARDED.value}})

    async def discarded_of(self, *, owner_id: str) -> list[ObjectId]:
        return [doc["_id"] for doc in await self._records.find(
            {"owner_id": owner_id, "state": FileState.DISCARDED.value}, {"_id": 1}).to_list()]

    async def remove(self, ids: list[ObjectId]) -> None:
        """Delete the files `ids`: their bytes (all that was written of them), then their
        records."""
        for ident in ids:
            try:
                await self._bucket.delete(ident)
            except NoFile:  # cut off before GridFS recorded it: its chunks are gone now
                pass
        if ids:
            await self._records.delete_many({"_id": {"$in": ids}})

    async def sweepable(self, *, stored_before: datetime, limit: int) -> list[ObjectId]:
        """Files to remove: discarded ones, and those left STORING since `stored_before`."""
        found = await self._records.find(
            {"state": FileState.DISCARDED.value}, {"_id": 1}).limit(limit).to_list()
        found += await self._records.find(
            {"state": FileState.STORING.value, "created_at": {"$lt": stored_before}},
            {"_id": 1}).limit(limit).to_list()
        return [doc["_id"] for doc in found]

    async def read(self, file_id: ObjectId, *, start: int, length: int,
                   chunk: int = CHUNK_BYTES) -> AsyncIterator[bytes]:
        """`length` bytes of the file from `start`, a chunk at a time."""
        stream = await self._bucket.open_download_stream(file_id)
        try:
            await stream.seek(start)
            left = length
            while left > 0:
                data = await stream.read(min(chunk, left))
                if not data:
                    return
                left -= len(data)
                yield data
        finally:
            await stream.close()
