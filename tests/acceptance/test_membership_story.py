"""Preparing a group, inviting, joining and designating roles, over HTTP against the server."""

import pytest

from tests.acceptance.server import Caller

pytestmark = pytest.mark.e2e

CREATE = """mutation($input: CreateGroupInput!) { createGroup(input: $input) {
  __typename ... on Group { id status featured } ... on Error { message } } }"""
GROUP = """query($id: ID!) { group(id: $id) {
  memberCount viewerRole imageUrl welcomeMessage
  pages { edges { node { title kind position } } }
  members { edges { node { role user { name } } } }
} }"""
INVITATIONS = "{ me { invitations { edges { node { id group { title } invitedBy { name } } } } } }"
ME = "{ me { id } }"


def proposal(title: str, participation: str = "OPEN", **extra: object) -> dict[str, object]:
    return {
        "title": title,
        "description": "A place to plan joint projects.",
        "objectives": "Plan joint projects between classes and share what our pupils make.",
        "participation": participation,
        "languages": ["en"],
        "topics": ["projects"],
    } | extra


def test_an_owner_prepares_an_invite_only_group_and_invites_a_teacher(server: str) -> None:
    css = Caller(server, "carla", "role=CSS")
    olga = Caller(server, "olga", "country=ES")
    tom = Caller(server, "tom", "country=PT")
    tom_id = tom(ME)["me"]["id"]

    group = olga(CREATE, input=proposal("Pen pals", "INVITE_ONLY"))["createGroup"]
    gid = group["id"]
    css.step("approveGroup", "ApproveGroupInput", groupId=gid)

    # The owner prepares the group before inviting anyone.
    image = olga.step("setGroupImage", "SetGroupImageInput", "... on Group { imageUrl }",
                      groupId=gid, url="ftp://example.org/pic.png")
    assert image["__typename"] == "ValidationError"
    olga.step("setGroupImage", "SetGroupImageInput", groupId=gid,
              url="https://example.org/pen-pals.png")
    olga.step("setWelcomeMessage", "SetWelcomeMessageInput", groupId=gid,
              message="Welcome! Start with the ice-breaker.")
    plan = olga.step("addPage", "AddPageInput", "... on Page { id position }", groupId=gid,
                     title="Work plan", body="## Term 1", kind="WORK_PLAN")
    olga.step("addPage", "AddPageInput", groupId=gid, title="Ice-breaker",
              body="Introduce yourself with three pictures.", kind="ACTIVITY", position=1)
    moved = olga.step("movePage", "MovePageInput", "... on Page { position }",
                      pageId=plan["id"], position=1)
    assert moved == {"__typename": "Page", "position": 1}

    # Before the invitation, Tom sees the group's card but not its content.
    outside = tom(GROUP, id=gid)["group"]
    assert outside["imageUrl"] == "https://example.org/pen-pals.png"
    assert outside["viewerRole"] is None
    assert outside["welcomeMessage"] is None and outside["pages"] is None
    refused = tom.step("joinGroup", "JoinGroupInput", groupId=gid)
    assert refused["__typename"] == "ForbiddenError"

    invitation = olga.step("inviteMember", "InviteMemberInput", "... on Invitation { id }",
                           groupId=gid, userId=tom_id)
    waiting = tom(INVITATIONS)["me"]["invitations"]["edges"]
    assert [edge["node"]["group"]["title"] for edge in waiting] == ["Pen pals"]
    assert waiting[0]["node"]["invitedBy"] == {"name": "Olga"}
    accepted = tom.step("respondToInvitation", "RespondToInvitationInput",
                        "... on Invitation { status }", invitationId=invitation["id"],
                        accept=True)
    assert accepted == {"__typename": "Invitation", "status": "ACCEPTED"}

    inside = tom(GROUP, id=gid)["group"]
    assert inside["viewerRole"] == "MEMBER" and inside["memberCount"] == 2
    assert inside["welcomeMessage"] == "Welcome! Start with the ice-breaker."
    assert [edge["node"] for edge in inside["pages"]["edges"]] == [
        {"title": "Work plan", "kind": "WORK_PLAN", "position": 1},
        {"title": "Ice-breaker", "kind": "ACTIVITY", "position": 2},
    ]
    assert [(edge["node"]["role"], edge["node"]["user"]["name"])
            for edge in inside["members"]["edges"]] == [("OWNER", "Olga"), ("MEMBER", "Tom")]

    # The owner makes Tom a moderator; Tom can then edit content.
    olga.step("setMemberRole", "SetMemberRoleInput", groupId=gid, userId=tom_id,
              role="MODERATOR")
    edited = tom.step("updatePage", "UpdatePageInput", "... on Page { body }",
                      pageId=plan["id"], body="## Term 1 and 2")
    assert edited == {"__typename": "Page", "body": "## Term 1 and 2"}

    # The owner cannot leave as the last owner.
    assert olga.step("leaveGroup", "LeaveGroupInput", groupId=gid)["__typename"] == (
        "ForbiddenError"
    )


def test_featured_groups_are_the_css_s(server: str) -> None:
    css = Caller(server, "carla", "role=CSS")
    olga = Caller(server, "olga", "country=ES")
    olga_id = olga(ME)["me"]["id"]
    featured = css(CREATE, input=proposal("eTwinning featured", featured=True))["createGroup"]
    assert featured["status"] == "ACTIVE" and featured["featured"] is True
    joined = olga.step("joinGroup", "JoinGroupInput", "... on Group { memberCount viewerRole }",
                       groupId=featured["id"])
    assert joined == {"__typename": "Group", "memberCount": 2, "viewerRole": "MEMBER"}
    css.step("setMemberRole", "SetMemberRoleInput", groupId=featured["id"], userId=olga_id,
             role="OWNER")
    refused = olga.step("setMemberRole", "SetMemberRoleInput", groupId=featured["id"],
                        userId=olga_id, role="MODERATOR")
    assert refused["__typename"] == "ForbiddenError"
    listed = olga("{ groups(filter: {featured: true}) { edges { node { id } } } }")
    assert featured["id"] in [edge["node"]["id"] for edge in listed["groups"]["edges"]]
