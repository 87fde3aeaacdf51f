"""Group use cases: propose, edit, list, find similar, and the CSS approval workflow."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from bson import ObjectId

from resolvers import moderation_log, rate_limits
from resolvers.domain import similarity
from resolvers.domain.actors import Actor
from resolvers.domain.discussions import ModerationAction
from resolvers.domain.errors import InvalidTransition, NotFound
from resolvers.domain.events import EventDoc, EventKind, new_event
from resolvers.domain.forms import (
    FormChanges,
    GroupForm,
    checked_message,
    validate_group_form,
)
from resolvers.domain.groups import (
    AWAITING_REVIEW,
    SIMILARITY_STATUSES,
    GroupAction,
    GroupDoc,
    GroupOrder,
    GroupStatus,
    Participation,
    check_may_act,
    check_may_edit,
    initial_status,
    is_activation,
    may_view,
    next_status,
    oversight_scope,
    require_actor,
    review_scope,
    visible_scope,
)
from resolvers.domain.paging import PageRequest, Slice, checked_page_size
from resolvers.domain.rate_limits import RateLimits
from resolvers.store import Store
from resolvers.store.groups import ORDERINGS, GroupFilter, id_position, object_id, position_id
from resolvers.store.outbox import NO_EVENTS, Events

# Workflow steps as the moderation log names them.
LOGGED_ACTIONS = {
    GroupAction.APPROVE: ModerationAction.APPROVE_GROUP,
    GroupAction.REJECT: ModerationAction.REJECT_GROUP,
    GroupAction.REQUEST_INFO: ModerationAction.REQUEST_GROUP_INFO,
    GroupAction.ANSWER_INFO_REQUEST: ModerationAction.ANSWER_INFO_REQUEST,
    GroupAction.CLOSE: ModerationAction.CLOSE_GROUP,
    GroupAction.REOPEN: ModerationAction.REOPEN_GROUP,
    GroupAction.WITHDRAW: ModerationAction.WITHDRAW_GROUP,
}
# How many candidates similarity ranking reads at most, whatever the number of groups: first
# the newest groups whose text holds a word of the proposal's title or that share a topic
# (what weighs most in the ranking), then, if those are fewer, the newest sharing any term.
SIMILARITY_POOL = 100


@dataclass(frozen=True, slots=True)
class SimilarGroup:
    group: GroupDoc
    match: similarity.Match


def _form_fields(form: GroupForm) -> GroupDoc:
    profile = similarity.profile_of(
        title=form.title, description=form.description, objectives=form.objectives,
        topics=form.topics, languages=form.languages,
    )
    return {
        "title": form.title,
        "description": form.description,
        "objectives": form.objectives,
        "participation": form.participation.value,
        "languages": list(form.languages),
        "topics": list(form.topics),
        "terms": sorted(profile.terms),
        "title_terms": sorted(profile.title_terms),
    }


def _form_of(group: GroupDoc) -> GroupForm:
    return GroupForm(
        title=group["title"],
        description=group["description"],
        objectives=group["objectives"],
        participation=Participation(group["participation"]),
        languages=tuple(group["languages"]),
        topics=tuple(group["topics"]),
    )


def _profile_of(group: Mapping[str, Any]) -> similarity.Profile:
    return similarity.Profile(
        terms=frozenset(group.get("terms", ())),
        title_terms=frozenset(group.get("title_terms", ())),
        topics=frozenset(group.get("topics", ())),
        languages=frozenset(group.get("languages", ())),
    )


def _history_entry(
    actor: Actor, action: str, message: str | None, now: datetime,
    from_status: GroupStatus | None, to_status: GroupStatus,
) -> dict[str, Any]:
    return {
        "actor_id": actor.id,
        "actor_name": actor.name,
        "action": action,
        "message": message,
        "at": now,
        "from_status": from_status.value if from_status else None,
        "to_status": to_status.value,
    }


async def _rank_similar(
    *, store: Store, proposal: similarity.Profile, scope_actor: Actor | None, limit: int,
    exclude: Any = None,
) -> list[SimilarGroup]:
    scope = oversight_scope() if scope_actor is None else visible_scope(scope_actor)
    candidates: list[GroupDoc] = []
    for terms, topics in ((proposal.title_terms, proposal.topics), (proposal.terms, ())):
        candidates += await store.groups.similarity_candidates(
            scope=scope, statuses=SIMILARITY_STATUSES, terms=sorted(terms),
            topics=sorted(topics), limit=SIMILARITY_POOL - len(candidates),
            besides=[doc["_id"] for doc in candidates],
        )
        if len(candidates) >= SIMILARITY_POOL:
            break
    candidates = [doc for doc in candidates if doc["_id"] != exclude]
    matches = similarity.rank(proposal, [_profile_of(doc) for doc in candidates], limit=limit)
    # Candidates hold only what ranking reads; fetch the winners whole.
    winners = [str(candidates[match.index]["_id"]) for match in matches]
    found = {str(doc["_id"]): doc for doc in await store.groups.get_many(group_ids=winners)}
    return [
        SimilarGroup(found[ident], match)
        for ident, match in zip(winners, matches, strict=True)
        if ident in found
    ]


_NOT_IN_EVENTS = ("review", "terms", "title_terms", "outbox")


def group_event(
    kind: EventKind, actor: Actor, group: GroupDoc, now: datetime, **extra: Any
) -> EventDoc:
    """An event about `group` itself, carrying the group (without its review record)."""
    subject = {key: value for key, value in group.items() if key not in _NOT_IN_EVENTS}
    return new_event(kind=kind, actor=actor, group=group, subject_kind="Group",
                     subject=subject, now=now, extra=extra or None)


def changed_group(group: GroupDoc, fields: dict[str, Any]) -> GroupDoc:
    """`group` as it will be once `fields` are set: what its event describes."""
    return cast(GroupDoc, {**group, **fields})


def _similar_record(item: SimilarGroup) -> dict[str, Any]:
    match = item.match
    return {
        "group_id": str(item.group["_id"]),
        "score": match.score,
        "matched_terms": list(match.matched_terms),
        "shared_topics": list(match.shared_topics),
        "shared_languages": list(match.shared_languages),
    }


def _match_of(record: dict[str, Any]) -> similarity.Match:
    return similarity.Match(
        index=0,
        score=record["score"],
        matched_terms=tuple(record["matched_terms"]),
        shared_topics=tuple(record["shared_topics"]),
        shared_languages=tuple(record["shared_languages"]),
    )


async def create_group(
    *, store: Store, actor: Actor | None, form: GroupForm, now: datetime, similar_recorded: int,
    featured: bool = False, limits: RateLimits | None = None,
) -> GroupDoc:
    """Propose a group: it is PENDING, owned by `actor`, with near-duplicates recorded for
    the CSS to see when reviewing. A featured group (CSS only) starts ACTIVE. `limits` is
    None only for seeding."""
    actor = require_actor(actor)
    status = initial_status(actor, featured=featured)
    form = validate_group_form(form)
    if limits is not None:
        await rate_limits.spend(store, limits, actor, "createGroup", now)
    fields = _form_fields(form)
    similar = await _rank_similar(
        store=store, proposal=_profile_of(fields), scope_actor=None, limit=similar_recorded
    )
    doc: GroupDoc = {
        **fields,
        "status": status.value,
        "featured": featured,
        "member_count": 1,
        "owner_id": actor.id,
        "owner_country": actor.country,
        "created_at": now,
        "updated_at": now,
        "last_activity_at": now,
        **({"approved_at": now} if is_activation(status) else {}),
        "review": {
            "history": [_history_entry(actor, GroupAction.SUBMIT, None, now, None, status)],
            "similar": [_similar_record(item) for item in similar],
        },
    }
    doc["_id"] = ObjectId()
    event = group_event(EventKind.GROUP_STATUS_CHANGED, actor, doc, now,
                        from_status=None, to_status=status.value)
    # Its event is committed last: a writer that dies before leaves it in the group's outbox,
    # and recovery recounts the members.
    async with store.outbox() as outbox:
        group = await store.groups.insert(doc=doc, events=outbox.of(event))
        await store.memberships.add(
            group_id=str(group["_id"]), user_id=actor.id, role="OWNER", now=now
        )
    return group


async def record_activity(
    store: Store, group: GroupDoc, now: datetime, fields: dict[str, Any] | None = None,
    events: Events = NO_EVENTS, counts: dict[str, int] | None = None,
) -> GroupDoc:
    """A post, discussion or page change: the group's inactivity clock starts again. `events`
    ride in the group's outbox; `counts` are added to its counters."""
    changed = await store.groups.update_fields(
        group_id=group["_id"], fields={**(fields or {}), "last_activity_at": now}, events=events,
        counts=counts,
    )
    return changed or group


