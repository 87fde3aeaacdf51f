"""The whole proposal story over HTTP, against the real server on a loopback port."""

from typing import Any

import pytest

from tests.acceptance.server import Caller
from tests.groups_seed import NEAR_DUPLICATE
from tests.support import SPANISH_OBJECTIVES

pytestmark = pytest.mark.e2e

GROUP_FIELDS = "id status title description"
CREATE = f"""
mutation($input: CreateGroupInput!) {{
  createGroup(input: $input) {{
    __typename
    ... on Group {{ {GROUP_FIELDS} }}
    ... on Error {{ message }}
    ... on ValidationError {{ field }}
  }}
}}"""
GROUP_STATE = "... on Group { status description }"
SIMILAR = """
query($input: SimilarGroupsInput!) {
  similarGroups(input: $input, first: 5) {
    score matchedTerms sharedTopics group { id title status }
  }
}"""
GROUP = "query($id: ID!) { group(id: $id) { status review { history { action message } } } }"
QUEUE = "{ reviewQueue(first: 50) { edges { node { id title } } } }"
ACTIVE = "{ groups(filter: {status: ACTIVE}, first: 50) { edges { node { id title } } } }"


def form_input(form: Any, **changes: Any) -> dict[str, Any]:
    fields = {
        "title": form.title, "description": form.description, "objectives": form.objectives,
        "participation": form.participation.value, "languages": list(form.languages),
        "topics": list(form.topics),
    }
    return fields | changes


def test_a_group_from_proposal_to_approval(server: str) -> None:
    css = Caller(server, "carla", "role=CSS")
    veteran = Caller(server, "vera", "country=IT")
    olga = Caller(server, "olga", "country=ES")
    tom = Caller(server, "tom", "country=ES")

    # An active group on the same subject already exists.
    existing = veteran(CREATE, input=form_input(NEAR_DUPLICATE))["createGroup"]
    approved = css.step("approveGroup", "ApproveGroupInput", GROUP_STATE, groupId=existing["id"])
    assert approved["status"] == "ACTIVE"

    proposal = {
        "title": "Coding with robots for primary pupils",
        "description": "Educational robots and block programming in the primary classroom.",
        "objectives": SPANISH_OBJECTIVES,
        "participation": "OPEN",
        "languages": ["en", "es"],
        "topics": ["Coding", "robotics"],
    }
    # 1. Spanish objectives are refused, naming Spanish.
    refused = olga(CREATE, input=proposal)["createGroup"]
    assert refused["__typename"] == "ValidationError"
    assert refused["field"] == "objectives" and "Spanish" in refused["message"]

    # 2. Before proposing again, the near-duplicate shows up first.
    english = "Teach coding to primary pupils with robots and share robotics lesson plans."
    similar = olga(SIMILAR, input={k: v for k, v in proposal.items() if k != "participation"}
                   | {"objectives": english})["similarGroups"]
    assert similar[0]["group"]["id"] == existing["id"]
    assert similar[0]["sharedTopics"] == ["coding", "robotics"]
    assert 0 < similar[0]["score"] <= 1

    group = olga(CREATE, input=proposal | {"objectives": english})["createGroup"]
    assert group["__typename"] == "Group" and group["status"] == "PENDING"

    # 3. Another teacher cannot see it; the CSS finds it in the review queue.
    assert tom(GROUP, id=group["id"])["group"] is None
    assert group["id"] in [edge["node"]["id"] for edge in css(QUEUE)["reviewQueue"]["edges"]]

    # 4. The CSS asks for more; the owner answers with an edited description.
    asked = css.step("requestGroupInfo", "RequestGroupInfoInput", GROUP_STATE, groupId=group["id"],
                     message="Which ages do you teach?")
    assert asked["status"] == "INFO_REQUESTED"
    answered = olga.step(
        "answerInfoRequest", "AnswerInfoRequestInput", GROUP_STATE, groupId=group["id"],
        message="Pupils aged 8 to 10.", description="Robots and block coding for ages 8 to 10.",
    )
    assert answered == {"__typename": "Group", "status": "PENDING",
                        "description": "Robots and block coding for ages 8 to 10."}

    # 5. The CSS approves: the group is active and listed.
    approved = css.step("approveGroup", "ApproveGroupInput", GROUP_STATE, groupId=group["id"])
    assert approved["status"] == "ACTIVE"
    listed = [edge["node"]["id"] for edge in tom(ACTIVE)["groups"]["edges"]]
    assert group["id"] in listed
    history = olga(GROUP, id=group["id"])["group"]["review"]["history"]
    assert [entry["action"] for entry in history] == [
        "SUBMIT", "REQUEST_INFO", "ANSWER_INFO_REQUEST", "APPROVE"
    ]

    # 6. A non-CSS user cannot reject it.
    rejected = tom.step(
        "rejectGroup", "RejectGroupInput", GROUP_STATE, groupId=group["id"], reason="No"
    )
    assert rejected["__typename"] == "ForbiddenError"
    assert tom(GROUP, id=group["id"])["group"]["status"] == "ACTIVE"


