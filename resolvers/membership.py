"""Membership use cases: join, leave, invite, respond, designate roles, remove, feature."""

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from resolvers import moderation_log, netiquette
from resolvers.domain.actors import Actor
from resolvers.domain.discussions import ModerationAction
from resolvers.domain.errors import InvalidTransition, NotFound, ValidationFailed
from resolvers.domain.events import EventDoc, EventKind, new_event
from resolvers.domain.forms import checked_message
from resolvers.domain.groups import GroupDoc, require_active, require_actor
from resolvers.domain.membership import (
    GroupRole,
    InvitationStatus,
    check_may_feature,
    check_may_invite,
    check_may_join,
    check_may_leave,
    check_may_remove,
    check_may_set_role,
    may_read_content,
    unconfirmed_moderators,
)
from resolvers.domain.paging import PageRequest, Slice
from resolvers.groups import existing_group, group_event, visible_group
from resolvers.store import Store
from resolvers.store.invitations import InvitationDoc
from resolvers.store.memberships import MembershipDoc, membership_id


async def role_of(store: Store, group: GroupDoc, user_id: str) -> GroupRole | None:
    membership = await store.memberships.get(group_id=str(group["_id"]), user_id=user_id)
    return GroupRole(membership["role"]) if membership else None


async def _member(store: Store, group: GroupDoc, user_id: str) -> MembershipDoc:
    membership = await store.memberships.get(group_id=str(group["_id"]), user_id=user_id)
    if membership is None:
        raise NotFound("Member", user_id, type_name="User")
    return membership


async def _owners(store: Store, group: GroupDoc) -> int:
    return await store.memberships.count(group_id=str(group["_id"]), role=GroupRole.OWNER)


# How long a change of owners may hold its group before another may go ahead anyway.
OWNERS_LEASE = timedelta(seconds=10)


@contextlib.asynccontextmanager
async def _owners_held(
    store: Store, group: GroupDoc, *, losing_one: bool, action: str, now: datetime
) -> AsyncIterator[int]:
    """The group's number of owners, for a change that may take one away: held steady until
    the change is written (a lease on the group document, lapsing if its holder dies), so two
    owners leaving at once cannot leave the group with none. A lone owner needs no lease: the
    rules refuse the change, and a refusal writes nothing."""
    owners = await _owners(store, group)
    if not losing_one or owners <= 1:
        yield owners
        return
    holder = uuid.uuid4().hex
    if not await store.groups.hold(group_id=group["_id"], holder=holder, now=now,
                                   until=now + OWNERS_LEASE):
        raise InvalidTransition("BUSY", action, "Another change of this group's owners is "
                                                "under way; try again in a moment")
    try:
        yield await _owners(store, group)
    finally:
        await store.groups.release(group_id=group["_id"], holder=holder)


def _member_event(
    kind: EventKind, actor: Actor, group: GroupDoc, user_id: str, role: GroupRole | None,
    now: datetime,
) -> EventDoc:
    subject = {"group_id": str(group["_id"]), "user_id": user_id,
               "role": role.value if role else None}
    return new_event(kind=kind, actor=actor, group=group, subject_kind="Membership",
                     subject=subject, now=now)


async def _add_member(
    store: Store, group: GroupDoc, actor: Actor, role: GroupRole, now: datetime,
    netiquette_version: int | None = None,
) -> GroupDoc:
    """Add `actor` once, who accepts `netiquette_version` in joining; the count moves only
    when a membership was really created, so it stays exact under concurrent joins."""
    gid = str(group["_id"])
    event = _member_event(EventKind.MEMBER_JOINED, actor, group, actor.id, role, now)
    # The event is committed last: a writer that dies before leaves it in the membership's
    # outbox, and recovery then makes the group's count exact.
    async with store.outbox() as outbox:
        if not await store.memberships.add(
            group_id=gid, user_id=actor.id, role=role, now=now, events=outbox.of(event),
            netiquette_version=netiquette_version,
        ):
            return group
        await netiquette.record(store, actor, netiquette_version)
        # A new member counts as activity.
        changed = await store.groups.count_members(group_id=group["_id"], delta=1,
                                                   active_at=now)
    return changed or group


async def _drop_member(
    store: Store, group: GroupDoc, actor: Actor, user_id: str, kind: EventKind, now: datetime
) -> GroupDoc:
    gid = str(group["_id"])
    event = _member_event(kind, actor, group, user_id, None, now)
    async with store.outbox() as outbox:  # committed last, as in `_add_member`
        if await store.memberships.remove(
            group_id=gid, user_id=user_id, now=now, events=outbox.of(event)
        ) is None:
            return group
        changed = await store.groups.count_members(group_id=group["_id"], delta=-1)
    return changed or group


