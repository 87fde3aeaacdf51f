"""The GraphQL endpoint through the real ASGI app: auth, payloads, errors, health."""

import time
from datetime import timedelta

import httpx2
import pytest

from api.app import build_app
from api.settings import DEVELOPMENT_SECRET, Environment, Settings
from tests.support import SPANISH_OBJECTIVES, LifespanApp, gql, group_input

CREATE = """
mutation Create($input: CreateGroupInput!) {
  createGroup(input: $input) {
    __typename
    ... on Group { id status title owner { name } }
    ... on Error { message }
    ... on ValidationError { field }
  }
}
"""
APPROVE = """
mutation Approve($id: ID!) {
  approveGroup(input: {groupId: $id}) {
    __typename
    ... on Group { status }
    ... on Error { message }
  }
}
"""


async def test_me_is_created_from_the_token_on_first_sight(client, tokens):
    headers = {"Authorization": f"Bearer {tokens('olga', name='Olga Ruiz', country='es')}"}
    body = await gql(client, "{ me { name country roles } }", headers=headers)
    assert body == {"data": {"me": {"name": "Olga Ruiz", "country": "ES", "roles": ["TEACHER"]}}}


async def test_me_is_null_without_a_token(client):
    assert await gql(client, "{ me { name } }") == {"data": {"me": None}}


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-jwt", "Basic b2xnYTpzZWNyZXQ=", "Bearer "],
)
async def test_a_bad_token_gets_401_with_a_graphql_error(client, authorization):
    response = await client.post(
        "/graphql", json={"query": "{ me { name } }"}, headers={"Authorization": authorization}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_expired_token_gets_401(client, tokens):
    token = tokens("olga")
    expired = tokens.__class__.__call__(tokens, "olga", ttl=timedelta(seconds=-60))
    assert token != expired
    response = await client.post(
        "/graphql", json={"query": "{ me { name } }"},
        headers={"Authorization": f"Bearer {expired}"},
    )
    assert response.status_code == 401
    assert "expired" in response.json()["errors"][0]["message"]


def test_a_token_verified_once_is_refused_from_the_moment_it_expires(settings):
    from api.auth import InvalidToken, Tokens, mint_token

    token = mint_token(settings, sub="olga", name="Olga", roles=["TEACHER"],
                       ttl=timedelta(minutes=5))
    clock = [time.time()]
    tokens = Tokens(settings, now=lambda: clock[0])
    actor, expires = tokens.read(token)
    assert actor.id == "olga"
    clock[0] = expires.timestamp() - 1
    assert tokens.read(token)[0].id == "olga"
    clock[0] = expires.timestamp()
    with pytest.raises(InvalidToken, match="expired"):
        tokens.read(token)


async def test_a_token_signed_with_another_secret_gets_401(client, settings):
    from api.auth import mint_token

    other = settings.model_copy(update={"jwt_secret": "another-secret-of-enough-length-32b"})
    token = mint_token(other, sub="mallory", name="Mallory", roles=["CSS"])
    response = await client.post(
        "/graphql", json={"query": "{ me { name } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401


async def test_spanish_objectives_come_back_as_a_validation_error(client, tokens):
    body = await gql(
        client, CREATE, {"input": group_input(objectives=SPANISH_OBJECTIVES)},
        headers=tokens.headers("olga"),
    )
    result = body["data"]["createGroup"]
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "objectives"
    assert "Spanish" in result["message"]


async def test_anonymous_create_is_unauthenticated_data(client):
    body = await gql(client, CREATE, {"input": group_input()})
    assert body["data"]["createGroup"]["__typename"] == "UnauthenticatedError"


async def test_a_non_css_approval_is_forbidden(client, tokens):
    created = await gql(client, CREATE, {"input": group_input()}, headers=tokens.headers("olga"))
    group = created["data"]["createGroup"]
    assert group["status"] == "PENDING"
    assert group["owner"] == {"name": "Olga"}
    body = await gql(client, APPROVE, {"id": group["id"]}, headers=tokens.headers("olga"))
    assert body["data"]["approveGroup"]["__typename"] == "ForbiddenError"
    body = await gql(client, APPROVE, {"id": group["id"]}, headers=tokens.headers("carla", "CSS"))
    assert body["data"]["approveGroup"] == {"__typename": "Group", "status": "ACTIVE"}


async def test_an_id_of_another_type_is_not_found(client, tokens):
    me = await gql(client, "{ me { id } }", headers=tokens.headers("carla", "CSS"))
    body = await gql(
        client, APPROVE, {"id": me["data"]["me"]["id"]}, headers=tokens.headers("carla", "CSS")
    )
    assert body["data"]["approveGroup"]["__typename"] == "NotFoundError"


async def test_node_and_group_resolve_global_ids(client, tokens):
    created = await gql(client, CREATE, {"input": group_input()}, headers=tokens.headers("olga"))
    group_id = created["data"]["createGroup"]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Group { title } } group(id: $id) { status } }"
    body = await gql(client, query, {"id": group_id}, headers=tokens.headers("olga"))
    assert body["data"] == {
        "node": {"title": "Maths through games"}, "group": {"status": "PENDING"}
    }
    hidden = await gql(client, query, {"id": group_id}, headers=tokens.headers("tom"))
    assert hidden["data"] == {"node": None, "group": None}


async def test_lists_need_a_signed_in_user(client):
    body = await gql(client, "{ groups { edges { node { title } } } }")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_oversized_page_is_a_typed_error(client, tokens):
    body = await gql(client, "{ groups(first: 101) { edges { cursor } } }",
                     headers=tokens.headers("olga"))
    error = body["errors"][0]
    assert error["extensions"] == {"code": "VALIDATION", "field": "first"}
    assert "between 1 and 100" in error["message"]


async def test_queries_work_over_get_and_mutations_do_not(client, tokens):
    response = await client.get("/graphql", params={"query": "{ me { name } }"},
                                headers=tokens.headers("olga"))
    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"name": "Olga"}}}
    response = await client.get(
        "/graphql",
        params={"query": 'mutation { closeGroup(input: {groupId: "x", reason: "y"}) '
                         "{ __typename } }"},
    )
    assert response.status_code in (400, 405)
    assert "GET" in response.text


