"""Events: what can be watched, what each event carries, and who may receive it.

An event carries a snapshot of its group as it was when the event happened, so that whether
a subscriber may receive it is decided from the event itself and the subscriber's role,
without reading the database once per event and subscriber. What a post's event shows is
decided at delivery, from the post as it stands then (`seen_by`): a post taken down since, or
an older text, reaches moderators only.
"""

import uuid
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, TypedDict, cast

from resolvers.domain.actors import Actor
from resolvers.domain.discussions import may_moderate
from resolvers.domain.groups import AWAITING_REVIEW, GroupDoc, GroupStatus, may_view, oversees
from resolvers.domain.membership import GroupRole, may_read_content
from resolvers.domain.reports import overseers_only, target_of

# A cursor names an event by its place in the log: "event:<number>", encoded.
CURSOR_PREFIX = "event:"


class EventDoc(TypedDict, total=False):
    """An event, as it waits in its document's outbox and then in the `events` collection."""

    _id: str  # its place in the log: a sequence number, zero-padded
    id: str  # its own id, the same in the outbox and the log
    event_id: str  # `id` again, unique in the log, so that appending twice is harmless
    kind: str  # an EventKind, or GAP for a number never filled
    at: datetime
    actor: dict[str, str] | None  # id and name; None for the system
    group_id: str
    group: GroupDoc  # a snapshot of the fields that decide who may receive it
    subject_kind: str
    subject: dict[str, Any]  # the object as it was
    discussion_id: str
    message: str | None
    from_status: str | None
    to_status: str
    user_id: str
    role: str | None
    rule: str
    days_inactive: int
    current: dict[str, Any] | None  # a post event's post as it stands, read at delivery
    log_id: str  # `_id` in the log, where the event is kept for notifications by its `id`


class EventKind(StrEnum):
    POST_ADDED = "POST_ADDED"
    POST_EDITED = "POST_EDITED"
    POST_DELETED = "POST_DELETED"
    POST_HIDDEN = "POST_HIDDEN"
    POST_RESTORED = "POST_RESTORED"
    DISCUSSION_STARTED = "DISCUSSION_STARTED"
    DISCUSSION_LOCKED = "DISCUSSION_LOCKED"
    DISCUSSION_UNLOCKED = "DISCUSSION_UNLOCKED"
    DISCUSSION_PINNED = "DISCUSSION_PINNED"
    DISCUSSION_UNPINNED = "DISCUSSION_UNPINNED"
    GROUP_STATUS_CHANGED = "GROUP_STATUS_CHANGED"
    GROUP_UPDATED = "GROUP_UPDATED"
    GROUP_FLAGGED_INACTIVE = "GROUP_FLAGGED_INACTIVE"
    MEMBER_JOINED = "MEMBER_JOINED"
    MEMBER_LEFT = "MEMBER_LEFT"
    MEMBER_REMOVED = "MEMBER_REMOVED"
    MEMBER_ROLE_CHANGED = "MEMBER_ROLE_CHANGED"
    PAGE_ADDED = "PAGE_ADDED"
    PAGE_UPDATED = "PAGE_UPDATED"
    PAGE_MOVED = "PAGE_MOVED"
    PAGE_REMOVED = "PAGE_REMOVED"
    REPORT_FILED = "REPORT_FILED"
    REPORT_RESOLVED = "REPORT_RESOLVED"
    ADVISOR_ASSIGNED = "ADVISOR_ASSIGNED"
    INACTIVITY_EXEMPTION_GRANTED = "INACTIVITY_EXEMPTION_GRANTED"
    INACTIVITY_EXEMPTION_ENDED = "INACTIVITY_EXEMPTION_ENDED"
    FEATURING_PROPOSED = "FEATURING_PROPOSED"
    FEATURING_DECIDED = "FEATURING_DECIDED"
    INVITED = "INVITED"
    INVITATION_ANSWERED = "INVITATION_ANSWERED"
    FOLLOWING_CHANGED = "FOLLOWING_CHANGED"


# What one user follows or mutes: it changes their own notifications, and no feed shows it.
PRIVATE = frozenset({EventKind.FOLLOWING_CHANGED})


# Seen by moderators (and the support services) only.
MODERATORS_ONLY = frozenset({
    EventKind.REPORT_FILED, EventKind.REPORT_RESOLVED, EventKind.GROUP_FLAGGED_INACTIVE,
    EventKind.ADVISOR_ASSIGNED, EventKind.INACTIVITY_EXEMPTION_GRANTED,
    EventKind.INACTIVITY_EXEMPTION_ENDED, EventKind.INVITED, EventKind.INVITATION_ANSWERED,
})
# Between the support services: the CSS and the NSS of the group's country.
OVERSEERS_ONLY = frozenset({EventKind.FEATURING_PROPOSED, EventKind.FEATURING_DECIDED})
# A post's events that tell readers to take it down: they reach them without content.
TAKE_DOWNS = frozenset({EventKind.POST_HIDDEN, EventKind.POST_DELETED})
# The key under which a post event carries its post as it stands at delivery.
MEMBERSHIP_KINDS = frozenset({
    EventKind.MEMBER_JOINED, EventKind.MEMBER_LEFT, EventKind.MEMBER_REMOVED,
    EventKind.MEMBER_ROLE_CHANGED,
})
# What a moderator's feed shows.
MODERATION_KINDS = frozenset({
    EventKind.GROUP_STATUS_CHANGED, EventKind.REPORT_FILED, EventKind.REPORT_RESOLVED,
    EventKind.POST_HIDDEN, EventKind.GROUP_FLAGGED_INACTIVE, *MODERATORS_ONLY,
    *OVERSEERS_ONLY,
})

