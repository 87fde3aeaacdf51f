"""Notifications: which events each user is told of, stored for them to read later (a phone
cannot keep a socket open), and what a notification may show when it is read."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypedDict, cast

from resolvers.domain.actors import Actor
from resolvers.domain.events import CURSOR_PREFIX, EventDoc, EventKind, is_post_event
from resolvers.domain.forms import in_utc
from resolvers.domain.groups import GroupDoc, GroupStatus, may_view
from resolvers.domain.membership import GroupRole, may_read_content

UNREAD_COUNTED_AT_MOST = 1_000  # beyond this a client shows "1,000+"
DIGEST_NEWEST = 3  # the newest items of each kind a digest shows
DIGEST_REACH = timedelta(days=30)  # how far back a digest counts


class NotificationKind(StrEnum):
    PROPOSAL_APPROVED = "PROPOSAL_APPROVED"
    PROPOSAL_REJECTED = "PROPOSAL_REJECTED"
    PROPOSAL_INFO_REQUESTED = "PROPOSAL_INFO_REQUESTED"
    GROUP_FLAGGED_INACTIVE = "GROUP_FLAGGED_INACTIVE"
    GROUP_EXEMPTED = "GROUP_EXEMPTED"
    INVITED = "INVITED"
    INVITATION_ANSWERED = "INVITATION_ANSWERED"
    ROLE_CHANGED = "ROLE_CHANGED"
    REMOVED_FROM_GROUP = "REMOVED_FROM_GROUP"
    REPLY = "REPLY"
    REPORT_RESOLVED = "REPORT_RESOLVED"
    MENTION = "MENTION"
    NEW_POST = "NEW_POST"  # in a discussion one follows, or a group one watches


class NotifyLevel(StrEnum):
    """Of which new posts in a group a member is told, like Discourse's watching, tracking
    and muted."""

    ALL = "ALL"  # every new post
    FOLLOWED = "FOLLOWED"  # those in the discussions they follow (the default)
    NONE = "NONE"  # none


class NotificationDoc(TypedDict, total=False):
    """One user's notification of one event, in the `notifications` collection."""

    _id: str  # the event's id and the user's: at most one per (event, user)
    user_id: str
    seq: int  # the event's place in the log, which orders a user's notifications
    kind: str
    event_id: str  # the event, kept once for all it notifies (`notified_event`)
    actor: dict[str, str] | None  # who did it: the event's `id` and `name`
    group_id: str  # where
    read: bool
    at: datetime


_DECISIONS = {
    GroupStatus.ACTIVE: NotificationKind.PROPOSAL_APPROVED,
    GroupStatus.REJECTED: NotificationKind.PROPOSAL_REJECTED,
    GroupStatus.INFO_REQUESTED: NotificationKind.PROPOSAL_INFO_REQUESTED,
}


def recipients(event: EventDoc) -> list[tuple[str, NotificationKind]]:
    """Who is told of `event`, and as what; never the one who did it."""
    kind = event["kind"]
    subject: dict[str, Any] = event.get("subject") or {}
    owner = event.get("group", {}).get("owner_id")
    told: list[tuple[str | None, NotificationKind]] = []
    if kind == EventKind.GROUP_STATUS_CHANGED and event.get("from_status") in (
            GroupStatus.PENDING, GroupStatus.INFO_REQUESTED):
        decision = _DECISIONS.get(GroupStatus(event["to_status"]))
        if decision is not None:
            told.append((owner, decision))
    elif kind == EventKind.GROUP_FLAGGED_INACTIVE:
        told.append((owner, NotificationKind.GROUP_FLAGGED_INACTIVE))
    elif kind == EventKind.INACTIVITY_EXEMPTION_GRANTED:
        told.append((owner, NotificationKind.GROUP_EXEMPTED))
    elif kind == EventKind.INVITED:
        told.append((subject.get("user_id"), NotificationKind.INVITED))
    elif kind == EventKind.INVITATION_ANSWERED:
        told.append((subject.get("inviter_id"), NotificationKind.INVITATION_ANSWERED))
    elif kind == EventKind.MEMBER_ROLE_CHANGED:
        told.append((subject.get("user_id"), NotificationKind.ROLE_CHANGED))
    elif kind == EventKind.MEMBER_REMOVED:
        told.append((subject.get("user_id"), NotificationKind.REMOVED_FROM_GROUP))
    elif kind == EventKind.POST_ADDED:
        told.append((subject.get("reply_to_author_id"), NotificationKind.REPLY))
        told += [(user, NotificationKind.MENTION) for user in subject.get("mentions") or ()]
    elif kind == EventKind.REPORT_RESOLVED:
        told.append((subject.get("reporter_id"), NotificationKind.REPORT_RESOLVED))
    actor = (event.get("actor") or {}).get("id")
    return [(user, why) for user, why in told if user is not None and user != actor]


