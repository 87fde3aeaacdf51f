"""The whole proposal story over HTTP, against the real server on a loopback port."""

import uuid
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tests.acceptance.server import running_server
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
STEP = """
mutation {name}($input: {input_type}!) {{
  {name}(input: $input) {{
    __typename
    ... on Group {{ status description }}
    ... on Error {{ message }}
  }}
}}"""
SIMILAR = """
query($input: SimilarGroupsInput!) {
  similarGroups(input: $input, first: 5) {
    score matchedTerms sharedTopics group { id title status }
  }
}"""
GROUP = "query($id: ID!) { group(id: $id) { status review { history { action message } } } }"
QUEUE = "{ reviewQueue(first: 50) { edges { node { id title } } } }"
ACTIVE = "{ groups(filter: {status: ACTIVE}, first: 50) { edges { node { id title } } } }"


@pytest.fixture(scope="module")
def server(mongodb_uri: str) -> Iterator[str]:
    database = f"test_e2e_{uuid.uuid4().hex[:8]}"
    with running_server({"APP_MONGODB_URI": mongodb_uri, "APP_MONGODB_DATABASE": database}) as url:
        yield url


class Caller:
    """One user of the API, with their own development token."""

    def __init__(self, base_url: str, *args: str) -> None:
        self._base_url = base_url
        self._token = mint(*args)

    def __call__(self, query: str, **variables: Any) -> Any:
        response = httpx2.post(
            f"{self._base_url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self._token}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    def step(self, name: str, input_type: str, **input: Any) -> Any:
        return self(STEP.format(name=name, input_type=input_type), input=input)[name]


def mint(sub: str, *options: str) -> str:
    """A token from the real `python -m api token` command."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "api", "token", "--sub", sub, "--name", sub.title()]
    for option in options:
        key, _, value = option.partition("=")
        command += [f"--{key}", value]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


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
    assert css.step("approveGroup", "ApproveGroupInput", groupId=existing["id"])["status"] == (
        "ACTIVE"
    )

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
    asked = css.step("requestGroupInfo", "RequestGroupInfoInput", groupId=group["id"],
                     message="Which ages do you teach?")
    assert asked["status"] == "INFO_REQUESTED"
    answered = olga.step(
        "answerInfoRequest", "AnswerInfoRequestInput", groupId=group["id"],
        message="Pupils aged 8 to 10.", description="Robots and block coding for ages 8 to 10.",
    )
    assert answered == {"__typename": "Group", "status": "PENDING",
                        "description": "Robots and block coding for ages 8 to 10."}

    # 5. The CSS approves: the group is active and listed.
    assert css.step("approveGroup", "ApproveGroupInput", groupId=group["id"])["status"] == (
        "ACTIVE"
    )
    listed = [edge["node"]["id"] for edge in tom(ACTIVE)["groups"]["edges"]]
    assert group["id"] in listed
    history = olga(GROUP, id=group["id"])["group"]["review"]["history"]
    assert [entry["action"] for entry in history] == [
        "SUBMIT", "REQUEST_INFO", "ANSWER_INFO_REQUEST", "APPROVE"
    ]

    # 6. A non-CSS user cannot reject it.
    rejected = tom.step("rejectGroup", "RejectGroupInput", groupId=group["id"], reason="No")
    assert rejected["__typename"] == "ForbiddenError"
    assert tom(GROUP, id=group["id"])["group"]["status"] == "ACTIVE"
