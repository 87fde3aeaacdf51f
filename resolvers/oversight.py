"""Oversight use cases: the CSS advisor of a group, exemptions from the inactivity watch, and
the groups the NSS propose for featuring."""

from datetime import datetime
from typing import Any

from bson import ObjectId

from resolvers import membership, moderation_log
from resolvers.domain.actors import Actor
from resolvers.domain.discussions import ModerationAction
from resolvers.domain.errors import Forbidden, InvalidTransition, NotFound
from resolvers.domain.events import EventKind
from resolvers.domain.forms import checked_message
from resolvers.domain.groups import GroupDoc, GroupScope, require_actor
from resolvers.domain.oversight import (
    CandidateDoc,
    FeaturingStatus,
    check_advisor,
    check_exempt,
    check_may_assign_advisor,
    check_may_decide_featuring,
    check_may_exempt,
    check_may_propose_featuring,
    check_proposed,
    checked_until,
    may_see_candidates,
)
from resolvers.domain.paging import PageRequest, Slice
from resolvers.groups import changed_group, existing_group, group_event
from resolvers.store import Store
from resolvers.store.groups import GroupFilter, id_position, position_id

_ANY = GroupFilter()


async def _change_group(
    store: Store, actor: Actor, group: GroupDoc, fields: dict[str, Any], kind: EventKind,
    now: datetime, *, message: str | None,
) -> GroupDoc:
    """Set `fields` on `group`, with an event of `kind` carrying the group as it becomes."""
    fields = {**fields, "updated_at": now}
    event = group_event(kind, actor, changed_group(group, fields), now, message=message)
    async with store.outbox() as outbox:
        changed = await store.groups.update_fields(group_id=group["_id"], fields=fields,
                                                   events=outbox.of(event))
    return changed or group


async def assign_advisor(
    *, store: Store, actor: Actor | None, group_id: str, advisor_id: str | None, now: datetime,
) -> GroupDoc:
    """CSS: a CSS user becomes the group's advisor (or, with None, it has none)."""
    actor = require_actor(actor)
    check_may_assign_advisor(actor)
    advisor_name = None
    if advisor_id is not None:
        advisor = await store.users.get(user_id=advisor_id)
        check_advisor(None if advisor is None else advisor.get("roles"))
        assert advisor is not None
        advisor_name = advisor["name"]
    group = await existing_group(store, group_id)
    if group.get("advisor_id") == advisor_id:
        return group
    changed = await _change_group(store, actor, group, {"advisor_id": advisor_id},
                                  EventKind.ADVISOR_ASSIGNED, now, message=advisor_name)
    await moderation_log.record(
        store, actor=actor, group=changed, action=ModerationAction.ASSIGN_ADVISOR,
        target_kind="Group", target_id=group_id,
        reason=f"advisor: {advisor_name}" if advisor_name else "no advisor", now=now,
    )
    return changed


async def advised_groups(
    *, store: Store, actor: Actor | None, page: PageRequest
) -> Slice[GroupDoc]:
    """The groups `actor` advises, newest first."""
    actor = require_actor(actor)
    if not actor.is_css:
        raise Forbidden("Advisors are members of the Central Support Service")
    return page.sliced(await store.groups.page(
        scope=GroupScope(everything=True, advisor_id=actor.id), criteria=_ANY,
        seek=page.seek(position_id), limit=page.limit(),
    ), id_position)


async def exempt_from_inactivity(
    *, store: Store, actor: Actor | None, group_id: str, until: datetime, reason: str,
    now: datetime,
) -> GroupDoc:
    """CSS, or the NSS of the group's country: the group is not due before `until`."""
    actor = require_actor(actor)
    reason = checked_message("reason", reason)
    until = checked_until(until, now)
    group = await existing_group(store, group_id)
    check_may_exempt(actor, group, "exemptFromInactivity")
    exemption = {"until": until, "reason": reason, "by_id": actor.id, "by_name": actor.name,
                 "at": now}
    changed = await _change_group(
        store, actor, group, {"inactivity_exempt_until": until, "inactivity_exemption": exemption},
        EventKind.INACTIVITY_EXEMPTION_GRANTED, now, message=reason,
    )
    await moderation_log.record(
        store, actor=actor, group=changed, action=ModerationAction.EXEMPT_FROM_INACTIVITY,
        target_kind="Group", target_id=group_id, reason=f"until {until.date()}: {reason}",
        now=now,
    )
    return changed


