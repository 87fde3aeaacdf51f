"""Moderation use cases: hide and restore posts, lock and pin discussions, and the CSS's
inactivity watch."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from resolvers import moderation_log, reading
from resolvers.discussions import existing_discussion, existing_post, post_event
from resolvers.domain.actors import Actor
from resolvers.domain.discussions import (
    DiscussionDoc,
    ModerationAction,
    PostDoc,
    check_may_moderate,
    hidden_record,
    is_hidden,
)
from resolvers.domain.errors import InvalidTransition
from resolvers.domain.events import EventKind, new_event
from resolvers.domain.forms import checked_message
from resolvers.domain.groups import (
    GroupDoc,
    GroupScope,
    GroupStatus,
    oversight_scope,
    require_actor,
    review_scope,
)
from resolvers.domain.inactivity import Verdict, period_of, thresholds, verdict
from resolvers.domain.membership import GroupRole
from resolvers.domain.paging import PageRequest, Seek, Slice
from resolvers.groups import existing_group, group_event
from resolvers.membership import role_of
from resolvers.store import Store
from resolvers.store.groups import by_idleness, idle_position


async def _moderated_group(
    store: Store, actor: Actor, group_id: str
) -> tuple[GroupDoc, GroupRole | None]:
    group = await existing_group(store, group_id)
    role = await role_of(store, group, actor.id)
    check_may_moderate(actor, group, role)
    return group, role


async def hide_post(
    *, store: Store, actor: Actor | None, post_id: str, reason: str, now: datetime
) -> PostDoc:
    """Hidden posts reach moderators only."""
    actor = require_actor(actor)
    reason = checked_message("reason", reason)
    post = await existing_post(store, post_id)
    group, _ = await _moderated_group(store, actor, post["group_id"])
    if is_hidden(post):
        raise InvalidTransition("HIDDEN", "hidePost")
    record = hidden_record(actor, reason, now)
    event = post_event(EventKind.POST_HIDDEN, actor, group, {**post, "hidden": record}, now)
    async with store.outbox() as outbox:
        changed = await store.posts.update(
            post_id=post["_id"], expected={"hidden": None},
            change={"$set": {"hidden": record}}, events=outbox.of(event),
        )
        if changed is not None:
            await reading.recount(store, changed, was_published=changed.get("deleted_at") is None)
    if changed is None:
        raise InvalidTransition("HIDDEN", "hidePost")
    await moderation_log.record(
        store, actor=actor, group=group, action=ModerationAction.HIDE_POST, target_kind="Post",
        target_id=post_id, reason=reason, now=now,
    )
    return changed


async def restore_post(
    *, store: Store, actor: Actor | None, post_id: str, reason: str, now: datetime
) -> PostDoc:
    actor = require_actor(actor)
    reason = checked_message("reason", reason)
    post = await existing_post(store, post_id)
    group, _ = await _moderated_group(store, actor, post["group_id"])
    event = post_event(EventKind.POST_RESTORED, actor, group, {**post, "hidden": None}, now)
    async with store.outbox() as outbox:
        changed = await store.posts.update(
            post_id=post["_id"], expected={"hidden": {"$ne": None}},
            change={"$set": {"hidden": None}}, events=outbox.of(event),
        )
        if changed is not None:
            await reading.recount(store, changed, was_published=False)
    if changed is None:
        raise InvalidTransition("VISIBLE", "restorePost")
    await moderation_log.record(
        store, actor=actor, group=group, action=ModerationAction.RESTORE_POST,
        target_kind="Post", target_id=post_id, reason=reason, now=now,
    )
    return changed


_FLAG_EVENTS = {
    ("locked", True): EventKind.DISCUSSION_LOCKED,
    ("locked", False): EventKind.DISCUSSION_UNLOCKED,
    ("pinned", True): EventKind.DISCUSSION_PINNED,
    ("pinned", False): EventKind.DISCUSSION_UNPINNED,
}
_FLAG_ACTIONS = {
    ("locked", True): ModerationAction.LOCK_DISCUSSION,
    ("locked", False): ModerationAction.UNLOCK_DISCUSSION,
    ("pinned", True): ModerationAction.PIN_DISCUSSION,
    ("pinned", False): ModerationAction.UNPIN_DISCUSSION,
}


async def flag_discussion(
    *, store: Store, actor: Actor | None, discussion_id: str, flag: str, value: bool,
    reason: str | None, now: datetime,
) -> DiscussionDoc:
    """Lock or pin a discussion (or undo it); setting what is already set changes nothing."""
    actor = require_actor(actor)
    discussion = await existing_discussion(store, discussion_id)
    group, _ = await _moderated_group(store, actor, discussion["group_id"])
    event = new_event(kind=_FLAG_EVENTS[flag, value], actor=actor, group=group,
                      subject_kind="Discussion", subject={**discussion, flag: value}, now=now)
    async with store.outbox() as outbox:
        changed = await store.discussions.set_flag(
            discussion_id=discussion["_id"], flag=flag, value=value, now=now,
            events=outbox.of(event),
        )
    if changed is None:
        return discussion
    await moderation_log.record(
        store, actor=actor, group=group, action=_FLAG_ACTIONS[flag, value],
        target_kind="Discussion", target_id=discussion_id, reason=reason, now=now,
    )
    return changed


@dataclass(frozen=True, slots=True)
class InactiveGroup:
    group: GroupDoc
    verdict: Verdict


async def _due(
    store: Store, scope: GroupScope, now: datetime, seek: Seek, limit: int
) -> tuple[list[InactiveGroup], bool, str | None]:
    """Due groups from `seek` on; whether candidates lie behind it; and the position of the
    last candidate the query returned (None when it returned fewer than `limit`): the policy
    has the last word on each."""
    limits = thresholds(now)
    docs, behind = await store.groups.inactive(
        scope=scope, status=GroupStatus.ACTIVE, new_since=limits.new_since,
        new_idle_before=limits.new_idle_before,
        existing_idle_before=limits.existing_idle_before, now=now, seek=seek, limit=limit,
    )
    due = [InactiveGroup(doc, found) for doc in docs if (found := verdict(doc, now))]
    return due, behind, idle_position(docs[-1]) if len(docs) == limit else None


async def inactive_groups(
    *, store: Store, actor: Actor | None, page: PageRequest, now: datetime,
    advised_only: bool = False,
) -> Slice[InactiveGroup]:
    """Groups due for a suggestion to close: all for the CSS, a country for NSS; with
    `advised_only`, those `actor` advises."""
    actor = require_actor(actor)
    scope = review_scope(actor, "inactive groups")
    if advised_only:
        scope = replace(scope, advisor_id=actor.id)
    due, behind, _ = await _due(store, scope, now, page.seek(by_idleness), page.limit())
    return page.sliced((due, behind), lambda item: idle_position(item.group))


@dataclass(frozen=True, slots=True)
class SweepReport:
    period: str
    due: int
    flagged: int  # by this sweep; the others were flagged earlier in the period


async def sweep_inactivity(
    *, store: Store, now: datetime, progress: Callable[[int, int], None] = lambda _d, _f: None,
    batch: int = 100,
) -> SweepReport:
    """Flag every due group once per period. Safe to run on several hosts at once: each
    group is flagged by exactly one of them."""
    period = period_of(now)
    due = flagged = 0
    after: str | None = None
    system = Actor(id="inactivity-sweep", name="Inactivity sweep", roles=frozenset())
    while True:
        found, _, after = await _due(store, oversight_scope(), now, Seek(after), batch)
        for item in found:
            due += 1
            group_id = str(item.group["_id"])
            event = group_event(
                EventKind.GROUP_FLAGGED_INACTIVE, system, item.group, now,
                rule=item.verdict.rule.value, days_inactive=item.verdict.days_inactive,
            )
            async with store.outbox() as outbox:
                newly = await store.groups.flag_inactive(
                    group_id=item.group["_id"], period=period, now=now, events=outbox.of(event))
            if newly:
                flagged += 1
                await moderation_log.record(
                    store, actor=system, group=item.group,
                    action=ModerationAction.FLAG_INACTIVE, target_kind="Group",
                    target_id=group_id,
                    reason=f"{item.verdict.rule.value}: {item.verdict.days_inactive} days",
                    now=now,
                )
        progress(due, flagged)
        if after is None:
            return SweepReport(period=period, due=due, flagged=flagged)
