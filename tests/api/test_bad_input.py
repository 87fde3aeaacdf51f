"""Bad input, crafted or unlucky, gets a clear error with a typed `extensions.code`, one log
line at most, and never a 500."""

import logging

import jwt
import pytest
from graphql import get_introspection_query
from strawberry.relay import to_base64

from resolvers import discussions
from resolvers.domain.rate_limits import RateLimits
from tests.conftest import actor
from tests.support import active_group, gql

GROUP = """query($id: ID!, $after: String) { group(id: $id) {
  discussions(after: $after) { edges { node { title } } } } }"""
CRAFTED = ["YWdvcmE6", "YWdvcmE6eHl6", "YWdvcmE6MXx4fHk=", "bm90IGEgY3Vyc29y", "%%%", ""]


@pytest.fixture
async def group_id(store, clock):
    group = await active_group(store, clock(), actor("olga"))
    await discussions.start_discussion(store=store, actor=actor("olga"),
                                       group_id=str(group["_id"]), title="A topic",
                                       body="Hello", now=clock(), limits=RateLimits({}))
    return to_base64("Group", str(group["_id"]))


@pytest.mark.parametrize("cursor", CRAFTED)
async def test_a_crafted_cursor_is_invalid_input(client, tokens, group_id, cursor, caplog):
    with caplog.at_level(logging.INFO):
        body = await gql(client, GROUP, {"id": group_id, "after": cursor},
                         headers=tokens.headers("olga"))
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "VALIDATION", "field": "after"}
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert all(record.exc_info is None for record in caplog.records)


@pytest.mark.parametrize("lists", [
    "{ groups(after: $c) { edges { cursor } } }",
    "{ reviewQueue(after: $c) { edges { cursor } } }",
    "{ reports(after: $c) { edges { cursor } } }",
    "{ inactiveGroups(after: $c) { edges { cursor } } }",
])
async def test_every_list_refuses_a_crafted_cursor(client, tokens, lists):
    query = f"query($c: String) {lists}"
    body = await gql(client, query, {"c": "YWdvcmE6eHl6"},
                     headers=tokens.headers("carla", "CSS", country=None))
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION", body


@pytest.mark.parametrize("value", ["not-base64!", "eA==", "R3JvdXA=", 12, True])
async def test_a_malformed_global_id_has_a_code(client, tokens, value):
    body = await gql(client, "query($id: ID!) { group(id: $id) { title } }", {"id": value},
                     headers=tokens.headers("olga"))
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


@pytest.mark.parametrize("document", [
    '{ group(id: "not-base64!") { title } }',
    "{ nosuchfield }",
    "{ group(id: ",
])
async def test_every_error_has_a_code(client, tokens, document):
    body = await gql(client, document, headers=tokens.headers("olga"))
    assert all(error["extensions"]["code"] for error in body["errors"]), body


async def test_not_found_names_the_global_id_sent(client, tokens):
    sent = to_base64("Group", "65a000000000000000000000")
    query = """mutation($id: ID!) { joinGroup(input: {groupId: $id}) {
      ... on NotFoundError { message } } }"""
    body = await gql(client, query, {"id": sent}, headers=tokens.headers("olga"))
    assert body["data"]["joinGroup"]["message"] == f"Group {sent} was not found"
    wrong_type = to_base64("Post", "65a000000000000000000000")
    body = await gql(client, query, {"id": wrong_type}, headers=tokens.headers("olga"))
    assert body["data"]["joinGroup"]["message"] == f"Group {wrong_type} was not found"


async def test_each_refusal_has_its_own_words(client, tokens):
    body = await gql(client, "{ inactiveGroups { edges { cursor } } }",
                     headers=tokens.headers("olga"))
    assert "inactive groups" in body["errors"][0]["message"]
    assert "review queue" not in body["errors"][0]["message"]


@pytest.mark.parametrize("claims", [
    {"roles": "CSS"}, {"roles": 7}, {"roles": [1, 2]}, {"roles": [["CSS"]]},
    {"roles": {"CSS": True}}, {"name": ["a"]}, {"country": 34}, {"sub": ""},
])
async def test_a_malformed_claim_is_unauthenticated(client, settings, claims):
    token = jwt.encode({"sub": "mallory", "exp": 4_000_000_000, **claims}, settings.jwt_secret,
                       algorithm=settings.jwt_algorithm)
    response = await client.post("/graphql", json={"query": "{ me { name } }"},
                                  headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_standard_introspection_query_passes(client):
    body = await gql(client, get_introspection_query(
        descriptions=True, specified_by_url=True, directive_is_repeatable=True,
        schema_description=True, input_value_deprecation=True))
    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_the_depth_limit_still_holds_outside_introspection(client, tokens):
    nested = "{ groups { nodes { " + "discussions { nodes { group { " * 5 + "title" + \
        " } } }" * 5 + " } } }"
    body = await gql(client, nested, headers=tokens.headers("olga"))
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
