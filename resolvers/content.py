"""Group content use cases: image, welcome message, and the pages of the work plan."""

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from resolvers import files
from resolvers.domain.actors import Actor
from resolvers.domain.content import (
    READINESS_PAGES,
    PageKind,
    ReadinessItem,
    check_room_for_page,
    checked_image_url,
    checked_page_body,
    checked_page_title,
    checked_welcome,
    rank_at,
    readiness,
)
from resolvers.domain.errors import NotFound, ValidationFailed
from resolvers.domain.events import EventDoc, EventKind, new_event
from resolvers.domain.files import IMAGE_TYPES
from resolvers.domain.groups import GroupDoc, require_actor
from resolvers.domain.membership import GroupRole, check_may_edit_content, may_read_content
from resolvers.domain.oversight import may_see_oversight
from resolvers.domain.paging import PageRequest, Slice
from resolvers.groups import (
    changed_group,
    existing_group,
    group_event,
    record_activity,
    visible_group,
)
from resolvers.membership import role_of
from resolvers.store import Store
from resolvers.store.pages import PageDoc


@dataclass(frozen=True, slots=True)
class PageChanges:
    title: str | None = None
    body: str | None = None
    kind: PageKind | None = None

    def fields(self) -> PageDoc:
        fields: PageDoc = {}
        if self.title is not None:
            fields["title"] = checked_page_title(self.title)
        if self.body is not None:
            fields["body"] = checked_page_body(self.body)
        if self.kind is not None:
            fields["kind"] = PageKind(self.kind).value
        return fields


@dataclass(frozen=True, slots=True)
class PositionedPage:
    doc: PageDoc
    position: int  # 1-based

    def with_position(self) -> PageDoc:
        """The page's document with its `position`, as an event carries it."""
        return {**self.doc, "position": self.position}


async def _positioned(store: Store, page: PageDoc) -> PositionedPage:
    order = [doc["_id"] for doc in await _ordered(store, page["group_id"])]
    if page["_id"] not in order:  # removed meanwhile
        raise NotFound("Page", str(page["_id"]))
    return PositionedPage(page, order.index(page["_id"]) + 1)


async def _editable_group(
    store: Store, actor: Actor | None, group_id: str, action: str
) -> tuple[Actor, GroupDoc]:
    actor = require_actor(actor)
    group = await visible_group(store, actor, group_id)
    check_may_edit_content(await role_of(store, group, actor.id), group, action)
    return actor, group


async def _touch(
    store: Store, group: GroupDoc, fields: dict[str, Any], now: datetime, event: EventDoc
) -> GroupDoc:
    """Record a content change and its event, which rides in the group's outbox (a removed
    page has no document left to carry it); content counts as activity."""
    async with store.outbox() as outbox:
        return await record_activity(store, group, now, {**fields, "updated_at": now},
                                     outbox.of(event))


async def _set_group_fields(
    store: Store, actor: Actor | None, group_id: str, action: str, fields: dict[str, Any],
    now: datetime,
) -> GroupDoc:
    actor, group = await _editable_group(store, actor, group_id, action)
    return await _changed_fields(store, actor, group, fields, now)


async def _changed_fields(
    store: Store, actor: Actor, group: GroupDoc, fields: dict[str, Any], now: datetime
) -> GroupDoc:
    event = group_event(EventKind.GROUP_UPDATED, actor,
                        changed_group(group, {**fields, "updated_at": now}), now)
    return await _touch(store, group, fields, now, event)


def _page_event(
    kind: EventKind, actor: Actor, group: GroupDoc, page: PositionedPage, now: datetime
) -> EventDoc:
    """An event about a page, carrying it as it is (or was, once removed), with its place."""
    return new_event(kind=kind, actor=actor, group=group, subject_kind="Page",
                     subject=page.with_position(), now=now)


