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


def checked_page_size(
    first: int | None, *, default: int, maximum: int, field: str = "first"
) -> int:
    if first is None:
        return default
    if not 1 <= first <= maximum:
        raise ValidationFailed(field, f"{field} must be between 1 and {maximum}")
    return first


@dataclass(frozen=True, slots=True)
class Slice[T]:
    """One page of results of a list (a `Slice`, not to be confused with a group's content
    `Page`): its items, whether more follow, and each item's cursor, made only when a query
    selects it."""

    items: list[T]
    has_next_page: bool
    position: Callable[[T], str]
    has_previous_page: bool = False

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
class Seek:
    """Where a page of a list starts: after the item at `position` (or, reading `backward`,
    before it); at the list's start (or end) when `position` is None."""

    position: str | None = None
    backward: bool = False


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a client asked for, within the API's bounds: `first` items `after` a cursor, or
    the `last` items `before` one."""

    first: int | None
    after: str | None
    default_size: int
    max_size: int
    last: int | None = None
    before: str | None = None

    @property
    def backward(self) -> bool:
        return self.last is not None or self.before is not None

    @property
    def first_page(self) -> bool:
        """Whether it asks for a list's first page: from its start, forward."""
        return self.after is None and not self.backward

    def size(self) -> int:
        if not self.backward:
            return checked_page_size(self.first, default=self.default_size,
                                     maximum=self.max_size)
        if self.first is not None:
            raise ValidationFailed("last", "ask for the first items or the last, not both")
        if self.after is not None:
            raise ValidationFailed("after", "after goes with first; with last, give before")
        return checked_page_size(self.last, default=self.default_size, maximum=self.max_size,
                                 field="last")

    def position(self, shape: Callable[[str], object] = str) -> str | None:
        """The position the cursor (`after`, or `before`) points at, or None from an end.
        `shape` parses a position of this list, raising ValueError for anything else: a
        cursor made by hand, or given out by another list, is refused here as invalid
        input."""
        field, cursor = ("before", self.before) if self.backward else ("after", self.after)
        if cursor is None:
            return None
        position = decode_cursor(cursor, field=field)
        try:
            shape(position)
        except ValueError:
            raise ValidationFailed(field, f"{field} is not a cursor of this list") from None
        return position

    def seek(self, shape: Callable[[str], object] = str) -> Seek:
        """Where the page starts, its position parsed by `shape` (see `position`)."""
        return Seek(self.position(shape), self.backward)

    def limit(self) -> int:
        """How many items to read: one more than the page holds, to tell whether more
        follow."""
        return self.size() + 1

    def sliced[T](self, read: tuple[list[T], bool], position: Callable[[T], str]) -> Slice[T]:
        """The page, from what a store read for it: the items from its start on (up to
        `limit`), and whether any lie behind its start."""
        items, behind = read
        return page_of(items, self.size(), position, backward=self.backward, behind=behind)


def page_of[T](
    items: list[T], size: int, position: Callable[[T], str], *, backward: bool = False,
    behind: bool = False,
) -> Slice[T]:
    """A page from up to `size + 1` items read from its start on (`Seek`): the extra one only
    says more follow. Read `backward`, they are turned back into the list's order. `behind`
    says whether items lie behind the page's start: before it, or after it read backward."""
    more = len(items) > size
    if backward:
        return Slice(items=items[:size][::-1], has_next_page=behind, has_previous_page=more,
                     position=position)
    return Slice(items=items[:size], has_next_page=more, has_previous_page=behind,
                 position=position)