def may_see_notified(actor: Actor, group: GroupDoc, role: GroupRole | None,
                     event: EventDoc) -> bool:
    """Whether the one `event` notifies may see what it is about, now: the group, and of a
    post's event, the group's content."""
    if is_post_event(event):
        return may_read_content(actor, group, role)
    return may_view(actor, group)


@dataclass(frozen=True, slots=True)
class Following:
    """Who may be told of a new post in one discussion, besides those it replies to or
    mentions: its followers, its muters, and the members of its group at each level."""

    followers: frozenset[str] = frozenset()
    muted: frozenset[str] = frozenset()
    at_all: frozenset[str] = frozenset()
    at_none: frozenset[str] = frozenset()

    def told(self) -> frozenset[str]:
        return (self.followers | self.at_all) - self.muted - self.at_none


def post_followers(event: EventDoc, following: Following) -> list[tuple[str, NotificationKind]]:
    """Those told of a new post as followers of its discussion or watchers of its group,
    never its author."""
    if event["kind"] != EventKind.POST_ADDED:
        return []
    author = (event.get("actor") or {}).get("id")
    return [(user, NotificationKind.NEW_POST) for user in sorted(following.told())
            if user != author]


def notifies(event: EventDoc, user_id: str) -> bool:
    return any(user == user_id for user, _ in recipients(event))


def notification_of(event: EventDoc, user_id: str, kind: NotificationKind
                    ) -> NotificationDoc:
    """`user_id`'s notification of `event`: the same document whichever process makes it.
    The event itself is kept once for all it notifies (`notified_event`)."""
    return {
        "_id": f"{event['id']}:{user_id}", "user_id": user_id, "seq": int(event["_id"]),
        "kind": kind.value, "event_id": event["id"], "actor": event.get("actor"),
        "group_id": event["group_id"], "read": False, "at": event["at"],
    }


def notified_event(event: EventDoc) -> EventDoc:
    """`event` as it happened, kept for its notifications by its id: what each shows of it
    is decided when it is read."""
    return cast(EventDoc, {**{key: value for key, value in event.items() if key != "current"},
                           "_id": event["id"], "log_id": event["_id"]})


def as_logged(kept: EventDoc) -> EventDoc:
    """A `notified_event` as the log held it."""
    return cast(EventDoc, {**{key: value for key, value in kept.items() if key != "log_id"},
                           "_id": kept["log_id"]})


def position_of(doc: NotificationDoc) -> str:
    """A notification's place in its list: its event's place in the log, so that its cursor
    is the event's, which `notificationAdded` resumes after."""
    return f"{CURSOR_PREFIX}{doc['seq']}"


def seq_at(position: str) -> int:
    """What `position_of` wrote; ValueError for anything else."""
    if not position.startswith(CURSOR_PREFIX) or not position[len(CURSOR_PREFIX):].isdigit():
        raise ValueError(f"not a notification position: {position!r}")
    return int(position[len(CURSOR_PREFIX):])


def digest_since(since: datetime, now: datetime) -> datetime:
    """From when a digest asked for news since `since` counts: no further back than
    `DIGEST_REACH`, so that its counts stay bounded; a time without a zone is UTC."""
    return min(max(in_utc(since), now - DIGEST_REACH), now)
