"""Group content prepared before inviting members: image, welcome message, pages; and
whether a group is ready for members."""

from collections.abc import Collection
from enum import StrEnum
from urllib.parse import urlsplit

from resolvers.domain.errors import ValidationFailed
from resolvers.domain.forms import checked_text
from resolvers.domain.groups import GroupDoc

PAGE_TITLE_LENGTH = (1, 200)
PAGE_BODY_MAX = 50_000
WELCOME_LENGTH = (1, 10_000)
URL_LENGTH = 2_048
MAX_PAGES = 200


class PageKind(StrEnum):
    PAGE = "PAGE"
    WORK_PLAN = "WORK_PLAN"
    ACTIVITY = "ACTIVITY"  # e.g. an ice-breaker


class ReadinessItem(StrEnum):
    """What the guide asks an owner to prepare "antes de invitar a otros miembros"."""

    IMAGE = "IMAGE"
    WELCOME_MESSAGE = "WELCOME_MESSAGE"
    PAGES = "PAGES"  # a page of kind PAGE
    WORK_PLAN = "WORK_PLAN"  # a page of kind WORK_PLAN
    ICE_BREAKER = "ICE_BREAKER"  # a page of kind ACTIVITY
    DISCUSSION_TOPICS = "DISCUSSION_TOPICS"  # a discussion


READINESS_PAGES = {
    PageKind.PAGE: ReadinessItem.PAGES,
    PageKind.WORK_PLAN: ReadinessItem.WORK_PLAN,
    PageKind.ACTIVITY: ReadinessItem.ICE_BREAKER,
}


def readiness(
    group: GroupDoc, page_kinds: Collection[PageKind], has_discussion: bool
) -> dict[ReadinessItem, bool]:
    """Each item, in the guide's order, and whether it is done. The guide advises; nothing
    is refused for an item not done."""
    done = {
        ReadinessItem.IMAGE: bool(group.get("image_url")),
        ReadinessItem.WELCOME_MESSAGE: bool(group.get("welcome_message")),
        **{item: kind in page_kinds for kind, item in READINESS_PAGES.items()},
        ReadinessItem.DISCUSSION_TOPICS: has_discussion,
    }
    return {item: done[item] for item in ReadinessItem}


def checked_image_url(url: str) -> str:
    value = url.strip()
    parts = urlsplit(value)
    if (
        len(value) > URL_LENGTH
        or parts.scheme != "https"
        or not parts.hostname
        or any(char.isspace() for char in value)
    ):
        raise ValidationFailed("url", "the image must be an https:// URL")
    return value


def checked_page_title(title: str) -> str:
    return checked_text("title", title, PAGE_TITLE_LENGTH)


def checked_page_body(body: str) -> str:
    if len(body) > PAGE_BODY_MAX:
        raise ValidationFailed("body", f"a page body is at most {PAGE_BODY_MAX:,} characters")
    return body


def checked_welcome(message: str) -> str:
    return checked_text("message", message, WELCOME_LENGTH)


def check_room_for_page(count: int) -> None:
    if count >= MAX_PAGES:
        raise ValidationFailed("groupId", f"a group has at most {MAX_PAGES} pages")


def rank_at(ranks: list[float], position: int) -> float:
    """A rank that puts a page at 1-based `position` among pages ranked `ranks` (sorted,
    the moved page excluded); positions past the end mean the end."""
    if position < 1:
        raise ValidationFailed("position", "position starts at 1")
    index = min(position, len(ranks) + 1) - 1
    before = ranks[index - 1] if index > 0 else None
    after = ranks[index] if index < len(ranks) else None
    if before is None and after is None:
        return 1.0
    if before is None:
        assert after is not None
        return after - 1.0
    if after is None:
        return before + 1.0
    return (before + after) / 2
