"""Discussion and post use cases: start, post, reply, edit, delete, and read threads."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId

from resolvers import files, netiquette, rate_limits, reading
from resolvers.domain.actors import Actor
from resolvers.domain.discussions import (
    VERSIONS_KEPT,
    DiscussionDoc,
    PostDoc,
    check_may_delete_post,
    check_may_edit_post,
    check_may_post,
    check_may_write,
    check_reply_target,
    checked_body,
    checked_client_mutation_id,
    checked_title,
    is_hidden,
    may_read,
    may_see_hidden,
)
from resolvers.domain.errors import NotFound, ValidationFailed
from resolvers.domain.events import EventDoc, EventKind, new_event
from resolvers.domain.groups import GroupDoc, require_actor
from resolvers.domain.handles import mentioned
from resolvers.domain.membership import GroupRole
from resolvers.domain.paging import PageRequest, Slice
from resolvers.domain.rate_limits import RateLimits
from resolvers.files import AttachFiles
from resolvers.groups import existing_group, record_activity, visible_group
from resolvers.membership import role_of
from resolvers.store import Store
from resolvers.store.discussions import parse_position, position_of
from resolvers.store.groups import position_id
from resolvers.store.outbox import Outbox


def post_event(
    kind: EventKind, actor: Actor, group: GroupDoc, post: PostDoc, now: datetime
) -> EventDoc:
    return new_event(kind=kind, actor=actor, group=group, subject_kind="Post", subject=post,
                     now=now, extra={"discussion_id": post["discussion_id"]})


async def _insert_post(
    store: Store, outbox: Outbox, actor: Actor, group: GroupDoc, post: PostDoc, now: datetime
) -> tuple[PostDoc, bool]:
    """Insert a post with its POST_ADDED event; the post, and whether it is new (a retry
    finds the one it made before)."""
    post["_id"] = ObjectId()
    event = post_event(EventKind.POST_ADDED, actor, group, post, now)
    return await store.posts.insert(doc=post, events=outbox.of(event))


async def _mentions(store: Store, actor: Actor, group: GroupDoc, body: str) -> list[str]:
    """The members of the group whom `body` mentions by handle: anyone else is not told,
    and nothing about them is kept."""
    users = await store.users.by_handles(handles=mentioned(body))
    named = [user["_id"] for user in users if user["_id"] != actor.id]
    if not named:
        return []
    members = await store.memberships.members_among(group_id=str(group["_id"]),
                                                    user_ids=named)
    return [user_id for user_id in named if user_id in members]


def _new_post(
    actor: Actor, discussion: DiscussionDoc, body: str, reply_to: PostDoc | None, now: datetime,
    client_mutation_id: str | None, mentions: list[str],
) -> PostDoc:
    post: PostDoc = {
        "discussion_id": str(discussion["_id"]),
        "group_id": discussion["group_id"],
        "author_id": actor.id,
        "body": body,
        "reply_to_id": None if reply_to is None else str(reply_to["_id"]),
        # Whom a reply notifies, read once as it is written.
        "reply_to_author_id": None if reply_to is None else reply_to["author_id"],
        "mentions": mentions,  # members named by handle, resolved as it is written
        "created_at": now,
        "edited_at": None,
        "versions": [],
        "hidden": None,
        "deleted_at": None,
    }
    if client_mutation_id is not None:
        post["client_key"] = _client_key(actor, client_mutation_id)
    return post


def _client_key(actor: Actor, client_mutation_id: str) -> str:
    """The key of one author's `clientMutationId`: no two (author, value) pairs share it."""
    return json.dumps([actor.id, client_mutation_id])


def _retried(post: PostDoc, discussion: DiscussionDoc) -> PostDoc:
    """The post a retry returns: only one made in the same discussion."""
    if post["discussion_id"] != str(discussion["_id"]):
        raise ValidationFailed("clientMutationId",
                               "This clientMutationId was used for a post in another discussion")
    return post


