"""Uploads through the GraphQL multipart request, stored in GridFS, served at /files/{id}
under the read rules of what they belong to; refused files leave nothing behind."""

import io
import json
import struct
import zipfile
import zlib
from datetime import timedelta
from typing import Any

import pytest
from bson import ObjectId
from PIL import Image
from strawberry import relay

from api.app import build_app
from api.files import byte_range
from resolvers import discussions, files, membership, moderation
from resolvers.domain.files import MAX_IMAGE_BYTES
from resolvers.domain.groups import Participation
from resolvers.domain.rate_limits import RateLimits
from resolvers.store.files import FileState
from tests.conftest import actor
from tests.support import LifespanApp, active_group

OWNER = actor("olga")
MEMBER = actor("mia")

SET_IMAGE = """mutation($file: Upload, $url: String, $gid: ID!) {
  setGroupImage(input: {groupId: $gid, file: $file, url: $url}) {
    __typename
    ... on Group { imageUrl image { id url thumbnailUrl contentType width height size } }
    ... on FileRefusedError { field problem detectedType }
    ... on Error { message }
  } }"""
ADD_POST = """mutation($files: [Upload!], $did: ID!) {
  addPost(input: {discussionId: $did, body: "The worksheets", attachments: $files}) {
    __typename
    ... on Post { id attachments { name contentType size url thumbnailUrl } }
    ... on FileRefusedError { field problem detectedType }
    ... on Error { message }
  } }"""