async def group_readiness(
    *, store: Store, actor: Actor | None, viewer_role: GroupRole | None, group: GroupDoc,
) -> dict[ReadinessItem, bool] | None:
    """What the group has ready for members, item by item; None for those other than its
    owner, moderators and overseers."""
    if not may_see_oversight(actor, group, viewer_role):
        return None
    gid = str(group["_id"])
    kinds = await store.pages.kinds_present(group_id=gid, kinds=list(READINESS_PAGES))
    return readiness(group, {PageKind(kind) for kind in kinds},
                     await store.discussions.any_in(group_id=gid))


async def set_group_image(
    *, store: Store, actor: Actor | None, group_id: str, url: str | None = None,
    upload: files.Uploaded | None = None, now: datetime,
) -> GroupDoc:
    """The group's image: an https URL, or an uploaded picture stored with its thumbnail
    (re-encoded without its metadata). The image it replaces is removed."""
    if (url is None) == (upload is None):
        raise ValidationFailed("file", "give the image as a file or as a url, one of them")
    actor, group = await _editable_group(store, actor, group_id, "setGroupImage")
    stored: list[dict[str, Any]] = []
    fields: dict[str, Any]
    if upload is not None:
        received = await files.receive("file", upload, IMAGE_TYPES)
        stored.append(await files.store_received(
            store, received, owner_kind="Group", group_id=group_id, actor=actor, now=now))
        fields = {"image_url": files.file_path(stored[0]["id"]), "image_file": stored[0]}
    else:
        fields = {"image_url": checked_image_url(url or ""), "image_file": None}
    try:
        changed = await _changed_fields(store, actor, group, fields, now)
    except BaseException:
        await store.files.remove(files.ids_of(stored))
        raise
    await files.settle(store, owner_id=group_id, kept=stored, stored=stored)
    return changed


async def set_welcome_message(
    *, store: Store, actor: Actor | None, group_id: str, message: str, now: datetime
) -> GroupDoc:
    message = checked_welcome(message)
    return await _set_group_fields(store, actor, group_id, "setWelcomeMessage",
                                   {"welcome_message": message}, now)


async def _ordered(store: Store, group_id: str) -> list[PageDoc]:
    return await store.pages.ranks(group_id=group_id)


async def _rank_for(
    store: Store, group_id: str, position: int | None, moving: Any = None
) -> float:
    """A rank for `position` among the group's other pages, renumbering them first when
    repeated moves have worn the gap between two neighbours down to nothing."""
    others = [doc for doc in await _ordered(store, group_id) if doc["_id"] != moving]
    ranks = [doc["rank"] for doc in others]
    target = len(ranks) + 1 if position is None else position
    rank = rank_at(ranks, target)
    if rank in ranks:
        await store.pages.renumber(ordered_ids=[doc["_id"] for doc in others])
        rank = rank_at([float(n) for n in range(1, len(others) + 1)], target)
    return rank


async def add_page(
    *, store: Store, actor: Actor | None, group_id: str, title: str, body: str, kind: PageKind,
    position: int | None, now: datetime,
) -> PositionedPage:
    fields = PageChanges(title=title, body=body, kind=kind).fields()
    actor, group = await _editable_group(store, actor, group_id, "addPage")
    check_room_for_page(await store.pages.count(group_id=group_id))
    doc: PageDoc = {
        **fields,
        "group_id": group_id,
        "rank": await _rank_for(store, group_id, position),
        "author_id": actor.id,
        "created_at": now,
        "updated_at": now,
    }
    added = await _positioned(store, await store.pages.insert(doc=doc))
    await _touch(store, group, {}, now, _page_event(EventKind.PAGE_ADDED, actor, group, added,
                                                    now))
    return added


async def _editable_page(
    store: Store, actor: Actor | None, page_id: str, action: str
) -> tuple[Actor, PageDoc, GroupDoc]:
    page = await store.pages.get(page_id=page_id)
    if page is None:
        raise NotFound("Page", page_id)
    editor, group = await _editable_group(store, actor, page["group_id"], action)
    return editor, page, group


