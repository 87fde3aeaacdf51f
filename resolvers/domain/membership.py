"""Group roles, invitations, and who may join, invite, designate, remove, and read content."""

from dataclasses import dataclass
from enum import StrEnum

from resolvers.domain.actors import Actor
from resolvers.domain.errors import Forbidden, ValidationFailed
from resolvers.domain.groups import (
    GroupDoc,
    Participation,
    is_owner,
    may_view,
    oversees,
    require_active,
)


class GroupRole(StrEnum):
    OWNER = "OWNER"
    MODERATOR = "MODERATOR"
    MEMBER = "MEMBER"


class InvitationStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


LEADERS = frozenset({GroupRole.OWNER, GroupRole.MODERATOR})


@dataclass(frozen=True, slots=True)
class Standing:
    """All that the permission rules ask about a viewer in one group: two viewers with the
    same standing may see exactly the same things of that group."""

    role: GroupRole | None
    oversees: bool
    owns: bool

    @property
    def moderates(self) -> bool:
        return self.role in LEADERS or self.oversees


def standing(actor: Actor, group: GroupDoc, role: GroupRole | None) -> Standing:
    return Standing(role=role, oversees=oversees(actor, group), owns=is_owner(actor, group))


def is_invite_only(group: GroupDoc) -> bool:
    return group["participation"] == Participation.INVITE_ONLY


def check_may_join(group: GroupDoc, *, invited: bool) -> None:
    require_active(group, "joinGroup")
    if is_invite_only(group) and not invited:
        raise Forbidden("This group is by invitation only")


def check_may_invite(role: GroupRole | None, group: GroupDoc) -> None:
    if role not in LEADERS:
        raise Forbidden("Only the group's owners and moderators invite members")
    require_active(group, "inviteMember")


def check_may_leave(role: GroupRole, owners: int) -> None:
    if role is GroupRole.OWNER and owners <= 1:
        raise Forbidden("The last owner cannot leave: make another member an owner first")


def check_may_set_role(
    actor: Actor, group: GroupDoc, *, actor_role: GroupRole | None, current: GroupRole,
    wanted: GroupRole, owners: int,
) -> None:
    """Owners (and the CSS) designate roles; in featured groups, owners and moderators are
    the CSS's call alone."""
    require_active(group, "setMemberRole")
    touches_leaders = current in LEADERS or wanted in LEADERS
    if group.get("featured") and touches_leaders:
        if not actor.is_css:
            raise Forbidden("Only the Central Support Service designates owners and "
                            "moderators of featured groups")
    elif not (actor_role is GroupRole.OWNER or actor.is_css):
        raise Forbidden("Only the group's owners designate roles")
    if current is GroupRole.OWNER and wanted is not GroupRole.OWNER and owners <= 1:
        raise Forbidden("A group keeps at least one owner")


def check_may_remove(
    actor: Actor, group: GroupDoc, *, actor_role: GroupRole | None, target: GroupRole,
    owners: int,
) -> None:
    """Owners, the CSS and the owner's NSS remove anyone; moderators remove members."""
    if target is GroupRole.OWNER and owners <= 1:
        raise Forbidden("The last owner cannot be removed")
    if actor_role is GroupRole.OWNER or oversees(actor, group):
        return
    if actor_role is GroupRole.MODERATOR and target is GroupRole.MEMBER:
        return
    raise Forbidden("Only the group's owners, moderators and support services remove members")


def role_decides_content(actor: Actor | None, group: GroupDoc) -> bool:
    """Whether `actor`'s role in `group` changes `may_read_content`: only in an invite-only
    group the actor may view but neither oversees nor owns. Elsewhere the role need not be
    read."""
    return (
        actor is not None
        and may_view(actor, group)
        and is_invite_only(group)
        and not oversees(actor, group)
        and not is_owner(actor, group)
    )


def may_read_content(actor: Actor | None, group: GroupDoc, role: GroupRole | None) -> bool:
    """Pages, the welcome message and the member list: every signed-in teacher for open
    groups, members only for invite-only groups; the support services always."""
    if actor is None or not may_view(actor, group):
        return False
    if role is not None or oversees(actor, group) or is_owner(actor, group):
        return True
    return not is_invite_only(group)


def check_may_edit_content(role: GroupRole | None, group: GroupDoc, action: str) -> None:
    if role not in LEADERS:
        raise Forbidden("Only the group's owners and moderators change its content")
    require_active(group, action)


def check_may_feature(actor: Actor, group: GroupDoc, featured: bool) -> None:
    """The CSS features active groups, and may stop featuring any."""
    if not actor.is_css:
        raise Forbidden("Only the Central Support Service features groups")
    if featured:
        require_active(group, "setGroupFeatured")


def unconfirmed_moderators(moderators: list[str], keep: list[str]) -> list[str]:
    """The moderators who become members as their group is featured: all but those the CSS
    confirms. ValidationFailed when it confirms someone who is not a moderator."""
    strangers = sorted(set(keep) - set(moderators))
    if strangers:
        raise ValidationFailed("keepModerators",
                               f"not a moderator of this group: {', '.join(strangers)}")
    return [user_id for user_id in moderators if user_id not in keep]