async def join_group(
    *, store: Store, actor: Actor | None, group_id: str, now: datetime,
    netiquette_version: int | None = None,
) -> GroupDoc:
    """Join an open active group (or an invite-only one with a pending invitation),
    accepting the current netiquette, which the caller may name (`netiquette_version`)."""
    actor = require_actor(actor)
    group = await visible_group(store, actor, group_id)
    if await role_of(store, group, actor.id) is not None:
        return group
    invitation = await store.invitations.get(invitation_id=membership_id(group_id, actor.id))
    invited = invitation is not None and invitation["status"] == InvitationStatus.PENDING
    check_may_join(group, invited=invited)
    accepted = await netiquette.accepting(store, netiquette_version)
    if invited:
        assert invitation is not None
        await _answer(store, actor, group, invitation, InvitationStatus.ACCEPTED, now)
    return await _add_member(store, group, actor, GroupRole.MEMBER, now, accepted)


def _invitation_event(
    kind: EventKind, actor: Actor, group: GroupDoc, invitation: InvitationDoc, now: datetime,
) -> EventDoc:
    """An event about an invitation: for the group's leaders, and whom it notifies."""
    subject = {"group_id": invitation["group_id"], "user_id": invitation["user_id"],
               "inviter_id": invitation["inviter_id"], "role": None}
    return new_event(kind=kind, actor=actor, group=group, subject_kind="Invitation",
                     subject=subject, now=now, extra={"to_status": invitation["status"]})


async def _answer(
    store: Store, actor: Actor, group: GroupDoc, invitation: InvitationDoc,
    status: InvitationStatus, now: datetime,
) -> InvitationDoc | None:
    """Answer a pending invitation, with its event; None if it was answered meanwhile."""
    event = _invitation_event(EventKind.INVITATION_ANSWERED, actor, group,
                              {**invitation, "status": status.value}, now)
    async with store.outbox() as outbox:
        return await store.invitations.respond(
            invitation_id=invitation["_id"], status=status, now=now, events=outbox.of(event))


async def leave_group(
    *, store: Store, actor: Actor | None, group_id: str, now: datetime
) -> GroupDoc:
    actor = require_actor(actor)
    group = await visible_group(store, actor, group_id)
    role = await role_of(store, group, actor.id)
    if role is None:
        return group
    async with _owners_held(store, group, losing_one=role is GroupRole.OWNER,
                            action="leaveGroup", now=now) as owners:
        check_may_leave(role, owners)
        return await _drop_member(store, group, actor, actor.id, EventKind.MEMBER_LEFT, now)


async def invite_member(
    *, store: Store, actor: Actor | None, group_id: str, user_id: str, now: datetime
) -> InvitationDoc:
    actor = require_actor(actor)
    group = await visible_group(store, actor, group_id)
    check_may_invite(await role_of(store, group, actor.id), group)
    if await role_of(store, group, user_id) is not None:
        raise ValidationFailed("userId", "This teacher is already a member")
    if await store.users.get(user_id=user_id) is None:
        raise ValidationFailed("userId", "This teacher has never signed in to Agora, so they "
                               "cannot be invited yet: ask them to sign in once")
    invitation: InvitationDoc = {"group_id": group_id, "user_id": user_id,
                                 "inviter_id": actor.id, "status": InvitationStatus.PENDING}
    event = _invitation_event(EventKind.INVITED, actor, group, invitation, now)
    async with store.outbox() as outbox:
        return await store.invitations.invite(group_id=group_id, user_id=user_id,
                                              inviter_id=actor.id, now=now,
                                              events=outbox.of(event))


async def respond_to_invitation(
    *, store: Store, actor: Actor | None, invitation_id: str, accept: bool, now: datetime,
    netiquette_version: int | None = None,
) -> InvitationDoc:
    """Accepting joins the group, and accepts the current netiquette as `join_group` does."""
    actor = require_actor(actor)
    invitation = await store.invitations.get(invitation_id=invitation_id)
    if invitation is None or invitation["user_id"] != actor.id:
        raise NotFound("Invitation", invitation_id)
    if invitation["status"] != InvitationStatus.PENDING:
        raise InvalidTransition(invitation["status"], "respondToInvitation")
    group = await existing_group(store, invitation["group_id"])
    accepted = None
    if accept:
        require_active(group, "respondToInvitation")
        accepted = await netiquette.accepting(store, netiquette_version)
    status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    answered = await _answer(store, actor, group, invitation, status, now)
    if answered is None:
        raise InvalidTransition("ANSWERED", "respondToInvitation")
    if accept:
        await _add_member(store, group, actor, GroupRole.MEMBER, now, accepted)
    return answered


