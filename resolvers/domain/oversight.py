"""How the support services watch over groups: a CSS advisor per group, exemptions from the
inactivity watch, and the groups the NSS propose for featuring."""

from datetime import datetime
from enum import StrEnum
from typing import Any, TypedDict

from resolvers.domain.actors import Actor, Role
from resolvers.domain.errors import Forbidden, InvalidTransition, ValidationFailed
from resolvers.domain.forms import in_utc
from resolvers.domain.groups import GroupDoc, is_owner, oversees, require_active
from resolvers.domain.membership import LEADERS, GroupRole


class FeaturingStatus(StrEnum):
    PROPOSED = "PROPOSED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


class CandidateDoc(TypedDict, total=False):
    """A group an NSS proposed for featuring, as stored in `featuring_candidates`."""

    _id: Any
    group_id: str
    owner_country: str | None
    proposer_id: str
    proposer_name: str
    reason: str
    status: str
    open_key: str | None  # the group's id while the proposal awaits the CSS; unique
    created_at: datetime
    decision: dict[str, Any] | None  # by whom, when, and the note


def may_see_oversight(actor: Actor | None, group: GroupDoc, role: GroupRole | None) -> bool:
    """The advisor, the exemption, the inactivity status and the readiness for members: for
    the owner, the group's moderators and the support services that oversee it."""
    if actor is None:
        return False
    return is_owner(actor, group) or role in LEADERS or oversees(actor, group)


def check_may_assign_advisor(actor: Actor) -> None:
    if not actor.is_css:
        raise Forbidden("Only the Central Support Service assigns advisors")


def check_advisor(roles: list[str] | None) -> None:
    """An advisor is a member of the CSS (as their last token said)."""
    if roles is None or Role.CSS not in roles:
        raise ValidationFailed("advisorId",
                               "an advisor must be a member of the Central Support Service")


def check_may_exempt(actor: Actor, group: GroupDoc, action: str) -> None:
    """The CSS, and the NSS of the group's country, grant and end exemptions of active
    groups."""
    if not oversees(actor, group):
        raise Forbidden("Only the Central Support Service and the National Support Service of "
                        "the group's country exempt it from inactivity")
    require_active(group, action)


def checked_until(until: datetime, now: datetime) -> datetime:
    """When an exemption ends: in the future; a time without a zone is taken as UTC."""
    until = in_utc(until)
    if until <= now:
        raise ValidationFailed("until", "an exemption must end in the future")
    return until


def current_exemption(group: GroupDoc, now: datetime) -> dict[str, Any] | None:
    """The exemption that holds at `now`, if any: until when, why, by whom."""
    exemption = group.get("inactivity_exemption")
    until = group.get("inactivity_exempt_until")
    if until is None or until <= now:
        return None
    return exemption or {"until": until, "reason": None, "by_id": None, "at": None}


def check_exempt(group: GroupDoc, now: datetime) -> None:
    if current_exemption(group, now) is None:
        raise InvalidTransition("NOT_EXEMPT", "endInactivityExemption",
                                "This group has no exemption to end")


def check_may_propose_featuring(actor: Actor, group: GroupDoc) -> None:
    """The NSS propose active groups of their country that are not featured yet."""
    if actor.nss_country is None or not oversees(actor, group):
        raise Forbidden("Only the National Support Service of the group's country proposes "
                        "it for featuring")
    require_active(group, "proposeForFeaturing")
    if group.get("featured"):
        raise InvalidTransition("FEATURED", "proposeForFeaturing", "This group is featured "
                                "already")


def check_may_decide_featuring(actor: Actor) -> None:
    if not actor.is_css:
        raise Forbidden("Only the Central Support Service accepts or declines candidates for "
                        "featuring")


def check_proposed(candidate: CandidateDoc) -> None:
    if candidate["status"] != FeaturingStatus.PROPOSED:
        raise InvalidTransition(candidate["status"], "decideFeaturingCandidate",
                                f"This candidate was {candidate['status'].lower()} already")


def may_see_candidates(actor: Actor, owner_country: str | None) -> bool:
    return actor.is_css or (actor.nss_country is not None
                            and actor.nss_country == owner_country)
