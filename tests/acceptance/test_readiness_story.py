"""An owner prepares a group before inviting members, over HTTP against the real server."""

import pytest

from tests.acceptance.server import Caller
from tests.acceptance.test_group_story import CREATE, GROUP_STATE, form_input
from tests.groups_seed import NEAR_DUPLICATE

pytestmark = pytest.mark.e2e

READINESS = "query($id: ID!) { group(id: $id) { readiness { item done } } }"
INVITED = "... on Invitation { status missingReadiness }"
EVERYTHING = ["IMAGE", "WELCOME_MESSAGE", "PAGES", "WORK_PLAN", "ICE_BREAKER",
              "DISCUSSION_TOPICS"]


def test_an_owner_prepares_a_group_before_inviting(server: str) -> None:
    css = Caller(server, "carla", "role=CSS")
    olga = Caller(server, "olga5", "country=ES")
    tom, ula = Caller(server, "tom5", "country=ES"), Caller(server, "ula5", "country=IT")
    for person in (tom, ula):
        person("{ me { name } }")
    group = olga(CREATE, input=form_input(NEAR_DUPLICATE, title="A group being prepared"))[
        "createGroup"]
    gid = group["id"]
    css.step("approveGroup", "ApproveGroupInput", GROUP_STATE, groupId=gid)

    readiness = olga(READINESS, id=gid)["group"]["readiness"]
    assert readiness == [{"item": item, "done": False} for item in EVERYTHING]
    assert tom(READINESS, id=gid)["group"]["readiness"] is None

    # Inviting before the group is ready works, and says what is missing.
    invited = olga.step("inviteMember", "InviteMemberInput", INVITED, groupId=gid,
                        userId=tom("{ me { id } }")["me"]["id"])
    assert invited["status"] == "PENDING"
    assert invited["missingReadiness"] == EVERYTHING
    mine = tom("{ me { invitations(first: 5) { edges { node { missingReadiness } } } } }")
    assert [edge["node"]["missingReadiness"] for edge in mine["me"]["invitations"]["edges"]
            ] == [None]

    olga.step("setGroupImage", "SetGroupImageInput", groupId=gid, url="https://example.org/g.png")
    olga.step("setWelcomeMessage", "SetWelcomeMessageInput", groupId=gid, message="Welcome!")
    for title, kind in (("Our plan", "WORK_PLAN"), ("Who are you?", "ACTIVITY")):
        olga.step("addPage", "AddPageInput", groupId=gid, title=title, body="", kind=kind)
    assert [check["item"] for check in olga(READINESS, id=gid)["group"]["readiness"]
            if not check["done"]] == ["PAGES", "DISCUSSION_TOPICS"]
    olga.step("addPage", "AddPageInput", groupId=gid, title="Resources", body="Links")
    olga.step("startDiscussion", "StartDiscussionInput", groupId=gid,
              title="Games for fractions", body="Which work for you?")
    invited = olga.step("inviteMember", "InviteMemberInput", INVITED, groupId=gid,
                        userId=ula("{ me { id } }")["me"]["id"])
    assert invited["missingReadiness"] == []