async def set_member_role(
    *, store: Store, actor: Actor | None, group_id: str, user_id: str, role: GroupRole,
    now: datetime, reason: str | None = None,
) -> MembershipDoc:
    actor = require_actor(actor)
    group = await visible_group(store, actor, group_id)
    target = await _member(store, group, user_id)
    current = GroupRole(target["role"])
    actor_role = await role_of(store, group, actor.id)
    losing_one = current is GroupRole.OWNER and role is not GroupRole.OWNER
    async with _owners_held(store, group, losing_one=losing_one, action="setMemberRole",
                            now=now) as owners:
        check_may_set_role(actor, group, actor_role=actor_role, current=current, wanted=role,
                           owners=owners)
        if current is role:
            return target
        event = _member_event(EventKind.MEMBER_ROLE_CHANGED, actor, group, user_id, role, now)
        async with store.outbox() as outbox:
            changed = await store.memberships.set_role(
                group_id=group_id, user_id=user_id, current=current, wanted=role,
                events=outbox.of(event),
            )
    if changed is None:
        raise InvalidTransition("CHANGED", "setMemberRole")
    await moderation_log.record(
        store, actor=actor, group=group, action=ModerationAction.SET_MEMBER_ROLE,
        target_kind="User", target_id=user_id,
        reason=f"{current.value} to {role.value}" + (f": {reason}" if reason else ""),
        now=now,
    )
    return changed


async def remove_member(
    *, store: Store, actor: Actor | None, group_id: str, user_id: str, reason: str,
    now: datetime,
) -> GroupDoc:
    actor = require_actor(actor)
    reason = checked_message("reason", reason)
    group = await visible_group(store, actor, group_id)
    target = await _member(store, group, user_id)
    target_role = GroupRole(target["role"])
    actor_role = await role_of(store, group, actor.id)
    async with _owners_held(store, group, losing_one=target_role is GroupRole.OWNER,
                            action="removeMember", now=now) as owners:
        check_may_remove(actor, group, actor_role=actor_role, target=target_role,
                         owners=owners)
        changed = await _drop_member(store, group, actor, user_id, EventKind.MEMBER_REMOVED,
                                     now)
    await moderation_log.record(
        store, actor=actor, group=group, action=ModerationAction.REMOVE_MEMBER,
        target_kind="User", target_id=user_id, reason=reason, now=now,
    )
    return changed


async def set_group_featured(
    *, store: Store, actor: Actor | None, group_id: str, featured: bool, now: datetime,
    keep_moderators: list[str] | None = None,
) -> GroupDoc:
    """The CSS features an active group (or stops featuring one). Featured groups' moderators
    are the CSS's: as a group becomes featured, those in `keep_moderators` stay moderators,
    and the others become members, each change logged."""
    actor = require_actor(actor)
    group = await existing_group(store, group_id)
    check_may_feature(actor, group, featured)
    if featured and not group.get("featured"):
        for user_id in await featuring_demotes(store, actor, group, keep_moderators or []):
            await set_member_role(store=store, actor=actor, group_id=group_id,
                                  user_id=user_id, role=GroupRole.MEMBER, now=now,
                                  reason="not confirmed as the group was featured")
    event = group_event(EventKind.GROUP_UPDATED, actor, {**group, "featured": featured}, now)
    async with store.outbox() as outbox:
        changed = await store.groups.update_fields(
            group_id=group["_id"], fields={"featured": featured, "updated_at": now},
            events=outbox.of(event),
        )
    if changed is not None and group.get("featured", False) != featured:
        await moderation_log.record(
            store, actor=actor, group=group, target_kind="Group", target_id=str(group["_id"]),
            action=ModerationAction.FEATURE_GROUP if featured else ModerationAction.UNFEATURE_GROUP,
            reason=None, now=now,
        )
    return changed or group


async def featuring_demotes(
    store: Store, actor: Actor, group: GroupDoc, keep_moderators: list[str]
) -> list[str]:
    """The moderators who would become members as `group` becomes featured; Forbidden or
    ValidationFailed, before anything changes, if it may not be."""
    check_may_feature(actor, group, True)
    moderators = await store.memberships.holders(group_id=str(group["_id"]),
                                                 role=GroupRole.MODERATOR)
    return unconfirmed_moderators(moderators, keep_moderators)


async def list_members(
    *, store: Store, actor: Actor | None, viewer_role: GroupRole | None, group: GroupDoc,
    role: GroupRole | None, page: PageRequest,
) -> Slice[MembershipDoc] | None:
    """Members in joining order; None when `actor` (whose role in the group is `viewer_role`)
    may not read the group's content."""
    if not may_read_content(actor, group, viewer_role):
        return None
    return page.sliced(await store.memberships.page(
        group_id=str(group["_id"]), role=role, seek=page.seek(), limit=page.limit()
    ), lambda doc: doc["joined_seq"])


async def my_invitations(
    *, store: Store, actor: Actor, page: PageRequest
) -> Slice[InvitationDoc]:
    return page.sliced(await store.invitations.pending_for(
        user_id=actor.id, seek=page.seek(), limit=page.limit()
    ), lambda doc: doc["invited_seq"])
