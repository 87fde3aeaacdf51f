"""The netiquette and reports beyond posts, over HTTP against the real server: its own
database, since a published netiquette asks every poster to accept it."""

import pytest

from tests.acceptance.server import Caller
from tests.acceptance.test_group_story import CREATE, GROUP_STATE, form_input
from tests.groups_seed import NEAR_DUPLICATE

pytestmark = pytest.mark.e2e

NETIQUETTE = "{ netiquette { version text acceptedByViewer publishedBy { name } } }"
POSTED = "... on Post { body } ... on NetiquetteNotAcceptedError { currentVersion }"
REPORTS = "{ reports(first: 10) { edges { node { id targetKind target { __typename } } } } }"


def test_members_accept_the_netiquette_and_report_what_breaks_it(server: str) -> None:
    css = Caller(server, "carla", "role=CSS")
    nss = Caller(server, "nuria", "role=NSS", "country=ES")
    olga, tom = Caller(server, "olga", "country=ES"), Caller(server, "tom", "country=ES")
    assert tom(NETIQUETTE)["netiquette"] is None
    group = olga(CREATE, input=form_input(NEAR_DUPLICATE, title="A group with rules"))[
        "createGroup"]
    gid = group["id"]
    css.step("approveGroup", "ApproveGroupInput", GROUP_STATE, groupId=gid)

    # The CSS publishes the rules; Tom reads them and joins, accepting them.
    assert olga.step("setNetiquette", "SetNetiquetteInput", text="My rules")[
        "__typename"] == "ForbiddenError"
    css.step("setNetiquette", "SetNetiquetteInput", text="Be kind.")
    assert tom(NETIQUETTE)["netiquette"] == {"version": 1, "text": "Be kind.",
                                             "acceptedByViewer": False,
                                             "publishedBy": {"name": "Carla"}}
    tom.step("joinGroup", "JoinGroupInput", groupId=gid, netiquetteVersion=1)
    assert tom("{ me { netiquetteVersion } }")["me"]["netiquetteVersion"] == 1
    thread = tom.step("startDiscussion", "StartDiscussionInput", "... on Discussion { id }",
                      groupId=gid, title="Our first topic", body="Hello")

    # A new version: Tom is asked to accept it before his next post.
    css.step("setNetiquette", "SetNetiquetteInput", text="Be kind. Cite your sources.")
    refused = tom.step("addPost", "AddPostInput", POSTED, discussionId=thread["id"], body="Hi")
    assert refused == {"__typename": "NetiquetteNotAcceptedError",
                       "message": "Read and accept the netiquette (version 2) before posting",
                       "currentVersion": 2}
    stale = tom.step("acceptNetiquette", "AcceptNetiquetteInput", version=1)
    assert stale["__typename"] == "ValidationError"
    tom.step("acceptNetiquette", "AcceptNetiquetteInput", version=2)
    posted = tom.step("addPost", "AddPostInput", POSTED, discussionId=thread["id"], body="Hi")
    assert posted == {"__typename": "Post", "body": "Hi"}

    # Tom reports the discussion and the group: the owner sees the first, only the support
    # services the second, and the NSS closes the group for it.
    for target in (thread["id"], gid):
        tom.step("fileReport", "FileReportInput", "... on Report { id }", targetId=target,
                 reason="OFF_TOPIC")
    seen = {edge["node"]["targetKind"]: edge["node"]
            for edge in nss(REPORTS)["reports"]["edges"]}
    assert set(seen) == {"DISCUSSION", "GROUP"}
    assert seen["GROUP"]["target"] == {"__typename": "Group"}
    assert [edge["node"]["targetKind"] for edge in olga(REPORTS)["reports"]["edges"]] == [
        "DISCUSSION"]
    assert olga.step("resolveReport", "ResolveReportInput", reportId=seen["GROUP"]["id"],
                     action="DISMISS")["__typename"] == "ForbiddenError"
    closed = nss.step("resolveReport", "ResolveReportInput", "... on Report { status }",
                      reportId=seen["GROUP"]["id"], action="CLOSE_GROUP", note="Off topic")
    assert closed["status"] == "RESOLVED"
    assert tom("query($id: ID!) { group(id: $id) { status } }", id=gid)["group"] == {
        "status": "CLOSED"}
