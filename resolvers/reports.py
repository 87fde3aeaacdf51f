"""Report use cases: a reader reports a post, a discussion, a page or a group; those who
moderate it resolve the report, with every other open report on the same object."""

from datetime import datetime
from typing import Any

from bson import ObjectId

from resolvers import content, moderation_log, rate_limits
from resolvers.discussions import existing_post, read_discussion
from resolvers.domain.actors import Actor
from resolvers.domain.discussions import (
    ModerationAction,
    is_hidden,
    may_read,
    may_see_hidden,
)
from resolvers.domain.errors import InvalidTransition, NotFound, ValidationFailed
from resolvers.domain.events import EventKind, new_event
from resolvers.domain.forms import checked_text
from resolvers.domain.groups import GroupAction, GroupDoc, is_active, require_actor
from resolvers.domain.membership import LEADERS, may_read_content
from resolvers.domain.paging import PageRequest, Slice
from resolvers.domain.rate_limits import RateLimits
from resolvers.domain.reports import (
    NOTE_MAX,
    ReportAction,
    ReportReason,
    ReportStatus,
    ReportTarget,
    check_action,
    check_may_handle,
    target_of,
)
from resolvers.groups import existing_group, transition_group, visible_group
from resolvers.membership import remove_member, role_of
from resolvers.moderation import flag_discussion, hide_post
from resolvers.store import Store
from resolvers.store.groups import position_id
from resolvers.store.reports import ReportDoc


def _checked_note(note: str | None) -> str | None:
    return None if not note else checked_text("note", note, (1, NOTE_MAX))


async def _reported(
    store: Store, actor: Actor, target: ReportTarget, target_id: str
) -> tuple[GroupDoc, str | None]:
    """The group of the object `actor` reports, and the object's author; NotFound unless
    `actor` may see the object."""
    match target:
        case ReportTarget.POST:
            post = await existing_post(store, target_id)
            group = await existing_group(store, post["group_id"])
            role = await role_of(store, group, actor.id)
            if may_read(actor, group, role) and (
                not is_hidden(post) or may_see_hidden(actor, group, role)
            ):
                return group, post["author_id"]
        case ReportTarget.DISCUSSION:
            found = await read_discussion(store=store, actor=actor, discussion_id=target_id)
            if found is not None:
                discussion, group, _ = found
                return group, discussion["author_id"]
        case ReportTarget.PAGE:
            page = await store.pages.get(page_id=target_id)
            if page is not None:
                group = await existing_group(store, page["group_id"])
                if may_read_content(actor, group, await role_of(store, group, actor.id)):
                    return group, page.get("author_id")
        case ReportTarget.GROUP:
            return await visible_group(store, actor, target_id), None
    raise NotFound(target.value, target_id)


async def file_report(
    *, store: Store, actor: Actor | None, target: ReportTarget, target_id: str,
    reason: ReportReason, note: str | None, now: datetime, limits: RateLimits,
    field: str = "targetId",
) -> ReportDoc:
    """A reader reports what they may see; one open report per user and object."""
    actor = require_actor(actor)
    note = _checked_note(note)
    group, author = await _reported(store, actor, target, target_id)
    await rate_limits.spend(store, limits, actor, "reportPost", now)
    doc: ReportDoc = {
        "target_kind": target.value,
        "target_id": target_id,
        "group_id": str(group["_id"]),
        "owner_country": group.get("owner_country"),
        "target_author_id": author,
        "reporter_id": actor.id,
        "reason": ReportReason(reason).value,
        "note": note,
        "status": ReportStatus.OPEN.value,
        "open_key": f"{target_id}:{actor.id}",
        "created_at": now,
        "resolution": None,
        "_id": ObjectId(),
    }
    event = new_event(kind=EventKind.REPORT_FILED, actor=actor, group=group,
                      subject_kind="Report", subject=doc, now=now)
    async with store.outbox() as outbox:
        report = await store.reports.insert(doc=doc, events=outbox.of(event))
    if report is None:
        raise ValidationFailed(field, f"You already have an open report on this "
                               f"{target.value.lower()}")
    return report


async def report_post(
    *, store: Store, actor: Actor | None, post_id: str, reason: ReportReason,
    note: str | None, now: datetime, limits: RateLimits,
) -> ReportDoc:
    return await file_report(store=store, actor=actor, target=ReportTarget.POST,
                             target_id=post_id, reason=reason, note=note, now=now,
                             limits=limits, field="postId")


