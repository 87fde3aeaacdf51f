"""Membership and content rules, without a database."""

import pytest

from resolvers.domain.actors import Role
from resolvers.domain.content import checked_image_url, rank_at
from resolvers.domain.errors import Forbidden, InvalidTransition, ValidationFailed
from resolvers.domain.groups import GroupDoc
from resolvers.domain.membership import (
    GroupRole,
    check_may_join,
    check_may_leave,
    check_may_remove,
    check_may_set_role,
    may_read_content,
    role_decides_content,
)
from tests.conftest import actor

OWNER = actor("olga")
TEACHER = actor("tom")
CSS = actor("carla", Role.CSS, country=None)
NSS_ES = actor("nuria", Role.NSS, country="ES")
NSS_FR = actor("francois", Role.NSS, country="FR")


def group(participation="OPEN", status="ACTIVE", featured=False) -> GroupDoc:
    return {"owner_id": "olga", "owner_country": "ES", "status": status,
            "participation": participation, "featured": featured}


def test_open_active_groups_take_anyone():
    check_may_join(group(), invited=False)


def test_invite_only_groups_need_an_invitation():
    with pytest.raises(Forbidden):
        check_may_join(group("INVITE_ONLY"), invited=False)
    check_may_join(group("INVITE_ONLY"), invited=True)


def test_nobody_joins_a_group_that_is_not_active():
    with pytest.raises(InvalidTransition):
        check_may_join(group(status="PENDING"), invited=True)


def test_the_last_owner_stays():
    with pytest.raises(Forbidden):
        check_may_leave(GroupRole.OWNER, owners=1)
    check_may_leave(GroupRole.OWNER, owners=2)
    check_may_leave(GroupRole.MEMBER, owners=1)


def test_owners_designate_moderators_except_in_featured_groups():
    kwargs = {"current": GroupRole.MEMBER, "wanted": GroupRole.MODERATOR, "owners": 1}
    check_may_set_role(OWNER, group(), actor_role=GroupRole.OWNER, **kwargs)
    with pytest.raises(Forbidden):
        check_may_set_role(OWNER, group(featured=True), actor_role=GroupRole.OWNER, **kwargs)
    check_may_set_role(CSS, group(featured=True), actor_role=None, **kwargs)
    with pytest.raises(Forbidden):
        check_may_set_role(TEACHER, group(), actor_role=GroupRole.MODERATOR, **kwargs)


def test_moderators_remove_members_but_not_moderators():
    check_may_remove(TEACHER, group(), actor_role=GroupRole.MODERATOR, target=GroupRole.MEMBER,
                     owners=1)
    with pytest.raises(Forbidden):
        check_may_remove(TEACHER, group(), actor_role=GroupRole.MODERATOR,
                         target=GroupRole.MODERATOR, owners=1)
    check_may_remove(NSS_ES, group(), actor_role=None, target=GroupRole.MODERATOR, owners=1)
    with pytest.raises(Forbidden):
        check_may_remove(NSS_FR, group(), actor_role=None, target=GroupRole.MEMBER, owners=1)
    with pytest.raises(Forbidden):
        check_may_remove(CSS, group(), actor_role=None, target=GroupRole.OWNER, owners=1)


@pytest.mark.parametrize(
    ("who", "role", "open_group", "invite_only"),
    [
        (None, None, False, False),
        (TEACHER, None, True, False),
        (TEACHER, GroupRole.MEMBER, True, True),
        (CSS, None, True, True),
        (NSS_ES, None, True, True),
        (NSS_FR, None, True, False),
    ],
)
def test_who_reads_pages(who, role, open_group, invite_only):
    assert may_read_content(who, group("OPEN"), role) is open_group
    assert may_read_content(who, group("INVITE_ONLY"), role) is invite_only


@pytest.mark.parametrize("who", [None, OWNER, TEACHER, CSS, NSS_ES, NSS_FR])
@pytest.mark.parametrize("participation", ["OPEN", "INVITE_ONLY"])
@pytest.mark.parametrize("status", ["PENDING", "ACTIVE", "CLOSED"])
def test_the_role_is_read_only_where_it_decides_who_reads(who, participation, status):
    place = group(participation, status)
    answers = {may_read_content(who, place, role) for role in [None, *GroupRole]}
    assert role_decides_content(who, place) is (len(answers) == 2)


@pytest.mark.parametrize(
    "url",
    ["http://example.org/a.png", "ftp://example.org/a.png", "https://", "javascript:alert(1)",
     "https://exa mple.org/a.png", "https://example.org/" + "a" * 2100, "example.org/a.png"],
)
def test_images_must_be_https_urls(url):
    with pytest.raises(ValidationFailed) as caught:
        checked_image_url(url)
    assert caught.value.field == "url"


def test_an_https_image_passes():
    assert checked_image_url(" https://cdn.example.org/g/1.png ") == (
        "https://cdn.example.org/g/1.png"
    )


def test_ranks_place_pages():
    assert rank_at([], 1) == 1.0
    assert rank_at([1.0, 2.0], 1) == 0.0
    assert rank_at([1.0, 2.0], 2) == 1.5
    assert rank_at([1.0, 2.0], 9) == 3.0
    with pytest.raises(ValidationFailed):
        rank_at([1.0], 0)