async def _change_page(
    store: Store, editor: Actor, group: GroupDoc, page: PageDoc, fields: PageDoc,
    kind: EventKind, now: datetime,
) -> PositionedPage:
    changed = await store.pages.update(page_id=page["_id"], fields=fields, now=now)
    if changed is None:
        raise NotFound("Page", str(page["_id"]))
    positioned = await _positioned(store, changed)
    await _touch(store, group, {}, now, _page_event(kind, editor, group, positioned, now))
    return positioned


async def update_page(
    *, store: Store, actor: Actor | None, page_id: str, changes: PageChanges, now: datetime,
) -> PositionedPage:
    fields = changes.fields()
    editor, page, group = await _editable_page(store, actor, page_id, "updatePage")
    return await _change_page(store, editor, group, page, fields, EventKind.PAGE_UPDATED, now)


async def move_page(
    *, store: Store, actor: Actor | None, page_id: str, position: int, now: datetime
) -> PositionedPage:
    editor, page, group = await _editable_page(store, actor, page_id, "movePage")
    rank = await _rank_for(store, page["group_id"], position, moving=page["_id"])
    return await _change_page(store, editor, group, page, {"rank": rank}, EventKind.PAGE_MOVED,
                              now)


async def remove_page(
    *, store: Store, actor: Actor | None, page_id: str, now: datetime
) -> GroupDoc:
    editor, page, group = await _editable_page(store, actor, page_id, "removePage")
    return await _remove(store, editor, page, group, now)


async def take_down_page(
    *, store: Store, moderator: Actor, page_id: str, group: GroupDoc, now: datetime
) -> None:
    """Remove a page on a report, for one whom the caller found to moderate `group`; a page
    removed meanwhile is left as it is."""
    page = await store.pages.get(page_id=page_id)
    if page is not None:
        with contextlib.suppress(NotFound):
            await _remove(store, moderator, page, group, now)


async def _remove(
    store: Store, actor: Actor, page: PageDoc, group: GroupDoc, now: datetime
) -> GroupDoc:
    removed = await _positioned(store, page)
    if not await store.pages.delete(page_id=page["_id"]):
        raise NotFound("Page", str(page["_id"]))
    return await _touch(store, group, {}, now, _page_event(EventKind.PAGE_REMOVED, actor,
                                                           group, removed, now))


async def list_pages(
    *, store: Store, actor: Actor | None, viewer_role: GroupRole | None, group: GroupDoc,
    page: PageRequest,
) -> Slice[PositionedPage] | None:
    """The group's pages in order, or None when `actor` (whose role in the group is
    `viewer_role`) may not read its content."""
    if not may_read_content(actor, group, viewer_role):
        return None
    order = [str(doc["_id"]) for doc in await _ordered(store, str(group["_id"]))]
    seek = page.seek()
    if seek.position is not None and seek.position not in order:
        raise ValidationFailed("before" if seek.backward else "after",
                               "that page was removed; start again from the top")
    # The places to read, from the page's start on, and whether any lie behind it.
    if seek.backward:
        end = len(order) if seek.position is None else order.index(seek.position)
        places = list(range(end - 1, max(end - page.limit(), 0) - 1, -1))
        behind = end < len(order)
    else:
        start = 0 if seek.position is None else order.index(seek.position) + 1
        places = list(range(start, min(start + page.limit(), len(order))))
        behind = start > 0
    wanted = [order[place] for place in places]
    docs = {str(doc["_id"]): doc for doc in await store.pages.get_many(page_ids=wanted)}
    items = [PositionedPage(docs[order[place]], place + 1) for place in places
             if order[place] in docs]
    return page.sliced((items, behind), lambda item: str(item.doc["_id"]))


async def get_page(*, store: Store, actor: Actor | None, page_id: str) -> PositionedPage | None:
    page = await store.pages.get(page_id=page_id)
    if page is None:
        return None
    group = await existing_group(store, page["group_id"])
    role = await role_of(store, group, actor.id) if actor else None
    if not may_read_content(actor, group, role):
        return None
    return await _positioned(store, page)

