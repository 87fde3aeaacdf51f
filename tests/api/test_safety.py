"""Hostile and malformed requests: refused early, clearly, and cheaply."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator

import httpx2
import pytest

from api.app import build_app
from api.settings import Environment
from tests.support import LifespanApp, gql, group_input

ME = "{ me { name } }"


def error_of(body: dict) -> dict:
    (error,) = body["errors"]
    return error


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("{ " + " ".join(f"a{n}: me {{ name }}" for n in range(31)) + " }", "aliases"),
        ("{ me { " + "name " * 11 + "} }", "selected more than 10 times"),
        ("{ me { name" + " @include(if: true)" * 5 + " } }", "directives"),
    ],
)
async def test_documents_over_a_limit_are_refused_before_validation(client, tokens, query,
                                                                   limit):
    body = await gql(client, query, headers=tokens.headers("olga"))
    error = error_of(body)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert limit in error["message"]
    assert body.get("data") is None


def nested(levels: int) -> str:
    """Groups, then `levels` times a discussion's group's discussions: 4 levels + 4 each."""
    inner = "title"
    for _ in range(levels):
        inner = f"discussions(first: 2) {{ edges {{ node {{ group {{ {inner} }} }} }} }}"
    return f"{{ groups(first: 2) {{ edges {{ node {{ {inner} }} }} }} }}"


async def test_depth_is_limited(client, tokens):
    assert "errors" not in await gql(client, nested(2), headers=tokens.headers("olga"))
    error = error_of(await gql(client, nested(3), headers=tokens.headers("olga")))
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "deeper than 12" in error["message"]


@pytest.mark.parametrize(("query", "variables"), [
    ("{ groups(first: 100) { edges { node { discussions(first: 100) { edges { node {"
     " posts(first: 100) { edges { node { body } } } } } } } } } }", {}),
    ("query($n: Int) { groups(first: $n) { edges { node { discussions(first: $n) { edges {"
     " node { posts { edges { node { body } } } } } } } } } }", {"n": 50}),
    ("{ groups(first: 30) { edges { node { discussions { edges { node { posts { edges {"
     " node { author { name } } } } } } } } } } }", {}),  # 20 a page where not given
])
async def test_pages_nested_in_pages_are_weighed_before_they_run(client, tokens, query,
                                                                 variables):
    body = await gql(client, query, variables, headers=tokens.headers("olga"))
    error = error_of(body)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "more than 10,000 objects" in error["message"]
    assert body.get("data") is None


async def test_nested_pages_within_the_weight_run(client, tokens):
    """20 groups x 10 discussions x 10 posts: 2,220 objects."""
    query = ("query($n: Int) { groups(first: 20) { edges { node { discussions(first: $n) {"
             " edges { node { posts(first: $n) { edges { node { body } } } } } } } } } }")
    assert "errors" not in await gql(client, query, {"n": 10}, headers=tokens.headers("olga"))


async def test_a_ten_thousand_alias_query_is_refused_by_its_size_or_tokens(client, tokens):
    hostile = "{ " + " ".join(f"a{n}: __typename" for n in range(10_000)) + " }"
    response = await client.post("/graphql", json={"query": hostile},
                                 headers=tokens.headers("olga"))
    assert response.status_code == 413
    compact = "{" + "".join(f"a{n}:__typename " for n in range(6_000)) + "}"
    response = await client.post("/graphql", json={"query": compact[:95_000] + "}"},
                                 headers=tokens.headers("olga"))
    error = error_of(response.json())
    assert "token" in error["message"].lower() or error["extensions"]["code"] == (
        "QUERY_TOO_COMPLEX")


async def test_a_one_megabyte_request_gets_413_before_parsing(client):
    response = await client.post("/graphql", content=b'{"query": "' + b" " * 1_000_000 + b'"}',
                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "larger than 100,000 bytes" in response.json()["errors"][0]["message"]


async def test_a_chunked_oversized_request_is_refused_too(client):
    async def chunks():
        for _ in range(200):
            yield b" " * 1_000

    response = await client.post("/graphql", content=chunks(),
                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 413


async def trickled(*parts: bytes, pause: float) -> AsyncIterator[bytes]:
    """A body sent in `parts`, `pause` seconds apart."""
    for index, part in enumerate(parts):
        if index:
            await asyncio.sleep(pause)
        yield part


@pytest.mark.parametrize(("pause", "status"), [(30, 408), (0.05, 200)])
async def test_a_body_must_arrive_in_time(settings, store, tokens, pause, status):
    configured = settings.model_copy(update={"body_timeout": 0.5})
    body = trickled(b'{"query": "{ me', b' { name } }"}', pause=pause)
    async with LifespanApp(build_app(configured)) as app:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://agora.test") as http:
            response = await asyncio.wait_for(http.post(
                "/graphql", content=body, headers={**tokens.headers("olga"),
                                                   "Content-Type": "application/json"}), 10)
    assert response.status_code == status
    if status == 408:
        assert error_of(response.json())["message"] == (
            "The request body did not arrive within 0.5 seconds")
    else:
        assert response.json() == {"data": {"me": {"name": "Olga"}}}


@pytest.mark.parametrize("media_type", ["text/plain", "application/x-www-form-urlencoded",
                                        "multipart/form-data; boundary=x", ""])
async def test_simple_content_type_posts_are_refused_against_csrf(client, tokens, media_type):
    response = await client.post(
        "/graphql", content=b'{"query": "mutation { __typename }"}',
        headers={"Content-Type": media_type, **tokens.headers("olga")}
        if not media_type.startswith("multipart/") else {"Content-Type": media_type},
    )
    assert response.status_code == 415


async def test_a_multipart_post_passes_only_with_a_header_no_form_can_send(client, tokens):
    """Uploads are multipart, which any web page can POST cross-site: one passes with an
    Authorization header, which a cross-site form cannot send and a cross-site script cannot
    send without the CORS preflight."""
    body = b'--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n' \
        b'{"query": "{ me { name } }"}\r\n--x\r\nContent-Disposition: form-data; ' \
        b'name="map"\r\n\r\n{}\r\n--x--\r\n'
    multipart = {"Content-Type": "multipart/form-data; boundary=x"}
    refused = await client.post("/graphql", content=body, headers=multipart)
    assert refused.status_code == 415
    passed = await client.post("/graphql", content=body,
                               headers={**multipart, **tokens.headers("olga")})
    assert passed.json() == {"data": {"me": {"name": "Olga"}}}


async def test_graphql_response_media_type_gives_4xx_for_bad_requests(client, tokens):
    accept = {"Accept": "application/graphql-response+json", **tokens.headers("olga")}
    broken = await client.post("/graphql", json={"query": "{ me { "}, headers=accept)
    assert broken.status_code == 400
    assert broken.headers["content-type"].startswith("application/graphql-response+json")
    assert "data" not in broken.json()
    invalid = await client.post("/graphql", json={"query": "{ nope }"}, headers=accept)
    assert invalid.status_code == 400 and "data" not in invalid.json()
    fine = await client.post("/graphql", json={"query": ME}, headers=accept)
    assert fine.status_code == 200 and fine.json() == {"data": {"me": {"name": "Olga"}}}
    legacy = await client.post("/graphql", json={"query": "{ nope }"},
                               headers=tokens.headers("olga"))
    assert legacy.status_code == 200 and legacy.headers["content-type"] == "application/json"


@pytest.fixture
async def production(settings, store):
    configured = settings.model_copy(update={"env": Environment.PRODUCTION,
                                             "jwt_secret": "s" * 40})
    async with LifespanApp(build_app(configured)) as app:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://agora.test") as http:
            yield http


async def test_production_gives_no_suggestions_and_logs_client_errors_briefly(
    production, caplog
):
    caplog.set_level(logging.INFO)
    body = await gql(production, "{ mee { name } }")
    message = error_of(body)["message"]
    assert "Did you mean" not in message
    records = [r for r in caplog.records if r.name.startswith(("agora", "strawberry"))]
    assert records and all(r.levelno <= logging.INFO for r in records)
    assert all("mee { name }" not in r.getMessage() for r in records)


async def test_cors_is_configurable(settings, store):
    configured = settings.model_copy(update={"cors_origins": ["https://app.example.org"]})
    async with LifespanApp(build_app(configured)) as app:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://agora.test") as http:
            allowed = await http.options("/graphql", headers={
                "Origin": "https://app.example.org", "Access-Control-Request-Method": "POST"})
            refused = await http.options("/graphql", headers={
                "Origin": "https://evil.example.net", "Access-Control-Request-Method": "POST"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "access-control-allow-origin" not in refused.headers


async def test_subscriptions_over_http_are_refused_clearly(client, tokens):
    body = await gql(client, "subscription { moderationFeed { kind } }",
                     headers=tokens.headers("carla", "CSS", country=None))
    error = error_of(body)
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "WebSocket" in error["message"]


CREATE_GROUP = """mutation($input: CreateGroupInput!) {
  createGroup(input: $input) { __typename } }"""
HEAVY = """{ groups(first: 100) { edges { node {
  discussions(first: 50) { edges { node { title } } } } } } }"""  # 1 + 100 + 100 x 50 objects


async def test_each_caller_reads_within_a_budget_per_window(settings, store, tokens, clock):
    configured = settings.model_copy(update={"query_budget": "10202/minute"})
    async with LifespanApp(build_app(configured, clock=clock)) as app:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://agora.test") as http:
            olga = tokens.headers("olga")
            for _ in range(2):  # the whole allowance
                assert "errors" not in await gql(http, HEAVY, headers=olga)
            refused = await http.post("/graphql", json={"query": HEAVY}, headers=olga)
            refused_too = await http.post("/graphql", json={"query": HEAVY}, headers={
                **olga, "accept": "application/graphql-response+json"})
            before = await store.groups._collection.count_documents({})
            mutation = await http.post("/graphql", headers=olga, json={
                "query": CREATE_GROUP, "variables": {"input": group_input()}})
            others = [await gql(http, HEAVY, headers=tokens.headers("tom")),
                      await gql(http, ME)]  # signed out: counted by address
            clock.advance(minutes=1)
            next_window = await gql(http, HEAVY, headers=olga)

    assert refused.status_code == 429
    error = error_of(refused.json())
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert "10,202 objects per minute" in error["message"]
    assert refused.headers["retry-after"] == str(error["extensions"]["retryAfterSeconds"])
    assert 1 <= error["extensions"]["retryAfterSeconds"] <= 60
    assert "data" not in refused.json() or refused.json()["data"] is None
    assert refused_too.status_code == 429  # not the 400 of a request that does not validate
    assert mutation.status_code == 429  # refused before it runs: nothing written
    assert await store.groups._collection.count_documents({}) == before
    assert [body.get("errors") for body in others] == [None, None]
    assert "errors" not in next_window


def test_the_budget_must_fit_the_largest_query(settings):
    with pytest.raises(ValueError, match="APP_QUERY_BUDGET"):
        settings.model_validate({**settings.model_dump(), "query_budget": "5000/minute"})
    with pytest.raises(ValueError, match="not a rate"):
        settings.model_validate({**settings.model_dump(), "query_budget": "lots"})


DEEP = "[" * 20_000 + "]" * 20_000  # 40 kB, within the body limit, past the JSON parser's depth


async def test_json_nested_too_deeply_is_a_bad_request_not_a_crash(client, tokens):
    body = '{"query": "{ me { name } }", "variables": {"v": ' + DEEP + "}}"
    posted = await client.post("/graphql", content=body, headers={
        **tokens.headers("olga"), "content-type": "application/json"})
    fetched = await client.get("/graphql", headers=tokens.headers("olga"), params={
        "query": "{ me { name } }", "variables": "[" * 10_000 + "]" * 10_000})
    for response in (posted, fetched):
        assert response.status_code == 400
        assert error_of(response.json())["message"] == "Unable to parse request body as JSON"


@pytest.mark.parametrize("body", [
    b'{"query": "query($n: Int) { me { name } }", "variables": {"n": ' + b"9" * 5_000 + b"}}",
    b'{"query": "{ me { name } }", "operationName": "\xff\xfe"}',  # not UTF-8
    b'{"query": "{ me { name } }", "operationName": "\\ud800"}',  # a lone surrogate
], ids=["a 5,000-digit number", "bytes that are not text", "a lone surrogate"])
async def test_json_python_cannot_read_or_echo_is_a_bad_request(client, tokens, body):
    response = await client.post("/graphql", content=body, headers={
        **tokens.headers("olga"), "content-type": "application/json"})
    assert response.status_code == 400
    assert error_of(response.json())["message"]


async def test_half_a_surrogate_pair_is_refused_and_a_whole_one_kept(client, tokens, store):
    """JSON may escape a character outside the first plane as a surrogate pair; half a pair
    is no character at all, and no database could store it."""
    def body(title: str) -> str:
        text = json.dumps({"query": CREATE_GROUP + " ", "variables": {"input": group_input()}})
        return text.replace('"title": "', f'"title": "{title}', 1)

    headers = {**tokens.headers("olga"), "content-type": "application/json"}
    half = await client.post("/graphql", content=body("Robots \\ud83e "), headers=headers)
    assert half.status_code == 400
    assert await store.groups._collection.count_documents({}) == 0

    whole = await client.post("/graphql", content=body("Robots \\ud83e\\udd16 "), headers=headers)
    assert whole.json()["data"]["createGroup"]["__typename"] == "Group"
    (group,) = await store.groups._collection.find().to_list()
    assert group["title"].startswith("Robots \N{ROBOT FACE}")