async def test_graphql_never_redirects(client):
    for path in ("/graphql", "/graphql?query=%7B__typename%7D"):
        response = await client.get(path, headers={"Accept": "application/json"})
        assert response.status_code in (200, 400)
        assert "location" not in response.headers


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


async def test_graphiql_is_served_in_development_only(settings, store):
    for env, expected in ((Environment.DEVELOPMENT, 200), (Environment.PRODUCTION, 404)):
        configured = settings.model_copy(update={"env": env, "jwt_secret": "x" * 40})
        async with LifespanApp(build_app(configured)) as app:
            async with httpx2.AsyncClient(
                transport=httpx2.ASGITransport(app=app), base_url="http://agora.test"
            ) as http:
                response = await http.get("/graphql", headers={"Accept": "text/html"})
        assert response.status_code == expected
        if expected == 200:
            assert "query ActiveGroups" in response.text


def test_production_refuses_the_development_secret(settings):
    production = settings.model_copy(
        update={"env": Environment.PRODUCTION, "jwt_secret": DEVELOPMENT_SECRET}
    )
    with pytest.raises(RuntimeError, match="APP_JWT_SECRET"):
        build_app(production)


def test_settings_come_from_app_variables(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("APP_MAX_PAGE_SIZE", "50")
    settings = Settings()
    assert settings.is_production and settings.max_page_size == 50
    assert not settings.graphiql_enabled and not settings.introspection_enabled


async def test_concurrent_approve_and_reject_over_http_have_one_winner(client, tokens):
    import asyncio

    created = await gql(client, CREATE, {"input": group_input()}, headers=tokens.headers("olga"))
    group_id = created["data"]["createGroup"]["id"]
    css = tokens.headers("carla", "CSS")
    reject = """mutation($id: ID!) { rejectGroup(input: {groupId: $id, reason: "Duplicate"}) {
      __typename ... on Group { status } ... on InvalidTransitionError { currentStatus } } }"""
    approved, rejected = await asyncio.gather(
        gql(client, APPROVE, {"id": group_id}, headers=css),
        gql(client, reject, {"id": group_id}, headers=css),
    )
    outcomes = sorted(
        [approved["data"]["approveGroup"]["__typename"],
         rejected["data"]["rejectGroup"]["__typename"]]
    )
    assert outcomes == ["Group", "InvalidTransitionError"]
