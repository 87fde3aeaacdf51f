"""Discussions, retries, moderation and reports over HTTP against the running server."""

import pytest

from tests.acceptance.server import Caller

pytestmark = pytest.mark.e2e

CREATE = """mutation($input: CreateGroupInput!) { createGroup(input: $input) {
  ... on Group { id } } }"""
THREAD = """query($id: ID!) { discussion(id: $id) {
  title postCount locked
  posts { edges { node { id body author { name } hidden { reason } versions { body } } } }
} }"""
REPORTS = "{ reports(status: OPEN) { edges { node { id reason post { body } } } } }"
LOG = """query($id: ID!) { moderationLog(groupId: $id) { edges { node {
  action actorName reason } } } }"""


def test_a_discussion_with_retries_moderation_and_a_report(server: str) -> None:
    css = Caller(server, "carla", "role=CSS")
    olga = Caller(server, "olga", "country=ES")
    mia = Caller(server, "mia", "country=ES")
    spammer = Caller(server, "spammer", "country=FR")
    group = olga(CREATE, input={
        "title": "Reading club", "description": "Books for teenagers.",
        "objectives": "Share reading lists for teenagers and run a joint online book club.",
        "participation": "OPEN", "languages": ["en"], "topics": ["reading"],
    })["createGroup"]
    css.step("approveGroup", "ApproveGroupInput", groupId=group["id"])
    for member in (mia, spammer):
        member.step("joinGroup", "JoinGroupInput", groupId=group["id"])

    started = mia.step("startDiscussion", "StartDiscussionInput", "... on Discussion { id }",
                       groupId=group["id"], title="Summer reading", body="What are you reading?")
    thread = started["id"]

    # A phone on a bad network sends the same post three times.
    sent = [olga.step("addPost", "AddPostInput", "... on Post { id }", discussionId=thread,
                      body="Wonder, by R. J. Palacio.", clientMutationId="olga-phone-17")
            for _ in range(3)]
    assert len({post["id"] for post in sent}) == 1

    ad = spammer.step("addPost", "AddPostInput", "... on Post { id }", discussionId=thread,
                      body="Cheap essays at example.com!")
    report = mia.step("reportPost", "ReportPostInput", "... on Report { id status }",
                      postId=ad["id"], reason="COMMERCIAL", note="An advert")
    assert report["status"] == "OPEN"
    again = mia.step("reportPost", "ReportPostInput", postId=ad["id"], reason="SPAM")
    assert again["__typename"] == "ValidationError"
    assert [edge["node"]["reason"] for edge in olga(REPORTS)["reports"]["edges"]] == [
        "COMMERCIAL"]
    assert mia(REPORTS)["reports"]["edges"] == []

    resolved = olga.step("resolveReport", "ResolveReportInput", "... on Report { status }",
                         reportId=report["id"], action="HIDE_POST", note="No adverts")
    assert resolved == {"__typename": "Report", "status": "RESOLVED"}

    hijack = mia.step("editPost", "EditPostInput", postId=sent[0]["id"], body="Hijack")
    assert hijack["__typename"] == "ForbiddenError"
    olga.step("editPost", "EditPostInput", postId=sent[0]["id"],
              body="Wonder, by R. J. Palacio. Lovely.")
    olga.step("lockDiscussion", "LockDiscussionInput", discussionId=thread, reason="Done")
    closed = mia.step("addPost", "AddPostInput", discussionId=thread, body="One more")
    assert closed["__typename"] == "InvalidTransitionError"

    as_member = mia(THREAD, id=thread)["discussion"]
    assert as_member["locked"] is True and as_member["postCount"] == 3
    assert [edge["node"]["body"] for edge in as_member["posts"]["edges"]] == [
        "What are you reading?", "Wonder, by R. J. Palacio. Lovely."]
    assert all(edge["node"]["versions"] is None for edge in as_member["posts"]["edges"])

    as_owner = olga(THREAD, id=thread)["discussion"]["posts"]["edges"]
    assert as_owner[2]["node"]["hidden"] == {"reason": "No adverts"}
    assert as_owner[1]["node"]["versions"] == [{"body": "Wonder, by R. J. Palacio."}]

    log = olga(LOG, id=group["id"])["moderationLog"]["edges"]
    assert [edge["node"]["action"] for edge in log] == [
        "LOCK_DISCUSSION", "RESOLVE_REPORT", "HIDE_POST", "APPROVE_GROUP"]


def test_members_cannot_read_the_moderation_log(server: str) -> None:
    import httpx2

    css = Caller(server, "carla", "role=CSS")
    olga = Caller(server, "olga", "country=ES")
    group = olga(CREATE, input={
        "title": "Maths club", "description": "Puzzles.",
        "objectives": "Share weekly maths puzzles for lower secondary students and solutions.",
        "participation": "OPEN", "languages": ["en"], "topics": ["mathematics"],
    })["createGroup"]
    css.step("approveGroup", "ApproveGroupInput", groupId=group["id"])
    tom = Caller(server, "tom", "country=ES")
    response = httpx2.post(f"{server}/graphql", json={"query": LOG, "variables": {
        "id": group["id"]}}, headers={"Authorization": f"Bearer {tom.token}"})
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
