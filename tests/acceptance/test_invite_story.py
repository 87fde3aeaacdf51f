"""An owner finds a teacher to invite by handle, over HTTP against the real server."""

import pytest

from tests.acceptance.server import Caller
from tests.acceptance.test_group_story import CREATE, GROUP_STATE, form_input
from tests.groups_seed import NEAR_DUPLICATE

pytestmark = pytest.mark.e2e

FIND = """query($g: ID!, $q: String!) { teachers(groupId: $g, search: $q, first: 5) {
  edges { node { id name handle country } } } }"""
INVITE = "... on Invitation { status } ... on ValidationError { field }"


def test_an_owner_finds_a_teacher_by_handle_and_invites_them(server: str) -> None:
    css = Caller(server, "carla", "role=CSS")
    olga = Caller(server, "olga6", "country=ES")
    mia = Caller(server, "mia6", "country=IT")
    assert mia("{ me { name } }")["me"]["name"] == "Mia6"  # signed in once: known
    group = olga(CREATE, input=form_input(NEAR_DUPLICATE, title="A group to invite to"))[
        "createGroup"]
    css.step("approveGroup", "ApproveGroupInput", GROUP_STATE, groupId=group["id"])

    found = olga(FIND, g=group["id"], q="Mi")["teachers"]["edges"]
    assert [edge["node"]["handle"] for edge in found] == ["mia6"]
    (teacher,) = [edge["node"] for edge in found]
    assert set(teacher) == {"id", "name", "handle", "country"}  # a public profile
    invited = olga.step("inviteMember", "InviteMemberInput", INVITE, groupId=group["id"],
                        userId=teacher["id"])
    assert invited["status"] == "PENDING"

    # A teacher who never signed in cannot be invited, and the error says why.
    unknown = olga.step("inviteMember", "InviteMemberInput", INVITE, groupId=group["id"],
                        userId="VXNlcjpuZXZlcg==")  # User:never
    assert unknown["__typename"] == "ValidationError"
    assert "never signed in" in unknown["message"]