PENDING_LIKE = """query($input: SimilarGroupsInput!) { similarPendingProposals(input: $input)
  similarGroups(input: $input, first: 5) { group { id } } }"""


def test_a_proposer_hears_of_a_pending_match_and_its_owner_withdraws_it(server: str) -> None:
    css = Caller(server, "carla", "role=CSS")
    olga = Caller(server, "olga2", "country=ES")
    tom = Caller(server, "tom2", "country=ES")
    first = olga(CREATE, input=form_input(NEAR_DUPLICATE))["createGroup"]
    profile = {key: value for key, value in form_input(NEAR_DUPLICATE).items()
               if key != "participation"}

    # Tom, about to propose the same, hears that one like it awaits review, not which.
    heard = tom(PENDING_LIKE, input=profile)
    assert heard["similarPendingProposals"] == 1
    assert first["id"] not in [match["group"]["id"] for match in heard["similarGroups"]]

    # Olga withdraws hers: the CSS no longer has it to review, and Tom hears of none.
    withdrawn = olga.step("withdrawGroup", "WithdrawGroupInput", GROUP_STATE,
                          groupId=first["id"], reason="I will join an existing group")
    assert withdrawn["status"] == "WITHDRAWN"
    assert first["id"] not in [edge["node"]["id"]
                               for edge in css(QUEUE)["reviewQueue"]["edges"]]
    assert tom(PENDING_LIKE, input=profile)["similarPendingProposals"] == 0
    history = olga(GROUP, id=first["id"])["group"]["review"]["history"]
    assert history[-1] == {"action": "WITHDRAW", "message": "I will join an existing group"}


def test_the_nss_closes_a_group_of_their_country_and_the_css_reopens_it(server: str) -> None:
    css = Caller(server, "carla", "role=CSS")
    nss_es = Caller(server, "nuria", "role=NSS", "country=ES")
    nss_fr = Caller(server, "francois", "role=NSS", "country=FR")
    olga = Caller(server, "olga3", "country=ES")
    group = olga(CREATE, input=form_input(NEAR_DUPLICATE, title="A group to close"))[
        "createGroup"]
    css.step("approveGroup", "ApproveGroupInput", GROUP_STATE, groupId=group["id"])

    refused = nss_fr.step("closeGroup", "CloseGroupInput", GROUP_STATE, groupId=group["id"],
                          reason="Not my country")
    assert refused["__typename"] == "ForbiddenError"
    closed = nss_es.step("closeGroup", "CloseGroupInput", GROUP_STATE, groupId=group["id"],
                         reason="Spam")
    assert closed["status"] == "CLOSED"
    assert olga.step("reopenGroup", "ReopenGroupInput", GROUP_STATE, groupId=group["id"],
                     reason="Please")["__typename"] == "ForbiddenError"
    reopened = css.step("reopenGroup", "ReopenGroupInput", GROUP_STATE, groupId=group["id"],
                        reason="Cleaned up")
    assert reopened["status"] == "ACTIVE"
    history = olga(GROUP, id=group["id"])["group"]["review"]["history"]
    assert [entry["action"] for entry in history][-2:] == ["CLOSE", "REOPEN"]
