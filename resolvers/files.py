"""Uploads and downloads: a group's image and posts' attachments, stored in GridFS
(`resolvers.store.files`), each read under the rules of what it belongs to."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bson import ObjectId

from resolvers.domain.actors import Actor
from resolvers.domain.discussions import is_hidden, may_read, may_see_hidden
from resolvers.domain.files import (
    ATTACHMENT_TYPES,
    IMAGE_TYPES,
    MAX_ATTACHMENTS,
    SNIFFED_BYTES,
    FileProblem,
    FileRefused,
    clean_image,
    content_type_of,
    max_bytes,
)
from resolvers.domain.groups import GroupDoc
from resolvers.domain.membership import may_read_content
from resolvers.membership import role_of
from resolvers.store import Store
from resolvers.store.files import FileDoc, FileState

log = logging.getLogger("agora.files")

# A file still STORING this long after it began was left by a writer that died, or by a use
# case that was refused after storing it.
ABANDONED_AFTER = timedelta(hours=1)
READ_CHUNK = 256 * 1024


class Uploaded(Protocol):
    """A file as the multipart request brought it (Starlette's `UploadFile`)."""

    @property
    def filename(self) -> str | None: ...

    @property
    def content_type(self) -> str | None: ...

    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Received:
    """A file read in full, its type told by its content, made safe if it is an image."""

    name: str
    content_type: str
    data: bytes
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


async def receive(field: str, upload: Uploaded, allowed: frozenset[str]) -> Received:
    """Read `upload`, refusing it (`FileRefused`) as soon as its type is wrong or it passes
    its type's limit: it is never read, let alone stored, in full."""
    head = await upload.read(SNIFFED_BYTES)
    name = (upload.filename or "file").rsplit("/", 1)[-1][:200] or "file"
    content_type = content_type_of(field, head, declared=upload.content_type, name=name,
                                   allowed=allowed)
    limit = max_bytes(content_type)
    parts, size = [head], len(head)
    while size <= limit and (chunk := await upload.read(READ_CHUNK)):
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        raise FileRefused(field, FileProblem.TOO_LARGE,
                          f"{field} is larger than {limit:,} bytes", content_type)
    data = b"".join(parts)
    if content_type not in IMAGE_TYPES:
        return Received(name, content_type, data)
    image = await asyncio.to_thread(clean_image, field, data, content_type)
    return Received(name, image.content_type, image.data, image.width, image.height,
                    image.thumbnail)


async def receive_all(field: str, uploads: Sequence[Uploaded]) -> list[Received]:
    if len(uploads) > MAX_ATTACHMENTS:
        raise FileRefused(field, FileProblem.TOO_MANY,
                          f"a post has at most {MAX_ATTACHMENTS} attachments")
    return [await receive(f"{field}.{index}", upload, ATTACHMENT_TYPES)
            for index, upload in enumerate(uploads)]


def file_path(file_id: Any) -> str:
    return f"/files/{file_id}"


async def store_received(
    store: Store, received: Received, *, owner_kind: str, group_id: str, actor: Actor,
    now: datetime,
) -> dict[str, Any]:
    """Store a received file (and its thumbnail); what its owner's document keeps of it."""
    base: FileDoc = {"owner_kind": owner_kind, "owner_id": "", "group_id": group_id,
                     "uploader_id": actor.id, "created_at": now}
    main = await store.files.store(
        {**base, "name": received.name, "content_type": received.content_type,
         "width": received.width, "height": received.height}, received.data)
    kept: dict[str, Any] = {
        "id": main["_id"], "name": received.name, "content_type": received.content_type,
        "size": main["size"], "width": received.width, "height": received.height,
        "thumbnail_id": None,
    }
    if received.thumbnail is not None:
        thumbnail = await store.files.store(
            {**base, "name": f"thumbnail-{received.name}", "content_type": received.content_type,
             "thumbnail_of": main["_id"]}, received.thumbnail)
        kept["thumbnail_id"] = thumbnail["_id"]
    return kept


def ids_of(kept: Sequence[dict[str, Any]]) -> list[ObjectId]:
    return [ident for item in kept for ident in (item["id"], item.get("thumbnail_id")) if ident]


async def settle(store: Store, *, owner_id: str, kept: Sequence[dict[str, Any]],
                 stored: Sequence[dict[str, Any]]) -> None:
    """The owner's files are now `kept`: attach them; remove what the owner had before, and
    what was `stored` for it but not kept (a retried post's second upload)."""
    keep = ids_of(kept)
    await store.files.attach(keep, owner_id=owner_id)
    await store.files.discard(owner_id=owner_id, keep=keep)
    await store.files.remove([ident for ident in ids_of(stored) if ident not in keep])
    await remove_discarded(store, owner_id=owner_id)


async def remove_discarded(store: Store, *, owner_id: str) -> None:
    """Remove at once what `discard` marked for `owner_id`; the sweep retries what fails."""
    try:
        await store.files.remove(await store.files.discarded_of(owner_id=owner_id))
    except Exception:
        log.exception("files of %s are left for the sweep", owner_id)


async def sweep(store: Store, *, now: datetime, batch: int = 200) -> int:
    """Remove discarded files and abandoned uploads; how many."""
    removed = 0
    while ids := await store.files.sweepable(stored_before=now - ABANDONED_AFTER,
                                             limit=batch):
        await store.files.remove(ids)
        removed += len(ids)
        log.info("file sweep: %d removed so far", removed)
    return removed


async def readable_file(store: Store, actor: Actor | None, file_id: str) -> FileDoc | None:
    """The file `file_id` if `actor` may read it now: a group's files reach those who may
    read its content (members only, for an invite-only group); a post's, those who may read
    the post (moderators only, once it is hidden; nobody, once it is deleted)."""
    doc = await store.files.get(file_id)
    if doc is None or doc.get("state") != FileState.ATTACHED:
        return None
    group = await store.groups.get(group_id=doc["group_id"])
    if group is None:
        return None
    role = None if actor is None else await role_of(store, group, actor.id)
    if doc["owner_kind"] == "Group":
        return doc if may_read_content(actor, group, role) else None
    post = await store.posts.get(post_id=doc["owner_id"])
    if post is None or post.get("deleted_at") or not may_read(actor, group, role):
        return None
    if is_hidden(post) and not may_see_hidden(actor, group, role):
        return None
    return doc


AttachFiles = Callable[[GroupDoc], Awaitable[list[dict[str, Any]]]]