async def start_discussion(
    *, store: Store, actor: Actor | None, group_id: str, title: str, body: str, now: datetime,
    limits: RateLimits,
) -> DiscussionDoc:
    """A member opens a discussion with its first post."""
    actor = require_actor(actor)
    title, body = checked_title(title), checked_body(body)
    group = await visible_group(store, actor, group_id)
    check_may_write(group, await role_of(store, group, actor.id), "startDiscussion")
    await netiquette.check_may_post(store, actor)
    await rate_limits.spend(store, limits, actor, "startDiscussion", now)
    mentions = await _mentions(store, actor, group, body)
    doc: DiscussionDoc = {
        "_id": ObjectId(), "group_id": group_id, "title": title, "author_id": actor.id,
        "created_at": now, "updated_at": now, "last_post_at": now, "post_count": 1,
        "published_count": 1, "pinned": False, "locked": False,
    }
    event = new_event(kind=EventKind.DISCUSSION_STARTED, actor=actor, group=group,
                      subject_kind="Discussion", subject=doc, now=now)
    # The events are committed last: a writer that dies before leaves them in outboxes, and
    # recovery then makes the discussion's count exact.
    async with store.outbox() as outbox:
        discussion = await store.discussions.insert(doc=doc, events=outbox.of(event))
        post, _ = await _insert_post(
            store, outbox, actor, group,
            _new_post(actor, discussion, body, None, now, None, mentions), now)
        await record_activity(store, group, now, counts=ONE_MORE_POST)
    await _written_by(store, actor, discussion, post, 1, now)
    return discussion


# What each new post adds to its group's counters.
ONE_MORE_POST = {"published_post_count": 1}


async def _written_by(
    store: Store, actor: Actor, discussion: DiscussionDoc, post: PostDoc, published: int,
    now: datetime,
) -> None:
    """Who writes in a discussion (its `published`-th published post) has read it up to
    what they wrote, and follows it."""
    await reading.wrote(store, actor.id, discussion, post, published, now)
    await _follow(store, actor, discussion, now)


async def _follow(store: Store, actor: Actor, discussion: DiscussionDoc, now: datetime) -> None:
    """Who starts a discussion or posts in it follows it, unless they muted it."""
    await store.follows.set(discussion_id=str(discussion["_id"]),
                            group_id=discussion["group_id"], user_id=actor.id, muted=False,
                            now=now, keep_muted=True)


async def existing_discussion(store: Store, discussion_id: str) -> DiscussionDoc:
    discussion = await store.discussions.get(discussion_id=discussion_id)
    if discussion is None:
        raise NotFound("Discussion", discussion_id)
    return discussion


async def readable_group(
    store: Store, actor: Actor, group_id: str, kind: str, ident: str
) -> tuple[GroupDoc, GroupRole | None]:
    """The group and `actor`'s role in it; NotFound if `actor` may not read it."""
    group = await existing_group(store, group_id)
    role = await role_of(store, group, actor.id)
    if not may_read(actor, group, role):
        raise NotFound(kind, ident)
    return group, role