async def resolve_report(
    *, store: Store, actor: Actor | None, report_id: str, action: ReportAction,
    note: str | None, now: datetime,
) -> ReportDoc:
    """Act on a report (dismiss it; hide the post, lock the discussion, remove the page or
    close the group; or remove the author) and close it, with every other open report on the
    same object."""
    actor = require_actor(actor)
    note = _checked_note(note)
    report = await store.reports.get(report_id=report_id)
    if report is None:
        raise NotFound("Report", report_id)
    target = target_of(report.get("target_kind"))
    group = await existing_group(store, report["group_id"])
    check_may_handle(actor, group, await role_of(store, group, actor.id), target)
    check_action(target, action)
    if report["status"] != ReportStatus.OPEN:
        raise InvalidTransition(report["status"], "resolveReport")
    reason = note or f"Report {report['reason']}"
    resolution = {
        "action": ReportAction(action).value, "note": note, "by_id": actor.id,
        "by_name": actor.name, "at": now,
    }
    # The compare-and-set comes first: of racing resolutions, only the winner acts.
    resolved = await _close_report(store, actor, group, report, resolution, now)
    if resolved is None:
        raise InvalidTransition(ReportStatus.RESOLVED.value, "resolveReport")
    await _act(store, actor, group, report, action, reason, now)
    # Whatever was decided about the object answers every other report on it too.
    for other in await store.reports.open_on(target_id=report["target_id"]):
        await _close_report(store, actor, group, other,
                            {**resolution, "with_report_id": str(report["_id"])}, now)
    await moderation_log.record(
        store, actor=actor, group=group, action=ModerationAction.RESOLVE_REPORT,
        target_kind="Report", target_id=report_id, reason=f"{action.value}: {reason}", now=now,
    )
    return resolved


async def _act(
    store: Store, actor: Actor, group: GroupDoc, report: ReportDoc, action: ReportAction,
    reason: str, now: datetime,
) -> None:
    """Do what `action` says to the reported object, unless it is done already."""
    target_id = report["target_id"]
    match action:
        case ReportAction.HIDE_POST:
            if not is_hidden(await existing_post(store, target_id)):
                await hide_post(store=store, actor=actor, post_id=target_id, reason=reason,
                                now=now)
        case ReportAction.LOCK_DISCUSSION:
            await flag_discussion(store=store, actor=actor, discussion_id=target_id,
                                  flag="locked", value=True, reason=reason, now=now)
        case ReportAction.REMOVE_PAGE:
            await content.take_down_page(store=store, moderator=actor, page_id=target_id,
                                         group=group, now=now)
        case ReportAction.CLOSE_GROUP:
            if is_active(group):
                await transition_group(store=store, actor=actor, group_id=target_id,
                                       action=GroupAction.CLOSE, message=reason, now=now)
        case ReportAction.REMOVE_AUTHOR:
            author = report.get("target_author_id")
            if author and await role_of(store, group, author) is not None:
                await remove_member(store=store, actor=actor, group_id=report["group_id"],
                                    user_id=author, reason=reason, now=now)


async def _close_report(
    store: Store, actor: Actor, group: GroupDoc, report: ReportDoc,
    resolution: dict[str, Any], now: datetime,
) -> ReportDoc | None:
    """Resolve an open report, with its event; None if it was resolved meanwhile."""
    event = new_event(
        kind=EventKind.REPORT_RESOLVED, actor=actor, group=group, subject_kind="Report",
        subject={**report, "status": ReportStatus.RESOLVED.value, "resolution": resolution},
        now=now,
    )
    async with store.outbox() as outbox:
        return await store.reports.resolve(
            report_id=report["_id"], resolution=resolution, events=outbox.of(event)
        )


async def list_reports(
    *, store: Store, actor: Actor | None, status: ReportStatus | None, group_id: str | None,
    page: PageRequest,
) -> Slice[ReportDoc]:
    """Reports on what `actor` moderates, newest first: the support services see those of
    their scope, a group's leaders those of their groups except reports on the group itself."""
    actor = require_actor(actor)
    clauses: list[dict[str, Any]] = []
    if actor.is_css:
        clauses.append({})
    elif actor.nss_country is not None:
        clauses.append({"owner_country": actor.nss_country})
    led = await store.memberships.led_by(user_id=actor.id, roles=sorted(LEADERS))
    if led:
        clauses.append({"group_id": {"$in": led},
                        "target_kind": {"$ne": ReportTarget.GROUP.value}})
    if not clauses:
        return page.sliced(([], False), str)
    return page.sliced(await store.reports.page(
        scope={"$or": clauses}, status=status.value if status else None, group_id=group_id,
        seek=page.seek(position_id), limit=page.limit(),
    ), lambda doc: str(doc["_id"]))
