"""Reports on posts, discussions, pages and groups: their reasons, statuses, and how each is
resolved, by whom."""

from enum import StrEnum

from resolvers.domain.actors import Actor
from resolvers.domain.discussions import may_moderate
from resolvers.domain.errors import Forbidden, ValidationFailed
from resolvers.domain.groups import GroupDoc, oversees
from resolvers.domain.membership import GroupRole


class ReportReason(StrEnum):
    SPAM = "SPAM"
    OFFENSIVE = "OFFENSIVE"
    OFF_TOPIC = "OFF_TOPIC"
    PUPIL_PRIVACY = "PUPIL_PRIVACY"
    COMMERCIAL = "COMMERCIAL"
    COPYRIGHT = "COPYRIGHT"
    OTHER = "OTHER"


class ReportStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


class ReportAction(StrEnum):
    DISMISS = "DISMISS"
    HIDE_POST = "HIDE_POST"
    REMOVE_AUTHOR = "REMOVE_AUTHOR"
    LOCK_DISCUSSION = "LOCK_DISCUSSION"
    REMOVE_PAGE = "REMOVE_PAGE"
    CLOSE_GROUP = "CLOSE_GROUP"


class ReportTarget(StrEnum):
    """What a report is about; the value is the type its global ID names."""

    POST = "Post"
    DISCUSSION = "Discussion"
    PAGE = "Page"
    GROUP = "Group"


# What may be done about each kind of target.
ACTIONS = {
    ReportTarget.POST: (ReportAction.DISMISS, ReportAction.HIDE_POST, ReportAction.REMOVE_AUTHOR),
    ReportTarget.DISCUSSION: (ReportAction.DISMISS, ReportAction.LOCK_DISCUSSION,
                              ReportAction.REMOVE_AUTHOR),
    ReportTarget.PAGE: (ReportAction.DISMISS, ReportAction.REMOVE_PAGE,
                        ReportAction.REMOVE_AUTHOR),
    ReportTarget.GROUP: (ReportAction.DISMISS, ReportAction.CLOSE_GROUP),
}

NOTE_MAX = 2_000


def target_of(doc_kind: str | None) -> ReportTarget:
    """The target a stored report names (reports made before others existed are on posts)."""
    return ReportTarget(doc_kind or ReportTarget.POST)


def check_action(target: ReportTarget, action: ReportAction) -> None:
    allowed = ACTIONS[target]
    if action not in allowed:
        raise ValidationFailed("action", f"A report on a {target.value.lower()} is resolved "
                               f"by {', '.join(allowed)}")


def overseers_only(target: ReportTarget) -> bool:
    """A report on a group goes to the support services, not to the group's own leaders."""
    return target is ReportTarget.GROUP


def may_handle(actor: Actor, group: GroupDoc, role: GroupRole | None,
               target: ReportTarget) -> bool:
    """Whether `actor` reads and resolves reports on `target` in `group`."""
    if overseers_only(target):
        return oversees(actor, group)
    return may_moderate(actor, group, role)


def check_may_handle(actor: Actor, group: GroupDoc, role: GroupRole | None,
                     target: ReportTarget) -> None:
    if not may_handle(actor, group, role, target):
        raise Forbidden("Reports on a group are for the support services; others for the "
                        "group's moderators and the support services"
                        if overseers_only(target) else
                        "Only the group's moderators and the support services act on reports")