async def add_post(
    *, store: Store, actor: Actor | None, discussion_id: str, body: str,
    reply_to_id: str | None, client_mutation_id: str | None, now: datetime, limits: RateLimits,
    attach: AttachFiles | None = None,
) -> PostDoc:
    """A member posts; retrying with the same `client_mutation_id` returns the same post.
    `attach` stores the post's attachments, once everything else allows the post."""
    actor = require_actor(actor)
    body, client_mutation_id = checked_body(body), checked_client_mutation_id(client_mutation_id)
    discussion = await existing_discussion(store, discussion_id)
    group, role = await readable_group(store, actor, discussion["group_id"], "Discussion",
                                  discussion_id)
    check_may_post(group, role, discussion)
    reply_to = None
    if reply_to_id is not None:
        reply_to = await store.posts.get(post_id=reply_to_id)
        check_reply_target(discussion, reply_to)
    if client_mutation_id is not None:
        retried = await store.posts.find_by_client_key(key=_client_key(actor, client_mutation_id))
        if retried is not None:
            return _retried(retried, discussion)
    await netiquette.check_may_post(store, actor)
    await rate_limits.spend(store, limits, actor, "addPost", now)
    mentions = await _mentions(store, actor, group, body)
    new = _new_post(actor, discussion, body, reply_to, now, client_mutation_id, mentions)
    if attach is not None:
        new["attachments"] = await attach(group)
    async with store.outbox() as outbox:  # committed last: see start_discussion
        post, created = await _insert_post(store, outbox, actor, group, new, now)
        if not created:
            return _retried(post, discussion)
        published = await store.discussions.count_post(discussion_id=discussion["_id"],
                                                       now=now)
        await record_activity(store, group, now, counts=ONE_MORE_POST)
    await _written_by(store, actor, discussion, post, published, now)
    return post


async def add_post_with_files(
    *, store: Store, actor: Actor | None, uploads: Sequence[files.Uploaded], **post: Any,
) -> PostDoc:
    """`add_post`, with `uploads` attached: read and checked before anything is written,
    stored once the post is allowed, and attached once it is written (a retried post keeps
    its first attachments)."""
    if not uploads:
        return await add_post(store=store, actor=actor, **post)
    received = await files.receive_all("attachments", uploads)
    stored: list[dict[str, Any]] = []

    async def attach(group: GroupDoc) -> list[dict[str, Any]]:
        assert actor is not None  # add_post asked for a signed-in caller first
        for each in received:
            stored.append(await files.store_received(
                store, each, owner_kind="Post", group_id=str(group["_id"]), actor=actor,
                now=post["now"]))
        return stored

    try:
        written = await add_post(store=store, actor=actor, attach=attach, **post)
    except BaseException:
        await store.files.remove(files.ids_of(stored))
        raise
    await files.settle(store, owner_id=str(written["_id"]),
                       kept=written.get("attachments", []), stored=stored)
    return written


async def existing_post(store: Store, post_id: str) -> PostDoc:
    post = await store.posts.get(post_id=post_id)
    if post is None:
        raise NotFound("Post", post_id)
    return post


async def _changeable_post(
    store: Store, actor: Actor, post_id: str
) -> tuple[PostDoc, DiscussionDoc, GroupDoc, GroupRole | None]:
    post = await existing_post(store, post_id)
    group, role = await readable_group(store, actor, post["group_id"], "Post", post_id)
    return post, await existing_discussion(store, post["discussion_id"]), group, role


def _kept(version: dict[str, Any]) -> dict[str, Any]:
    """An update pushing `version`, keeping the latest `VERSIONS_KEPT`."""
    return {"versions": {"$each": [version], "$slice": -VERSIONS_KEPT}}


async def edit_post(
    *, store: Store, actor: Actor | None, post_id: str, body: str, now: datetime,
    limits: RateLimits,
) -> PostDoc:
    """The author edits; the latest earlier versions are kept for moderators."""
    actor = require_actor(actor)
    body = checked_body(body)
    post, discussion, group, role = await _changeable_post(store, actor, post_id)
    check_may_edit_post(actor, group, role, discussion, post)
    await rate_limits.spend(store, limits, actor, "editPost", now)
    version = {"body": post["body"], "until": now}
    edited: PostDoc = {**post, "body": body, "edited_at": now}
    event = post_event(EventKind.POST_EDITED, actor, group, edited, now)
    async with store.outbox() as outbox:
        changed = await store.posts.update(
            post_id=post["_id"],
            expected={"body": post["body"], "deleted_at": None, "hidden": None},
            change={"$set": {"body": body, "edited_at": now}, "$push": _kept(version)},
            events=outbox.of(event),
        )
    if changed is None:  # edited, hidden or deleted meanwhile: the caller should reload first
        raise NotFound("Post version", post_id, type_name="Post")
    return changed