async def end_inactivity_exemption(
    *, store: Store, actor: Actor | None, group_id: str, reason: str, now: datetime,
) -> GroupDoc:
    """CSS, or the NSS of the group's country: the group is watched again from now."""
    actor = require_actor(actor)
    reason = checked_message("reason", reason)
    group = await existing_group(store, group_id)
    check_may_exempt(actor, group, "endInactivityExemption")
    check_exempt(group, now)
    changed = await _change_group(
        store, actor, group, {"inactivity_exempt_until": None, "inactivity_exemption": None},
        EventKind.INACTIVITY_EXEMPTION_ENDED, now, message=reason,
    )
    await moderation_log.record(
        store, actor=actor, group=changed, action=ModerationAction.END_INACTIVITY_EXEMPTION,
        target_kind="Group", target_id=group_id, reason=reason, now=now,
    )
    return changed


async def propose_for_featuring(
    *, store: Store, actor: Actor | None, group_id: str, reason: str, now: datetime,
) -> CandidateDoc:
    """NSS: propose an active group of their country to the CSS for featuring."""
    actor = require_actor(actor)
    reason = checked_message("reason", reason)
    group = await existing_group(store, group_id)
    check_may_propose_featuring(actor, group)
    doc: CandidateDoc = {
        "_id": ObjectId(),
        "group_id": group_id,
        "owner_country": group.get("owner_country"),
        "proposer_id": actor.id,
        "proposer_name": actor.name,
        "reason": reason,
        "status": FeaturingStatus.PROPOSED.value,
        "open_key": group_id,
        "created_at": now,
        "decision": None,
    }
    event = group_event(EventKind.FEATURING_PROPOSED, actor, group, now, message=reason)
    async with store.outbox() as outbox:
        candidate = await store.candidates.insert(doc=doc, events=outbox.of(event))
    if candidate is None:
        raise InvalidTransition("PROPOSED", "proposeForFeaturing",
                                "This group awaits the CSS's decision already")
    await moderation_log.record(
        store, actor=actor, group=group, action=ModerationAction.PROPOSE_FOR_FEATURING,
        target_kind="Group", target_id=group_id, reason=reason, now=now,
    )
    return candidate


async def decide_featuring(
    *, store: Store, actor: Actor | None, candidate_id: str, accept: bool, note: str | None,
    keep_moderators: list[str], now: datetime,
) -> CandidateDoc:
    """CSS: accept a candidate (the group is featured, as `setGroupFeatured` does) or decline
    it."""
    actor = require_actor(actor)
    check_may_decide_featuring(actor)
    note = checked_message("note", note) if note else None
    candidate = await store.candidates.get(candidate_id=candidate_id)
    if candidate is None:
        raise NotFound("FeaturingCandidate", candidate_id)
    check_proposed(candidate)
    group = await existing_group(store, candidate["group_id"])
    if accept:  # a group that may not be featured (closed since, say) is refused first
        await membership.featuring_demotes(store, actor, group, keep_moderators)
    status = FeaturingStatus.ACCEPTED if accept else FeaturingStatus.DECLINED
    decision = {"by_id": actor.id, "by_name": actor.name, "at": now, "note": note}
    event = group_event(EventKind.FEATURING_DECIDED, actor, group, now, message=note,
                        decision=status.value)
    # The compare-and-set comes first: of racing decisions, only the winner acts.
    async with store.outbox() as outbox:
        decided = await store.candidates.decide(
            candidate_id=candidate["_id"], status=status, decision=decision,
            events=outbox.of(event),
        )
    if decided is None:
        raise InvalidTransition("DECIDED", "decideFeaturingCandidate",
                                "This candidate was decided meanwhile")
    if accept:
        group = await membership.set_group_featured(
            store=store, actor=actor, group_id=candidate["group_id"], featured=True, now=now,
            keep_moderators=keep_moderators,
        )
    await moderation_log.record(
        store, actor=actor, group=group,
        action=(ModerationAction.ACCEPT_FOR_FEATURING if accept
                else ModerationAction.DECLINE_FOR_FEATURING),
        target_kind="Group", target_id=candidate["group_id"], reason=note, now=now,
    )
    return decided


async def featuring_candidates(
    *, store: Store, actor: Actor | None, status: FeaturingStatus | None, page: PageRequest,
) -> Slice[CandidateDoc]:
    """Newest first: all for the CSS, their country's for NSS."""
    actor = require_actor(actor)
    if not (actor.is_css or actor.nss_country is not None):
        raise Forbidden("Only the Central and National Support Services see candidates for "
                        "featuring")
    country = None if actor.is_css else actor.nss_country
    return page.sliced(await store.candidates.page(
        owner_country=country, status=status, seek=page.seek(position_id), limit=page.limit(),
    ), lambda doc: str(doc["_id"]))


async def visible_candidate(
    store: Store, actor: Actor | None, candidate_id: str
) -> CandidateDoc | None:
    candidate = await store.candidates.get(candidate_id=candidate_id)
    if candidate is None or actor is None:
        return None
    return candidate if may_see_candidates(actor, candidate.get("owner_country")) else None
