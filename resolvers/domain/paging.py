"""Cursor pagination: opaque cursors and bounded page sizes."""

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass

from resolvers.domain.errors import ValidationFailed

_PREFIX = "agora:"


def encode_cursor(position: str) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{position}".encode()).decode()


def decode_cursor(cursor: str, *, field: str = "after") -> str:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(_PREFIX):
        raise ValidationFailed(field, f"{field} is not a cursor this API gave out")
    return text.removeprefix(_PREFIX)


def checked_page_size(first: int | None, *, default: int, maximum: int) -> int:
    if first is None:
        return default
    if not 1 <= first <= maximum:
        raise ValidationFailed("first", f"first must be between 1 and {maximum}")
    return first


@dataclass(frozen=True, slots=True)
class Slice[T]:
    """One page of results of a list (a `Slice`, not to be confused with a group's content
    `Page`): its items, whether more follow, and each item's cursor, made only when a query
    selects it."""

    items: list[T]
    has_next_page: bool
    position: Callable[[T], str]

    def cursor(self, item: T) -> str:
        return encode_cursor(self.position(item))

    @property
    def start_cursor(self) -> str | None:
        return self.cursor(self.items[0]) if self.items else None

    @property
    def end_cursor(self) -> str | None:
        """The cursor to ask for the next page `after`; None if the page is empty."""
        return self.cursor(self.items[-1]) if self.items else None


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a client asked for: `first` items `after` a cursor, within the API's bounds."""

    first: int | None
    after: str | None
    default_size: int
    max_size: int

    def size(self) -> int:
        return checked_page_size(self.first, default=self.default_size, maximum=self.max_size)

    def position(self, shape: Callable[[str], object] = str) -> str | None:
        """The position the `after` cursor points at, or None for the first page. `shape`
        parses a position of this list, raising ValueError for anything else: a cursor
        made by hand, or given out by another list, is refused here as invalid input."""
        if self.after is None:
            return None
        position = decode_cursor(self.after)
        try:
            shape(position)
        except ValueError:
            raise ValidationFailed("after", "after is not a cursor of this list") from None
        return position


def page_of[T](items: list[T], size: int, position: Callable[[T], str]) -> Slice[T]:
    """A page from up to `size + 1` items fetched in order: the extra one only says more
    follow."""
    return Slice(items=items[:size], has_next_page=len(items) > size, position=position)