async def get_group(*, store: Store, actor: Actor | None, group_id: str) -> GroupDoc | None:
    """The group, if it exists and `actor` may see it."""
    group = await store.groups.get(group_id=group_id)
    return group if group is not None and may_view(actor, group) else None


async def existing_group(store: Store, group_id: str) -> GroupDoc:
    group = await store.groups.get(group_id=group_id)
    if group is None:
        raise NotFound("Group", group_id)
    return group


async def visible_group(store: Store, actor: Actor, group_id: str) -> GroupDoc:
    """The group, or NotFound if it does not exist or `actor` may not see it."""
    group = await existing_group(store, group_id)
    if not may_view(actor, group):
        raise NotFound("Group", group_id)
    return group


async def update_group(
    *, store: Store, actor: Actor | None, group_id: str, changes: FormChanges, now: datetime,
) -> GroupDoc:
    """The owner edits the form while the group is pending, asked for more, or active."""
    actor = require_actor(actor)
    group = await visible_group(store, actor, group_id)
    check_may_edit(actor, group)
    form = validate_group_form(changes.apply_to(_form_of(group)))
    status = GroupStatus(group["status"])
    fields = {**_form_fields(form), "updated_at": now}
    event = group_event(EventKind.GROUP_UPDATED, actor, changed_group(group, fields), now)
    async with store.outbox() as outbox:
        changed = await store.groups.change(
            group_id=group["_id"],
            expected_status=status,
            set_fields=fields,
            history_entry=_history_entry(actor, "EDIT", None, now, status, status),
            events=outbox.of(event),
        )
    if changed is None:
        raise InvalidTransition(await _current_status(store, group_id), "updateGroup")
    return changed


