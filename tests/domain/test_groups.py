"""The approval workflow and group visibility, without a database."""

import pytest

from resolvers.domain.actors import Role
from resolvers.domain.errors import Forbidden, InvalidTransition
from resolvers.domain.groups import (
    GroupAction,
    GroupDoc,
    GroupStatus,
    check_may_act,
    check_may_edit,
    may_view,
    next_status,
    review_scope,
)
from tests.conftest import actor

OWNER = actor("olga")
OTHER = actor("tom")
CSS = actor("carla", Role.CSS, country=None)
NSS_ES = actor("nuria", Role.NSS, country="ES")
NSS_FR = actor("francois", Role.NSS, country="FR")


def group(status: GroupStatus) -> GroupDoc:
    return {"owner_id": "olga", "owner_country": "ES", "status": status.value}


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        (GroupStatus.PENDING, GroupAction.APPROVE, GroupStatus.ACTIVE),
        (GroupStatus.PENDING, GroupAction.REJECT, GroupStatus.REJECTED),
        (GroupStatus.PENDING, GroupAction.REQUEST_INFO, GroupStatus.INFO_REQUESTED),
        (GroupStatus.INFO_REQUESTED, GroupAction.ANSWER_INFO_REQUEST, GroupStatus.PENDING),
        (GroupStatus.ACTIVE, GroupAction.CLOSE, GroupStatus.CLOSED),
    ],
)
def test_allowed_transitions(status, action, target):
    assert next_status(status, action) is target


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (GroupStatus.ACTIVE, GroupAction.APPROVE),
        (GroupStatus.REJECTED, GroupAction.APPROVE),
        (GroupStatus.INFO_REQUESTED, GroupAction.APPROVE),
        (GroupStatus.PENDING, GroupAction.ANSWER_INFO_REQUEST),
        (GroupStatus.PENDING, GroupAction.CLOSE),
        (GroupStatus.CLOSED, GroupAction.CLOSE),
        (GroupStatus.REJECTED, GroupAction.REQUEST_INFO),
    ],
)
def test_other_transitions_are_refused(status, action):
    with pytest.raises(InvalidTransition):
        next_status(status, action)


@pytest.mark.parametrize("who", [OWNER, OTHER, NSS_ES])
@pytest.mark.parametrize("action", [GroupAction.APPROVE, GroupAction.REJECT,
                                    GroupAction.REQUEST_INFO])
def test_only_the_css_reviews(who, action):
    with pytest.raises(Forbidden):
        check_may_act(who, action, group(GroupStatus.PENDING))
    check_may_act(CSS, action, group(GroupStatus.PENDING))


def test_only_the_owner_answers_an_info_request():
    check_may_act(OWNER, GroupAction.ANSWER_INFO_REQUEST, group(GroupStatus.INFO_REQUESTED))
    for who in (OTHER, CSS):
        with pytest.raises(Forbidden):
            check_may_act(who, GroupAction.ANSWER_INFO_REQUEST, group(GroupStatus.INFO_REQUESTED))


def test_the_owner_the_css_or_the_nss_of_the_groups_country_close():
    for who in (OWNER, CSS, NSS_ES):
        check_may_act(who, GroupAction.CLOSE, group(GroupStatus.ACTIVE))
    for who in (OTHER, NSS_FR):
        with pytest.raises(Forbidden):
            check_may_act(who, GroupAction.CLOSE, group(GroupStatus.ACTIVE))


def test_only_the_css_reopens():
    check_may_act(CSS, GroupAction.REOPEN, group(GroupStatus.CLOSED))
    for who in (OWNER, OTHER, NSS_ES):
        with pytest.raises(Forbidden):
            check_may_act(who, GroupAction.REOPEN, group(GroupStatus.CLOSED))


@pytest.mark.parametrize("status", [GroupStatus.PENDING, GroupStatus.INFO_REQUESTED,
                                    GroupStatus.REJECTED])
def test_unpublished_groups_are_seen_by_owner_css_and_national_nss(status):
    assert [may_view(who, group(status)) for who in (OWNER, CSS, NSS_ES, NSS_FR, OTHER, None)] \
        == [True, True, True, False, False, False]


@pytest.mark.parametrize("status", [GroupStatus.ACTIVE, GroupStatus.CLOSED])
def test_published_groups_are_seen_by_every_signed_in_teacher(status):
    assert may_view(OTHER, group(status))
    assert not may_view(None, group(status))


def test_owner_edits_while_pending_asked_or_active():
    for status in (GroupStatus.PENDING, GroupStatus.INFO_REQUESTED, GroupStatus.ACTIVE):
        check_may_edit(OWNER, group(status))
    with pytest.raises(InvalidTransition):
        check_may_edit(OWNER, group(GroupStatus.REJECTED))
    with pytest.raises(Forbidden):
        check_may_edit(CSS, group(GroupStatus.PENDING))


def test_review_queue_scope():
    assert review_scope(CSS).everything
    assert review_scope(NSS_FR).owner_country == "FR"
    with pytest.raises(Forbidden):
        review_scope(OTHER)