async def delete_post(
    *, store: Store, actor: Actor | None, post_id: str, now: datetime
) -> PostDoc:
    """The author or a moderator deletes; a tombstone keeps the thread's shape."""
    actor = require_actor(actor)
    post, discussion, group, role = await _changeable_post(store, actor, post_id)
    check_may_delete_post(actor, group, role, discussion, post)
    tombstone: PostDoc = {"body": "", "deleted_at": now, "deleted_by": actor.id}
    event = post_event(EventKind.POST_DELETED, actor, group, {**post, **tombstone}, now)
    async with store.outbox() as outbox:
        changed = await store.posts.update(
            post_id=post["_id"],
            expected={"deleted_at": None},
            change={"$set": tombstone, "$push": _kept({"body": post["body"], "until": now})},
            events=outbox.of(event),
        )
        if changed is not None:
            await reading.recount(store, changed, was_published=not is_hidden(changed))
    if changed is None:
        return await existing_post(store, post_id)
    await store.files.discard(owner_id=post_id)
    await files.remove_discarded(store, owner_id=post_id)
    return changed


async def mark_discussion_read(
    *, store: Store, actor: Actor | None, discussion_id: str, up_to: str | None, now: datetime
) -> DiscussionDoc:
    """The reader has read the discussion up to a post (its latest if `up_to` is None). A
    marker only moves forward: marking an earlier post changes nothing."""
    actor = require_actor(actor)
    discussion = await existing_discussion(store, discussion_id)
    group, role = await readable_group(store, actor, discussion["group_id"], "Discussion",
                                       discussion_id)
    if up_to is None:
        post = await store.posts.last(discussion_id=str(discussion["_id"]))
    else:
        post = await store.posts.get(post_id=up_to)
        if post is None or post["discussion_id"] != str(discussion["_id"]) or (
                is_hidden(post) and not may_see_hidden(actor, group, role)):
            raise NotFound("Post", up_to)
    if post is not None:
        await reading.read_up_to(store, actor.id, discussion, post, now)
    return discussion


async def get_discussion(
    *, store: Store, actor: Actor | None, discussion_id: str
) -> DiscussionDoc | None:
    found = await read_discussion(store=store, actor=actor, discussion_id=discussion_id)
    return None if found is None else found[0]


async def read_discussion(
    *, store: Store, actor: Actor | None, discussion_id: str
) -> tuple[DiscussionDoc, GroupDoc, GroupRole | None] | None:
    """A discussion `actor` may read, with its group and the actor's role there."""
    if actor is None:
        return None
    discussion = await store.discussions.get(discussion_id=discussion_id)
    if discussion is None:
        return None
    group = await existing_group(store, discussion["group_id"])
    role = await role_of(store, group, actor.id)
    return (discussion, group, role) if may_read(actor, group, role) else None


async def list_discussions(
    *, store: Store, actor: Actor | None, viewer_role: GroupRole | None, group: GroupDoc,
    page: PageRequest,
) -> Slice[DiscussionDoc] | None:
    """Pinned first, then most recent activity; None when `actor` may not read the group."""
    if not may_read(actor, group, viewer_role):
        return None
    return page.sliced(await store.discussions.page(
        group_id=str(group["_id"]), seek=page.seek(parse_position), limit=page.limit()
    ), position_of)


async def list_posts(
    *, store: Store, actor: Actor | None, viewer_role: GroupRole | None, group: GroupDoc,
    discussion: DiscussionDoc, page: PageRequest,
) -> Slice[PostDoc]:
    """In creation order; hidden posts only for moderators."""
    return page.sliced(await store.posts.page(
        discussion_id=str(discussion["_id"]), seek=page.seek(position_id),
        limit=page.limit(), include_hidden=may_see_hidden(actor, group, viewer_role),
    ), lambda doc: str(doc["_id"]))