async def _current_status(store: Store, group_id: str) -> str:
    group = await existing_group(store, group_id)
    return group["status"]


async def transition_group(
    *,
    store: Store,
    actor: Actor | None,
    group_id: str,
    action: GroupAction,
    message: str | None,
    now: datetime,
    changes: FormChanges | None = None,
    message_field: str = "message",
) -> GroupDoc:
    """One step of the approval workflow, recorded in the group's review history.

    Compare-and-set on the status: of two racing steps exactly one wins; the other gets
    InvalidTransition and changes nothing.
    """
    actor = require_actor(actor)
    if message is not None:
        message = checked_message(message_field, message)
    group = await existing_group(store, group_id)
    check_may_act(actor, action, group)
    status = GroupStatus(group["status"])
    target = next_status(status, action)
    fields: dict[str, Any] = {"status": target.value, "updated_at": now}
    if action is GroupAction.REOPEN:  # its inactivity clock starts again; approval stands
        fields |= {"last_activity_at": now}
    elif is_activation(target):
        fields |= {"approved_at": now, "last_activity_at": now}
    if changes is not None:
        fields |= _form_fields(validate_group_form(changes.apply_to(_form_of(group))))
    event = group_event(EventKind.GROUP_STATUS_CHANGED, actor, changed_group(group, fields), now,
                        from_status=status.value, to_status=target.value, message=message)
    async with store.outbox() as outbox:
        changed = await store.groups.change(
            group_id=group["_id"],
            expected_status=status,
            set_fields=fields,
            history_entry=_history_entry(actor, action, message, now, status, target),
            events=outbox.of(event),
        )
    if changed is None:
        raise InvalidTransition(await _current_status(store, group_id), action.value)
    await moderation_log.record(
        store, actor=actor, group=changed, action=LOGGED_ACTIONS[action], target_kind="Group",
        target_id=group_id, reason=message, now=now,
    )
    return changed


