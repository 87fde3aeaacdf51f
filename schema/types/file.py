"""Stored files, as their owners' documents describe them."""

from typing import Any, Self

import strawberry

from resolvers.files import file_path


@strawberry.type(description="A stored file: `url` serves it (GET, with your token), under the "
                 "read rules of the post or group it belongs to.")
class StoredFile:
    id: strawberry.ID
    name: str
    content_type: str
    size: int = strawberry.field(description="Bytes, as stored (images after re-encoding).")
    width: int | None = strawberry.field(description="Pixels, for an image.")
    height: int | None
    url: str = strawberry.field(description="A path on this API: `/files/{id}`.")
    thumbnail_url: str | None = strawberry.field(
        description="An image's thumbnail, at most 320 pixels a side; null for documents.")

    @classmethod
    def of(cls, kept: dict[str, Any]) -> Self:
        thumbnail = kept.get("thumbnail_id")
        return cls(
            id=strawberry.ID(str(kept["id"])), name=kept["name"],
            content_type=kept["content_type"], size=kept["size"], width=kept.get("width"),
            height=kept.get("height"), url=file_path(kept["id"]),
            thumbnail_url=None if thumbnail is None else file_path(thumbnail),
        )
