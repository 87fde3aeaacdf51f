"""Notification use cases: turning a log event into notifications, and reading, counting and
marking them. Each is shown as the reader may see it when they read it: a notification of a
post hidden since, or of a group they may no longer see, shows no subject."""

from dataclasses import dataclass
from datetime import datetime

from resolvers.discussions import read_discussion
from resolvers.domain.actors import Actor
from resolvers.domain.discussions import DiscussionDoc, may_moderate
from resolvers.domain.errors import Forbidden, NotFound, ValidationFailed
from resolvers.domain.events import EventDoc, EventKind, new_event, seen_by
from resolvers.domain.groups import GroupDoc, require_actor
from resolvers.domain.membership import GroupRole
from resolvers.domain.notifications import (
    UNREAD_COUNTED_AT_MOST,
    Following,
    NotificationDoc,
    NotificationKind,
    NotifyLevel,
    as_logged,
    may_see_notified,
    notification_of,
    notified_event,
    position_of,
    post_followers,
    recipients,
    seq_at,
)
from resolvers.domain.paging import PageRequest, Slice
from resolvers.groups import visible_group
from resolvers.store import Store


async def notify(store: Store, event: EventDoc) -> int:
    """Store the notifications `event` makes, once each however often it is called, and one
    per user (a reply to a follower is a reply); how many were new."""
    told = recipients(event)
    if event["kind"] == EventKind.POST_ADDED:
        told += post_followers(event, await following(store, event))
    # The first reason given wins.
    return await store.notifications.add(event=notified_event(event), docs=[
        notification_of(event, user_id, kind) for user_id, kind in dict(reversed(told)).items()])


async def following(store: Store, event: EventDoc) -> Following:
    """Who follows, or muted, the discussion of a post's event, and who watches its group
    at which level."""
    follows = await store.follows.of_discussion(discussion_id=event["discussion_id"])
    watching = await store.memberships.at_levels(group_id=event["group_id"],
                                                 levels=[NotifyLevel.ALL, NotifyLevel.NONE])
    return Following(
        followers=frozenset(doc["user_id"] for doc in follows if not doc.get("muted")),
        muted=frozenset(doc["user_id"] for doc in follows if doc.get("muted")),
        at_all=frozenset(watching[NotifyLevel.ALL]),
        at_none=frozenset(watching[NotifyLevel.NONE]),
    )


@dataclass(frozen=True, slots=True)
class Shown:
    """A notification, and its event as the reader may see it now (None: nothing of it)."""

    doc: NotificationDoc
    event: EventDoc | None


async def shown(store: Store, actor: Actor, docs: list[NotificationDoc]) -> list[Shown]:
    if not docs:
        return []
    kept = {event["_id"]: event for event in await store.notifications.events(
        event_ids=list({doc["event_id"] for doc in docs}))}
    events = await store.events.with_current([as_logged(kept[doc["event_id"]])
                                              for doc in docs])
    group_ids = list({event["group_id"] for event in events})
    groups = {str(doc["_id"]): doc for doc in await store.groups.get_many(group_ids=group_ids)}
    roles = {doc["group_id"]: GroupRole(doc["role"]) for doc in
             await store.memberships.roles_of(user_id=actor.id, group_ids=group_ids)}
    shown = []
    for doc, event in zip(docs, events, strict=True):
        group = groups.get(event["group_id"])
        role = roles.get(event["group_id"])
        view = None
        if group is not None and may_see_notified(actor, group, role, event):
            view = seen_by(event, moderates=may_moderate(actor, group, role))
        shown.append(Shown(doc, view))
    return shown


def made_now(event: EventDoc, actor: Actor) -> Shown:
    """`actor`'s notification of `event`, which they may see as it is (a live delivery),
    as the notifier stores it."""
    kind = next((kind for user, kind in recipients(event) if user == actor.id),
                NotificationKind.NEW_POST)
    return Shown(notification_of(event, actor.id, kind), event)


async def list_notifications(
    *, store: Store, actor: Actor | None, unread_only: bool, page: PageRequest
) -> Slice[Shown]:
    """The caller's notifications, newest first."""
    actor = require_actor(actor)
    docs, behind = await store.notifications.page(
        user_id=actor.id, unread_only=unread_only, seek=page.seek(seq_at), limit=page.limit())
    return page.sliced((await shown(store, actor, docs), behind),
                       lambda item: position_of(item.doc))


async def unread_count(*, store: Store, actor: Actor | None) -> int:
    """How many of the caller's notifications are unread (at most a thousand are counted)."""
    actor = require_actor(actor)
    return await store.notifications.count_unread(user_id=actor.id,
                                                  at_most=UNREAD_COUNTED_AT_MOST)


async def mark_read(
    *, store: Store, actor: Actor | None, up_to: str | None, ids: list[str] | None
) -> int:
    """Mark the caller's notifications read: all up to the one at cursor position `up_to`,
    or those of `ids`; how many changed."""
    actor = require_actor(actor)
    if (up_to is None) == (ids is None):
        raise ValidationFailed("upTo", "give either upTo or ids")
    try:
        seq = None if up_to is None else seq_at(up_to)
    except ValueError:
        raise ValidationFailed("upTo", "upTo is not a cursor of your notifications") from None
    return await store.notifications.mark_read(user_id=actor.id, up_to=seq, ids=ids)


async def follow_discussion(
    *, store: Store, actor: Actor | None, discussion_id: str, muted: bool, now: datetime,
) -> DiscussionDoc:
    """Follow a discussion one may read (told of its new posts), or mute it (told of none,
    whatever one's level in its group)."""
    actor = require_actor(actor)
    found = await read_discussion(store=store, actor=actor, discussion_id=discussion_id)
    if found is None:
        raise NotFound("Discussion", discussion_id)
    discussion, group, _ = found
    event = _following_changed(actor, group, now, discussion_id=discussion_id, muted=muted)
    async with store.outbox() as outbox:
        await store.follows.set(discussion_id=discussion_id, group_id=discussion["group_id"],
                                user_id=actor.id, muted=muted, now=now,
                                events=outbox.of(event))
    return discussion


def _following_changed(actor: Actor, group: GroupDoc, now: datetime, **change: object
                       ) -> EventDoc:
    """What the actor's own live notifications need to hear of a change to what they follow
    (no feed shows it): the discussion they follow or mute, or their level in the group."""
    return new_event(kind=EventKind.FOLLOWING_CHANGED, actor=actor, group=group,
                     subject_kind="Following", subject={"user_id": actor.id, **change}, now=now)


async def set_notify_level(
    *, store: Store, actor: Actor | None, group_id: str, level: NotifyLevel, now: datetime,
) -> GroupDoc:
    """A member chooses of which new posts in the group they are told."""
    actor = require_actor(actor)
    group = await visible_group(store, actor, group_id)
    level = NotifyLevel(level)
    event = _following_changed(actor, group, now, notify_level=level.value)
    async with store.outbox() as outbox:
        if not await store.memberships.set_notify_level(
                group_id=group_id, user_id=actor.id, level=level.value,
                events=outbox.of(event)):
            raise Forbidden("Only the group's members choose how they follow it")
    return group