async def list_groups(
    *, store: Store, actor: Actor | None, criteria: GroupFilter, page: PageRequest,
    order: GroupOrder = GroupOrder.NEWEST,
) -> Slice[GroupDoc]:
    """Groups `actor` may see, in `order`."""
    actor = require_actor(actor)
    ordering = ORDERINGS[order]
    return page.sliced(await store.groups.page(
        scope=visible_scope(actor), criteria=criteria, seek=page.seek(ordering.parse),
        limit=page.limit(), order=order,
    ), ordering.position)


async def review_queue(*, store: Store, actor: Actor | None, page: PageRequest) -> Slice[GroupDoc]:
    """Groups awaiting review that `actor` supports, oldest first."""
    actor = require_actor(actor)
    scope = review_scope(actor)
    return page.sliced(await store.groups.page(
        scope=scope, criteria=GroupFilter(status=AWAITING_REVIEW), seek=page.seek(position_id),
        limit=page.limit(), oldest_first=True,
    ), id_position)


def search_terms(text: str | None) -> tuple[str, ...]:
    return tuple(similarity.terms_of(text)) if text else ()


async def similar_groups(
    *, store: Store, actor: Actor | None, proposal: similarity.Profile, first: int | None,
    max_size: int, exclude_group_id: str | None = None,
) -> list[SimilarGroup]:
    """Existing active and pending groups that `actor` may see, most similar first."""
    actor = require_actor(actor)
    size = checked_page_size(first, default=10, maximum=max_size)
    return await _rank_similar(
        store=store, proposal=proposal, scope_actor=actor, limit=size,
        exclude=_excluded(exclude_group_id),
    )


def _excluded(group_id: str | None) -> ObjectId | None:
    """The id of the group a ranking leaves out (one's own, when editing it), if any."""
    return object_id(group_id) if group_id is not None else None


# How many of the closest matches `pending_similar` looks at.
PENDING_LOOKED_AT = 10


async def pending_similar(
    *, store: Store, actor: Actor | None, proposal: similarity.Profile,
    exclude_group_id: str | None = None,
) -> int:
    """How many of the closest matches to `proposal` are other teachers' proposals awaiting
    review, which `actor` may not see: a proposer learns that one is pending (the guide asks
    them to join a similar group rather than open another), never what it is."""
    actor = require_actor(actor)
    matches = await _rank_similar(store=store, proposal=proposal, scope_actor=None,
                                  limit=PENDING_LOOKED_AT, exclude=_excluded(exclude_group_id))
    return sum(1 for match in matches
               if match.group["status"] == GroupStatus.PENDING
               and not may_view(actor, match.group))


async def recorded_similar(*, store: Store, actor: Actor, group: GroupDoc) -> list[SimilarGroup]:
    """The near-duplicates recorded when `group` was proposed, as `actor` may see them."""
    recorded = group.get("review", {}).get("similar", [])
    docs = {
        str(doc["_id"]): doc
        for doc in await store.groups.get_many(group_ids=[item["group_id"] for item in recorded])
    }
    return [
        SimilarGroup(doc, _match_of(item))
        for item in recorded
        if (doc := docs.get(item["group_id"])) is not None and may_view(actor, doc)
    ]