_GROUP_FIELDS = ("title", "status", "participation", "owner_id", "owner_country", "featured",
                 "advisor_id")


def group_snapshot(group: GroupDoc) -> GroupDoc:
    return cast(GroupDoc, {"_id": group["_id"],
                           **{name: group.get(name) for name in _GROUP_FIELDS}})


def new_event(
    *, kind: EventKind, actor: Actor | None, group: GroupDoc, subject_kind: str,
    subject: Mapping[str, Any], now: datetime, extra: Mapping[str, Any] | None = None,
) -> EventDoc:
    """An event as it waits in its document's outbox, before it has a place in the log."""
    if subject_kind == "Post":  # the history stays on the post, so the event stays small
        subject = {key: value for key, value in subject.items() if key != "versions"}
    return cast(EventDoc, {
        "id": uuid.uuid4().hex,
        "kind": kind.value,
        "at": now,
        "actor": None if actor is None else {"id": actor.id, "name": actor.name},
        "group_id": str(group["_id"]),
        "group": group_snapshot(group),
        "subject_kind": subject_kind,
        "subject": {key: value for key, value in subject.items() if key != "outbox"},
        **(extra or {}),
    })


def _reports_on_group(event: EventDoc) -> bool:
    """A report's event about a group itself: for the support services alone."""
    return event.get("subject_kind") == "Report" and overseers_only(
        target_of(event["subject"].get("target_kind")))


def may_receive(actor: Actor, role: GroupRole | None, event: EventDoc) -> bool:
    """Whether `actor`, whose role in the event's group is `role`, may receive `event`."""
    group: GroupDoc = event["group"]
    kind: str = event["kind"]  # compared with EventKind members, which are strings
    if kind in PRIVATE:
        return False
    if kind in OVERSEERS_ONLY or _reports_on_group(event):
        return oversees(actor, group)
    if kind in MODERATORS_ONLY:
        return may_moderate(actor, group, role)
    if kind in (EventKind.GROUP_STATUS_CHANGED, EventKind.GROUP_UPDATED):
        return may_view(actor, group)
    return may_read_content(actor, group, role)


def is_new_proposal(event: EventDoc) -> bool:
    return (
        event["kind"] == EventKind.GROUP_STATUS_CHANGED
        and GroupStatus(event["group"]["status"]) is AWAITING_REVIEW
    )


def concerns_user(event: EventDoc, user_id: str) -> bool:
    """A membership event about `user_id`."""
    return event["kind"] in MEMBERSHIP_KINDS and event["subject"].get("user_id") == user_id


def role_after(event: EventDoc) -> GroupRole | None:
    """The member's role once a membership event has happened."""
    if event["kind"] in (EventKind.MEMBER_LEFT, EventKind.MEMBER_REMOVED):
        return None
    role = event["subject"].get("role")
    return GroupRole(role) if role else None


def is_post_event(event: EventDoc) -> bool:
    return event.get("subject_kind") == "Post"


def _withheld(post: dict[str, Any] | None) -> bool:
    return post is None or post.get("hidden") is not None or post.get("deleted_at") is not None


def seen_by(event: EventDoc, *, moderates: bool) -> EventDoc | None:
    """`event` as a subscriber sees it when it is delivered; None when it shows them nothing.

    Moderators see every event as it happened. Everyone else sees a post as it stands now
    (`event["current"]`, read at delivery): its latest text, or, once it is hidden or deleted,
    a take-down that names the post and nothing more, and no other event of it.
    """
    if moderates or not is_post_event(event):
        return event
    current = event.get("current")
    if not _withheld(current):
        assert current is not None
        return {**event, "subject": current}
    if event["kind"] not in TAKE_DOWNS:
        return None
    subject = event["subject"]
    return cast(EventDoc, {
        **{key: value for key, value in event.items() if key != "message"},
        "subject": {
            "_id": subject["_id"], "discussion_id": subject["discussion_id"],
            "group_id": subject["group_id"], "created_at": subject["created_at"],
            "author_id": None, "reply_to_id": None, "body": None, "edited_at": None,
            "deleted_at": (current or subject).get("deleted_at"), "withheld": True,
        },
    })
