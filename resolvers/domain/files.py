"""Uploaded files: which kinds are accepted, told by their content (not their name); how big
they may be; and images made safe to share.

An image is decoded and encoded again from its pixels alone, turned upright first: nothing of
the original file survives but the picture, so no GPS position, camera serial or other
metadata reaches anyone. Each image also gets a thumbnail.
"""

import io
import mimetypes
import warnings
from dataclasses import dataclass
from enum import StrEnum

import filetype
from PIL import Image, ImageOps

from resolvers.domain.errors import DomainError

IMAGE_FORMATS = {  # what an image is kept as: its format for Pillow
    "image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "PNG",
}
DOCUMENT_TYPES = frozenset({
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
})
IMAGE_TYPES = frozenset(IMAGE_FORMATS)
ATTACHMENT_TYPES = IMAGE_TYPES | DOCUMENT_TYPES
MAX_IMAGE_BYTES = 8_000_000
MAX_DOCUMENT_BYTES = 16_000_000
MAX_ATTACHMENTS = 5
# Larger pictures than this are refused rather than decoded (a small file can claim huge
# dimensions and exhaust memory).
MAX_PIXELS = 40_000_000
THUMBNAIL_SIZE = (320, 320)
SNIFFED_BYTES = 65_536  # what is read of a file to tell its type
# Types a client may declare for any file: they say nothing about it.
UNSAID = frozenset({"", "application/octet-stream", "binary/octet-stream"})


class FileProblem(StrEnum):
    TOO_LARGE = "TOO_LARGE"
    TYPE_NOT_ALLOWED = "TYPE_NOT_ALLOWED"
    CONTENT_MISMATCH = "CONTENT_MISMATCH"
    UNREADABLE = "UNREADABLE"
    TOO_MANY = "TOO_MANY"


class FileRefused(DomainError):
    def __init__(self, field: str, problem: FileProblem, message: str,
                 detected_type: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.problem = problem
        self.detected_type = detected_type


def max_bytes(content_type: str) -> int:
    return MAX_IMAGE_BYTES if content_type in IMAGE_TYPES else MAX_DOCUMENT_BYTES


def _readable(allowed: frozenset[str]) -> str:
    names = sorted({(mimetypes.guess_extension(kind) or kind).lstrip(".") for kind in allowed})
    return ", ".join(names)


def content_type_of(field: str, head: bytes, *, declared: str | None, name: str | None,
                    allowed: frozenset[str]) -> str:
    """The type `head` (a file's first bytes) shows, if `allowed`, and if neither the type
    the client declared nor the file's name says otherwise."""
    guess = filetype.guess(head)
    detected = None if guess is None else str(guess.mime)
    if detected not in allowed:
        raise FileRefused(field, FileProblem.TYPE_NOT_ALLOWED,
                          f"{field} must be one of: {_readable(allowed)}", detected)
    said = (declared or "").split(";")[0].strip().lower()
    by_name = mimetypes.guess_type(name or "", strict=False)[0]
    for claim in (said, by_name):
        if claim and claim not in UNSAID and claim != detected:
            raise FileRefused(field, FileProblem.CONTENT_MISMATCH,
                              f"{field} says it is {claim} but its content is {detected}",
                              detected)
    return detected


@dataclass(frozen=True, slots=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int
    thumbnail: bytes


def _encoded(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=88, optimize=True)
    else:
        image.save(out, image_format)
    return out.getvalue()


def _too_many_pixels(field: str, content_type: str) -> FileRefused:
    return FileRefused(field, FileProblem.TOO_LARGE,
                       f"{field} has more than {MAX_PIXELS:,} pixels", content_type)


def _unreadable(field: str, error: Exception, content_type: str) -> FileRefused:
    return FileRefused(field, FileProblem.UNREADABLE,
                       f"{field} is not a readable image ({type(error).__name__})", content_type)


def clean_image(field: str, data: bytes, content_type: str) -> CleanImage:
    """`data` encoded again from its pixels alone, upright, with a thumbnail. CPU-bound: run
    it in a thread."""
    image_format = IMAGE_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            # Pillow warns of a picture past its own bound: refused here, as a bomb.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(field, content_type) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise _unreadable(field, error, content_type) from None
    with opened:
        # Its header says how big it is; nothing is decoded before this.
        if opened.width * opened.height > MAX_PIXELS:
            raise _too_many_pixels(field, content_type)
        try:
            upright = ImageOps.exif_transpose(opened)
            mode = "RGB" if image_format == "JPEG" else (
                "RGBA" if "A" in upright.getbands() or "transparency" in upright.info
                else "RGB")
            converted = upright.convert(mode)
        except (OSError, SyntaxError, ValueError) as error:
            raise _unreadable(field, error, content_type) from None
    # Only the pixels: a new image carries none of the file's metadata.
    pixels = Image.frombytes(mode, converted.size, converted.tobytes())
    thumbnail = pixels.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    kept_type = "image/png" if content_type == "image/gif" else content_type
    return CleanImage(_encoded(pixels, image_format), kept_type, pixels.width, pixels.height,
                      _encoded(thumbnail, image_format))
