"""Membership mutations, and the caller's invitations."""

import strawberry

from resolvers import membership
from resolvers.domain.membership import GroupRole
from schema.context import Info
from schema.inputs import (
    InviteMemberInput,
    JoinGroupInput,
    LeaveGroupInput,
    RemoveMemberInput,
    RespondToInvitationInput,
    SetGroupFeaturedInput,
    SetMemberRoleInput,
    node_id,
)
from schema.payloads import (
    InviteMemberPayload,
    JoinGroupPayload,
    LeaveGroupPayload,
    RemoveMemberPayload,
    RespondToInvitationPayload,
    SetGroupFeaturedPayload,
    SetMemberRolePayload,
)
from schema.types.group import Group
from schema.types.membership import Invitation, Membership


@strawberry.type
class MembershipMutation:
    @strawberry.mutation(description="Join an open active group; joining twice is harmless.")
    async def join_group(self, info: Info, input: JoinGroupInput) -> JoinGroupPayload:
        ctx = info.context
        return Group.from_doc(await membership.join_group(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            now=ctx.now(), netiquette_version=input.netiquette_version,
        ))

    @strawberry.mutation(description="Leave a group; the last owner must hand the role on.")
    async def leave_group(self, info: Info, input: LeaveGroupInput) -> LeaveGroupPayload:
        ctx = info.context
        return Group.from_doc(await membership.leave_group(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            now=ctx.now(),
        ))

    @strawberry.mutation(description="Owners and moderators invite a teacher.")
    async def invite_member(self, info: Info, input: InviteMemberInput) -> InviteMemberPayload:
        ctx = info.context
        return Invitation.from_doc(await membership.invite_member(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            user_id=node_id(input.user_id, "User"), now=ctx.now(),
        ))

    @strawberry.mutation(description="The invitee accepts (and joins) or declines.")
    async def respond_to_invitation(
        self, info: Info, input: RespondToInvitationInput
    ) -> RespondToInvitationPayload:
        ctx = info.context
        return Invitation.from_doc(await membership.respond_to_invitation(
            store=ctx.store, actor=ctx.viewer,
            invitation_id=node_id(input.invitation_id, "Invitation"), accept=input.accept,
            now=ctx.now(), netiquette_version=input.netiquette_version,
        ))

    @strawberry.mutation(
        description="Owners (and the CSS) designate roles; in featured groups only the CSS "
        "designates moderators."
    )
    async def set_member_role(
        self, info: Info, input: SetMemberRoleInput
    ) -> SetMemberRolePayload:
        ctx = info.context
        return Membership.from_doc(await membership.set_member_role(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            user_id=node_id(input.user_id, "User"), role=GroupRole(input.role),
            now=ctx.now(),
        ))

    @strawberry.mutation(description="Remove a member, with a reason.")
    async def remove_member(self, info: Info, input: RemoveMemberInput) -> RemoveMemberPayload:
        ctx = info.context
        return Group.from_doc(await membership.remove_member(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            user_id=node_id(input.user_id, "User"), reason=input.reason, now=ctx.now(),
        ))

    @strawberry.mutation(description="CSS: feature a group, or stop featuring it.")
    async def set_group_featured(
        self, info: Info, input: SetGroupFeaturedInput
    ) -> SetGroupFeaturedPayload:
        ctx = info.context
        return Group.from_doc(await membership.set_group_featured(
            store=ctx.store, actor=ctx.viewer, group_id=node_id(input.group_id, "Group"),
            featured=input.featured, now=ctx.now(),
            keep_moderators=[node_id(user, "User") for user in input.keep_moderators or []],
        ))