def photo(size: tuple[int, int] = (1200, 800), image_format: str = "JPEG") -> bytes:
    """A picture as a phone takes it: with a GPS position and the camera's serial."""
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0xA431] = "SERIAL-123456"
    exif[0x8825] = {1: "N", 2: (40.0, 26.0, 46.0), 3: "W", 4: (3.0, 42.0, 10.0)}
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, image_format, exif=exif.tobytes())
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def png_claiming(width: int, height: int, pixels: bytes = b"\0" * 4) -> bytes:
    """A tiny PNG whose header claims `width` by `height` pixels, holding `pixels`."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b""))


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def upload(http, headers, query: str, variables: dict[str, Any],
                 uploads: dict[str, tuple[str, tuple[str, bytes, str]]]) -> Any:
    """The GraphQL multipart request: `uploads` maps each variable path to its file."""
    if not uploads:
        response = await http.post("/graphql", headers=headers,
                                   json={"query": query, "variables": variables})
        return response.json()
    names = {str(index): path for index, path in enumerate(uploads)}
    response = await http.post("/graphql", headers=headers, data={
        "operations": json.dumps({"query": query, "variables": variables}),
        "map": json.dumps({name: [path] for name, path in names.items()}),
    }, files={name: uploads[path][1] for name, path in names.items()})
    assert response.status_code == 200, response.text
    return response.json()


async def stored_files(store) -> tuple[int, int, int]:
    """Records, GridFS files and GridFS chunks."""
    db = store.db
    return (await db["uploads"].count_documents({}), await db["files.files"].count_documents({}),
            await db["files.chunks"].count_documents({}))


@pytest.fixture
async def group(store, clock):
    doc = await active_group(store, clock(), OWNER)
    await membership.join_group(store=store, actor=MEMBER, group_id=str(doc["_id"]),
                                now=clock())
    return doc


def gid(group) -> str:
    return relay.to_base64("Group", str(group["_id"]))


async def set_image(client, tokens, group, data: bytes, name="photo.jpg",
                    content_type="image/jpeg", who="olga") -> dict[str, Any]:
    body = await upload(client, tokens.headers(who), SET_IMAGE,
                        {"file": None, "gid": gid(group)},
                        {"variables.file": ("file", (name, data, content_type))})
    return body["data"]["setGroupImage"]


async def test_a_group_image_is_stored_without_its_metadata_with_a_thumbnail(
    client, tokens, store, group
):
    image = await set_image(client, tokens, group, photo())
    assert image["__typename"] == "Group", image
    assert image["image"]["contentType"] == "image/jpeg"
    assert (image["image"]["width"], image["image"]["height"]) == (1200, 800)
    assert image["imageUrl"] == image["image"]["url"]

    answer = await client.get(image["imageUrl"], headers=tokens.headers("tom"))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/jpeg"
    assert b"SERIAL-123456" not in answer.content and b"CameraMaker" not in answer.content
    kept = Image.open(io.BytesIO(answer.content))
    assert dict(kept.getexif()) == {} and kept.size == (1200, 800)
    assert int(answer.headers["content-length"]) == image["image"]["size"]
    assert answer.headers["cache-control"] == "private, no-cache"
    assert answer.headers["x-content-type-options"] == "nosniff"

    thumbnail = await client.get(image["image"]["thumbnailUrl"], headers=tokens.headers("tom"))
    assert Image.open(io.BytesIO(thumbnail.content)).size == (320, 213)

    # Unchanged since: 304, by its ETag. A range: 206 with those bytes.
    etag = answer.headers["etag"]
    again = await client.get(image["imageUrl"],
                             headers={**tokens.headers("tom"), "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    part = await client.get(image["imageUrl"],
                            headers={**tokens.headers("tom"), "Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == answer.content[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(answer.content)}"
    tail = await client.get(image["imageUrl"],
                            headers={**tokens.headers("tom"), "Range": "bytes=-5"})
    assert tail.content == answer.content[-5:]
    beyond = await client.get(image["imageUrl"],
                              headers={**tokens.headers("tom"), "Range": "bytes=999999-"})
    assert beyond.status_code == 416
    head = await client.head(image["imageUrl"], headers=tokens.headers("tom"))
    assert head.status_code == 200 and head.headers["etag"] == etag

    # A new image replaces it: the old one and its thumbnail are gone.
    png = await set_image(client, tokens, group, photo(image_format="PNG"), "p.png",
                          "image/png")
    assert png["image"]["contentType"] == "image/png"
    gone = await client.get(image["imageUrl"], headers=tokens.headers("tom"))
    assert gone.status_code == 404
    assert await stored_files(store) == (2, 2, 2)
    # So does an image given by URL.
    by_url = await upload(client, tokens.headers("olga"), SET_IMAGE,
                          {"file": None, "url": "https://example.org/a.png", "gid": gid(group)},
                          {})
    assert by_url["data"]["setGroupImage"]["image"] is None
    assert await stored_files(store) == (0, 0, 0)


@pytest.mark.parametrize(("data", "name", "declared", "problem"), [
    (PDF, "photo.jpg", "image/jpeg", "TYPE_NOT_ALLOWED"),  # a PDF is no image
    (photo(image_format="PNG"), "photo.jpg", "image/png", "CONTENT_MISMATCH"),
    (photo(), "photo.jpg", "image/png", "CONTENT_MISMATCH"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 100, "broken.jpg", "image/jpeg", "UNREADABLE"),
    (b"\x89PNG\r\n\x1a\n" + bytes(MAX_IMAGE_BYTES), "huge.png", "image/png", "TOO_LARGE"),
    (png_claiming(8_000, 8_000), "bomb.png", "image/png", "TOO_LARGE"),  # 64 M pixels
    (png_claiming(20_000, 20_000), "bomb.png", "image/png", "TOO_LARGE"),  # past Pillow's own
    (png_claiming(3, 3), "short.png", "image/png", "UNREADABLE"),  # its pixels are missing
])
async def test_a_refused_image_is_a_typed_error_and_leaves_nothing(
    client, tokens, store, group, data, name, declared, problem
):
    refused = await set_image(client, tokens, group, data, name, declared)
    assert refused["__typename"] == "FileRefusedError", refused
    assert (refused["field"], refused["problem"]) == ("file", problem)
    assert await stored_files(store) == (0, 0, 0)
    fresh = await store.groups.get(group_id=str(group["_id"]))
    assert fresh.get("image_url") is None


async def test_only_the_group_s_editors_set_its_image_and_nothing_is_kept_otherwise(
    client, tokens, store, group
):
    refused = await set_image(client, tokens, group, photo(), who="mia")  # a member
    assert refused["__typename"] == "ForbiddenError"
    assert await stored_files(store) == (0, 0, 0)
    # A file given in a JSON request is no upload.
    response = await client.post("/graphql", headers=tokens.headers("olga"), json={
        "query": SET_IMAGE, "variables": {"file": "photo.jpg", "gid": gid(group)}})
    assert response.json()["data"]["setGroupImage"]["__typename"] == "ValidationError"


async def test_a_multipart_post_needs_a_token_and_stays_within_its_size(client, tokens, group):
    # Without an Authorization header, a multipart POST is what any web page could send.
    response = await client.post("/graphql", data={"operations": "{}", "map": "{}"},
                                 files={"0": ("a", b"a", "text/plain")})
    assert response.status_code == 415
    response = await client.post(
        "/graphql", headers={**tokens.headers("olga"), "Content-Length": str(10 ** 9),
                             "Content-Type": "multipart/form-data; boundary=x"},
        content=b"--x--")
    assert response.status_code == 413


async def discussion_of(store, clock, group) -> str:
    doc = await discussions.start_discussion(
        store=store, actor=MEMBER, group_id=str(group["_id"]), title="Worksheets",
        body="Share them here", now=clock(), limits=RateLimits({}))
    return relay.to_base64("Discussion", str(doc["_id"]))


async def attach(client, tokens, did: str, uploads: list[tuple[str, bytes, str]],
                 who="mia") -> dict[str, Any]:
    body = await upload(client, tokens.headers(who), ADD_POST,
                        {"files": [None] * len(uploads), "did": did},
                        {f"variables.files.{index}": ("f", item)
                         for index, item in enumerate(uploads)})
    return body["data"]["addPost"]


async def test_attachments_reach_whoever_may_read_the_post(client, tokens, store, clock, group):
    did = await discussion_of(store, clock, group)
    post = await attach(client, tokens, did, [
        ("fractions.pdf", PDF, "application/pdf"),
        ("plan.docx", docx(), "application/octet-stream"),  # the content says what it is
        ("class.jpg", photo(), "image/jpeg"),
    ])
    assert post["__typename"] == "Post", post
    kinds = [(item["name"], item["contentType"]) for item in post["attachments"]]
    assert kinds == [
        ("fractions.pdf", "application/pdf"),
        ("plan.docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("class.jpg", "image/jpeg"),
    ]
    pdf_url = post["attachments"][0]["url"]
    photo_url = post["attachments"][2]["url"]
    answer = await client.get(pdf_url, headers=tokens.headers("tom"))  # an open group
    assert answer.status_code == 200 and answer.content == PDF
    assert answer.headers["content-disposition"] == 'attachment; filename="fractions.pdf"'
    assert (await client.get(pdf_url)).status_code == 404  # signed out

    # Hidden: moderators only.
    post_id = relay.from_base64(post["id"])[1]
    await moderation.hide_post(store=store, actor=OWNER, post_id=post_id, reason="Check",
                               now=clock())
    assert (await client.get(pdf_url, headers=tokens.headers("tom"))).status_code == 404
    assert (await client.get(pdf_url, headers=tokens.headers("olga"))).status_code == 200
    await moderation.restore_post(store=store, actor=OWNER, post_id=post_id, reason="Fine",
                                  now=clock())
    assert (await client.get(pdf_url, headers=tokens.headers("tom"))).status_code == 200

    # Deleted: its files are removed.
    await discussions.delete_post(store=store, actor=MEMBER, post_id=post_id, now=clock())
    for url in (pdf_url, photo_url):
        assert (await client.get(url, headers=tokens.headers("olga"))).status_code == 404
    assert await stored_files(store) == (0, 0, 0)


async def test_files_of_an_invite_only_group_reach_its_members_only(
    client, tokens, store, clock
):
    group = await active_group(store, clock(), OWNER, participation=Participation.INVITE_ONLY)
    image = await set_image(client, tokens, group, photo())
    url = image["imageUrl"]
    assert (await client.get(url, headers=tokens.headers("tom"))).status_code == 404
    assert (await client.get(url, headers=tokens.headers("olga"))).status_code == 200
    await store.memberships.add(group_id=str(group["_id"]), user_id="tom", role="MEMBER",
                                now=clock())
    assert (await client.get(url, headers=tokens.headers("tom"))).status_code == 200
    assert (await client.get("/files/nonsense", headers=tokens.headers("tom"))
            ).status_code == 404


async def test_a_refused_attachment_refuses_the_post_and_keeps_nothing(
    client, tokens, store, clock, group
):
    did = await discussion_of(store, clock, group)
    before = await store.posts._collection.count_documents({})
    refused = await attach(client, tokens, did, [
        ("fine.pdf", PDF, "application/pdf"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "application/pdf"),
    ])
    assert (refused["__typename"], refused["field"], refused["problem"]) == (
        "FileRefusedError", "attachments.1", "TYPE_NOT_ALLOWED")
    too_many = await attach(client, tokens, did, [("a.pdf", PDF, "application/pdf")] * 6)
    assert too_many["problem"] == "TOO_MANY"
    # A post the caller may not write stores nothing either.
    outsider = await attach(client, tokens, did, [("a.pdf", PDF, "application/pdf")], who="tom")
    assert outsider["__typename"] == "ForbiddenError"
    assert await store.posts._collection.count_documents({}) == before
    assert await stored_files(store) == (0, 0, 0)


async def test_an_upload_cut_off_half_way_is_swept(store, clock):
    """A writer that dies while storing leaves a STORING record and some chunks: the sweep
    removes both once they are an hour old, and leaves files in use alone."""
    record = {"_id": ObjectId(), "state": FileState.STORING.value, "owner_kind": "Post",
              "owner_id": "", "group_id": "g", "created_at": clock()}
    await store.db["uploads"].insert_one(record)
    # Two chunks written, then the process died: GridFS never recorded the file.
    await store.db["files.chunks"].insert_many([
        {"files_id": record["_id"], "n": n, "data": b"x" * 1024} for n in range(2)])
    assert (await stored_files(store))[2] == 2
    in_use = await store.files.store({"owner_kind": "Post", "owner_id": "p", "group_id": "g",
                                      "name": "a.pdf", "content_type": "application/pdf",
                                      "created_at": clock()}, PDF)
    await store.files.attach([in_use["_id"]], owner_id="p")

    assert await files.sweep(store, now=clock() + timedelta(minutes=30)) == 0
    assert await files.sweep(store, now=clock() + timedelta(hours=2)) == 1
    assert await stored_files(store) == (1, 1, 1)
    assert (await store.files.get(str(in_use["_id"])))["state"] == "ATTACHED"


@pytest.mark.parametrize(("header", "size", "expected"), [
    (None, 100, None),
    ("bytes=0-9", 100, (0, 9)),
    ("bytes=90-", 100, (90, 99)),
    ("bytes=-10", 100, (90, 99)),
    ("bytes=-1000", 100, (0, 99)),
    ("bytes=50-1000", 100, (50, 99)),
    ("bytes=0-1,5-6", 100, None),  # several ranges: the whole file
    ("items=0-1", 100, None),
])
def test_byte_ranges(header, size, expected):
    assert byte_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=5-2", "bytes=-0"])
def test_byte_ranges_outside_the_file(header):
    with pytest.raises(ValueError):
        byte_range(header, 100)


async def test_an_upload_whose_client_leaves_half_way_stores_nothing(
    settings, store, clock, tokens, group
):
    """The client sends the headers and half of a multipart body, then leaves: the request
    never reaches the use case, and nothing is stored."""
    data = photo()
    boundary = "cut"
    operations = json.dumps({"query": SET_IMAGE, "variables": {"file": None, "gid": gid(group)}})
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
            f'{operations}\r\n--{boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n'
            f'{{"0": ["variables.file"]}}\r\n--{boundary}\r\nContent-Disposition: form-data; '
            f'name="0"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n').encode() + data
    half = body[:len(body) - len(data) // 2]
    messages = [{"type": "http.request", "body": half, "more_body": True},
                {"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
               (b"content-length", str(len(body)).encode()),
               (b"authorization", tokens.headers("olga")["Authorization"].encode())]
    async with LifespanApp(build_app(settings, clock=clock)) as app:
        await app({"type": "http", "method": "POST", "path": "/graphql", "raw_path": b"/graphql",
                   "query_string": b"", "headers": headers, "scheme": "http",
                   "server": ("agora.test", 80), "client": ("127.0.0.1", 1), "root_path": "",
                   "http_version": "1.1", "asgi": {"version": "3.0"}}, receive, send)
    assert await stored_files(store) == (0, 0, 0)
    fresh = await store.groups.get(group_id=str(group["_id"]))
    assert fresh.get("image_url") is None
