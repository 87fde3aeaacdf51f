"""The CSS's inactivity policy: when a group is due for a suggestion to close it.

Activity is a post, a discussion, a page change or a new member; logins do not count.
A group approved less than 3 months ago is *new*, and is due after 2 months without activity;
any other group after 3 months. The CSS can exempt a group until a date.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from resolvers.domain.groups import GroupDoc, is_active

NEW_GROUP_AGE = relativedelta(months=3)
NEW_GROUP_IDLE = relativedelta(months=2)
EXISTING_GROUP_IDLE = relativedelta(months=3)


class InactivityRule(StrEnum):
    NEW_GROUP = "NEW_GROUP"  # approved < 3 months ago, idle >= 2 months
    EXISTING_GROUP = "EXISTING_GROUP"  # idle >= 3 months


@dataclass(frozen=True, slots=True)
class Verdict:
    rule: InactivityRule
    days_inactive: int


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The instants the policy compares with, for a query that finds due groups."""

    new_since: datetime  # approved after this: a new group
    new_idle_before: datetime  # a new group idle since before this is due
    existing_idle_before: datetime  # any other group idle since before this is due


def thresholds(now: datetime) -> Thresholds:
    return Thresholds(
        new_since=now - NEW_GROUP_AGE,
        new_idle_before=now - NEW_GROUP_IDLE,
        existing_idle_before=now - EXISTING_GROUP_IDLE,
    )


def verdict(group: GroupDoc, now: datetime) -> Verdict | None:
    """Why `group` is due at `now`, or None when it is not."""
    if not is_active(group):
        return None
    exempt_until = group.get("inactivity_exempt_until")
    if exempt_until is not None and now < exempt_until:
        return None
    limits = thresholds(now)
    approved = group.get("approved_at") or group["created_at"]
    last = group.get("last_activity_at") or approved
    is_new = approved > limits.new_since
    cutoff = limits.new_idle_before if is_new else limits.existing_idle_before
    if last > cutoff:
        return None
    rule = InactivityRule.NEW_GROUP if is_new else InactivityRule.EXISTING_GROUP
    return Verdict(rule=rule, days_inactive=(now - last).days)


def period_of(now: datetime) -> str:
    """The sweep period `now` falls in: an ISO week, e.g. `2026-W48`."""
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def days_idle(group: GroupDoc, now: datetime) -> int:
    """Whole days since the group's last activity (or its approval)."""
    last = group.get("last_activity_at") or group.get("approved_at") or group["created_at"]
    return max((now - last).days, 0)
