"""Events: what can be watched, what each event carries, and who may receive it.

An event carries a snapshot of its group as it was when the event happened, so that whether
a subscriber may receive it is decided from the event itself and the subscriber's role,
without reading the database once per event and subscriber.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from resolvers.domain.actors import Actor
from resolvers.domain.discussions import may_moderate
from resolvers.domain.groups import AWAITING_REVIEW, GroupDoc, GroupStatus, may_view
from resolvers.domain.membership import GroupRole, may_read_content

EventDoc = dict[str, Any]


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


# Seen by moderators (and the support services) only.
MODERATORS_ONLY = frozenset({
    EventKind.POST_HIDDEN, EventKind.REPORT_FILED, EventKind.REPORT_RESOLVED,
    EventKind.GROUP_FLAGGED_INACTIVE,
})
MEMBERSHIP_KINDS = frozenset({
    EventKind.MEMBER_JOINED, EventKind.MEMBER_LEFT, EventKind.MEMBER_REMOVED,
    EventKind.MEMBER_ROLE_CHANGED,
})
# What a moderator's feed shows.
MODERATION_KINDS = frozenset({
    EventKind.GROUP_STATUS_CHANGED, EventKind.REPORT_FILED, EventKind.REPORT_RESOLVED,
    EventKind.POST_HIDDEN, EventKind.GROUP_FLAGGED_INACTIVE,
})

_GROUP_FIELDS = ("title", "status", "participation", "owner_id", "owner_country", "featured")


def group_snapshot(group: GroupDoc) -> dict[str, Any]:
    return {"_id": group["_id"], **{name: group.get(name) for name in _GROUP_FIELDS}}


def new_event(
    *, kind: EventKind, actor: Actor | None, group: GroupDoc, subject_kind: str,
    subject: dict[str, Any], now: datetime, extra: dict[str, Any] | None = None,
) -> EventDoc:
    """An event as it waits in its document's outbox, before it has a place in the log."""
    return {
        "id": uuid.uuid4().hex,
        "kind": kind.value,
        "at": now,
        "actor": None if actor is None else {"id": actor.id, "name": actor.name},
        "group_id": str(group["_id"]),
        "group": group_snapshot(group),
        "subject_kind": subject_kind,
        "subject": {key: value for key, value in subject.items() if key != "outbox"},
        **(extra or {}),
    }


def is_hidden_post(event: EventDoc) -> bool:
    return event["subject_kind"] == "Post" and event["subject"].get("hidden") is not None


def may_receive(actor: Actor, role: GroupRole | None, event: EventDoc) -> bool:
    """Whether `actor`, whose role in the event's group is `role`, may receive `event`."""
    group: GroupDoc = event["group"]
    kind: str = event["kind"]  # compared with EventKind members, which are strings
    if kind in MODERATORS_ONLY or is_hidden_post(event):
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
