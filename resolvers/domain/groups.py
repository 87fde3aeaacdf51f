"""Group statuses, the approval workflow's transition table, and who may see or change a group.

This module is the one home of status rules: no other code compares statuses.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypedDict

from resolvers.domain.actors import Actor
from resolvers.domain.errors import Forbidden, InvalidTransition, Unauthenticated


class GroupStatus(StrEnum):
    PENDING = "PENDING"
    INFO_REQUESTED = "INFO_REQUESTED"
    ACTIVE = "ACTIVE"
    REJECTED = "REJECTED"
    CLOSED = "CLOSED"
    WITHDRAWN = "WITHDRAWN"  # by its owner, before a decision


class GroupOrder(StrEnum):
    """How a list of groups is sorted (the guide features groups "por su temática, número de
    miembros o actividad")."""

    NEWEST = "NEWEST"
    MOST_MEMBERS = "MOST_MEMBERS"
    MOST_ACTIVE = "MOST_ACTIVE"  # the latest activity first


class Participation(StrEnum):
    OPEN = "OPEN"
    INVITE_ONLY = "INVITE_ONLY"


class GroupAction(StrEnum):
    SUBMIT = "SUBMIT"
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    REQUEST_INFO = "REQUEST_INFO"
    ANSWER_INFO_REQUEST = "ANSWER_INFO_REQUEST"
    CLOSE = "CLOSE"
    REOPEN = "REOPEN"
    WITHDRAW = "WITHDRAW"


TRANSITIONS: dict[tuple[GroupStatus, GroupAction], GroupStatus] = {
    (GroupStatus.PENDING, GroupAction.APPROVE): GroupStatus.ACTIVE,
    (GroupStatus.PENDING, GroupAction.REJECT): GroupStatus.REJECTED,
    (GroupStatus.PENDING, GroupAction.REQUEST_INFO): GroupStatus.INFO_REQUESTED,
    (GroupStatus.INFO_REQUESTED, GroupAction.ANSWER_INFO_REQUEST): GroupStatus.PENDING,
    (GroupStatus.ACTIVE, GroupAction.CLOSE): GroupStatus.CLOSED,
    (GroupStatus.CLOSED, GroupAction.REOPEN): GroupStatus.ACTIVE,
    (GroupStatus.PENDING, GroupAction.WITHDRAW): GroupStatus.WITHDRAWN,
    (GroupStatus.INFO_REQUESTED, GroupAction.WITHDRAW): GroupStatus.WITHDRAWN,
}

REVIEW_ACTIONS = frozenset({GroupAction.APPROVE, GroupAction.REJECT, GroupAction.REQUEST_INFO})
EDITABLE_STATUSES = frozenset(
    {GroupStatus.PENDING, GroupStatus.INFO_REQUESTED, GroupStatus.ACTIVE}
)
# Seen by every signed-in teacher; the others only by those who oversee the group.
PUBLIC_STATUSES = frozenset({GroupStatus.ACTIVE, GroupStatus.CLOSED})
# The pool that similar-group search ranks.
SIMILARITY_STATUSES = frozenset({GroupStatus.ACTIVE, GroupStatus.PENDING})
# The status a review queue lists.
AWAITING_REVIEW = GroupStatus.PENDING


class GroupDoc(TypedDict, total=False):
    """A group as stored in the `groups` collection."""

    _id: Any
    title: str
    description: str
    objectives: str
    participation: str
    languages: list[str]
    topics: list[str]
    terms: list[str]
    title_terms: list[str]
    status: str
    featured: bool
    member_count: int
    published_post_count: int  # posts neither hidden nor deleted, for unread counts
    image_url: str | None
    image_file: dict[str, Any] | None  # an uploaded image: its file, thumbnail and size
    welcome_message: str | None
    owner_id: str
    owner_country: str | None
    created_at: datetime
    updated_at: datetime
    approved_at: datetime
    last_activity_at: datetime
    inactivity_exempt_until: datetime | None
    inactivity_exemption: dict[str, Any] | None  # until, reason, by_id, by_name, at
    advisor_id: str | None  # the CSS user who watches over the group
    inactivity_flagged_period: str
    outbox: list[dict[str, Any]]  # events waiting to enter the log
    review: dict[str, Any]


def next_status(status: GroupStatus, action: GroupAction) -> GroupStatus:
    """The status after `action`, or InvalidTransition."""
    try:
        return TRANSITIONS[status, action]
    except KeyError:
        raise InvalidTransition(status.value, action.value) from None


def initial_status(actor: Actor, *, featured: bool) -> GroupStatus:
    """Proposals wait for review; featured groups are the CSS's own and start active."""
    if not featured:
        return GroupStatus.PENDING
    if not actor.is_css:
        raise Forbidden("Only the Central Support Service creates featured groups")
    return GroupStatus.ACTIVE


def is_activation(status: GroupStatus) -> bool:
    """Whether entering `status` starts a group's active life (and its inactivity clock)."""
    return status is GroupStatus.ACTIVE


def require_actor(actor: Actor | None) -> Actor:
    if actor is None:
        raise Unauthenticated()
    return actor


def oversees(actor: Actor, group: GroupDoc) -> bool:
    """The CSS oversees every group; an NSS user the groups whose owner is in their country."""
    nss_country = actor.nss_country
    return actor.is_css or (nss_country is not None and nss_country == group.get("owner_country"))


def is_owner(actor: Actor, group: GroupDoc) -> bool:
    return actor.id == group["owner_id"]


def may_view(actor: Actor | None, group: GroupDoc) -> bool:
    if actor is None:
        return False
    if group["status"] in PUBLIC_STATUSES:  # GroupStatus members are strings
        return True
    return is_owner(actor, group) or oversees(actor, group)


def check_may_act(actor: Actor, action: GroupAction, group: GroupDoc) -> None:
    """Raise Forbidden unless `actor` may perform workflow `action` on `group`."""
    if action in REVIEW_ACTIONS:
        if not actor.is_css:
            raise Forbidden("Only the Central Support Service reviews groups")
        if is_owner(actor, group):
            raise Forbidden("Your own proposal is reviewed by another member of the Central "
                            "Support Service")
    elif action is GroupAction.ANSWER_INFO_REQUEST:
        if not is_owner(actor, group):
            raise Forbidden("Only the group's owner answers an information request")
    elif action is GroupAction.CLOSE:
        if not (is_owner(actor, group) or oversees(actor, group)):
            raise Forbidden("Only the group's owner, the Central Support Service or the "
                            "National Support Service of its country closes it")
    elif action is GroupAction.REOPEN:
        if not actor.is_css:
            raise Forbidden("Only the Central Support Service reopens a closed group")
    elif action is GroupAction.WITHDRAW:
        if not is_owner(actor, group):
            raise Forbidden("Only the group's owner withdraws its proposal")


def is_active(group: GroupDoc) -> bool:
    return GroupStatus(group["status"]) is GroupStatus.ACTIVE


def require_active(group: GroupDoc, action: str) -> None:
    """Membership and content change only in active groups."""
    if not is_active(group):
        raise InvalidTransition(group["status"], action)


def check_may_edit(actor: Actor, group: GroupDoc) -> None:
    if not is_owner(actor, group):
        raise Forbidden("Only the group's owner edits its form")
    status = GroupStatus(group["status"])
    if status not in EDITABLE_STATUSES:
        raise InvalidTransition(status.value, "updateGroup")


@dataclass(frozen=True, slots=True)
class GroupScope:
    """Which groups a list may show: everything, or groups in `statuses`, or owned by
    `owner_id`, or whose owner is in `owner_country`; of those, only the groups `advisor_id`
    advises, if given."""

    everything: bool = False
    statuses: frozenset[GroupStatus] = frozenset()
    owner_id: str | None = None
    owner_country: str | None = None
    advisor_id: str | None = None


def visible_scope(actor: Actor) -> GroupScope:
    if actor.is_css:
        return GroupScope(everything=True)
    return GroupScope(
        statuses=PUBLIC_STATUSES, owner_id=actor.id, owner_country=actor.nss_country
    )


def review_scope(actor: Actor, listing: str = "the review queue") -> GroupScope:
    """The groups whose review `actor` may follow in `listing`: all for the CSS, a country
    for NSS."""
    if actor.is_css:
        return GroupScope(everything=True)
    if actor.nss_country is not None:
        return GroupScope(owner_country=actor.nss_country)
    raise Forbidden(f"Only the Central and National Support Services see {listing}")


def oversight_scope() -> GroupScope:
    """What the system itself sees, e.g. when recording near-duplicates for the CSS."""
    return GroupScope(everything=True)
