"""Rate limits and the inactivity watch through the GraphQL endpoint and the CLI."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx2
import pytest

from api.app import build_app
from resolvers import membership
from tests.conftest import actor
from tests.support import LifespanApp, active_group, gql

ADD = """mutation($input: StartDiscussionInput!) { startDiscussion(input: $input) {
  __typename ... on RateLimitedError { retryAfterSeconds message } } }"""
INACTIVE = "{ inactiveGroups { edges { node { daysInactive rule group { title } } } } }"


@pytest.fixture
async def limited(settings, store, clock):
    limited = settings.model_copy(update={"rate_limits": {"startDiscussion": "2/hour"}})
    async with LifespanApp(build_app(limited, clock=clock)) as app:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://agora.test") as http:
            yield http


async def test_over_the_limit_is_a_typed_error_and_writes_nothing(limited, store, clock, tokens):
    group = await active_group(store, clock(), actor("olga"))
    await membership.join_group(store=store, actor=actor("mia"), group_id=str(group["_id"]),
                                now=clock())
    from strawberry.relay import to_base64

    variables = {"input": {"groupId": to_base64("Group", str(group["_id"])), "title": "Topic",
                           "body": "Hello"}}
    outcomes = [
        (await gql(limited, ADD, variables, headers=tokens.headers("mia")))["data"]
        ["startDiscussion"] for _ in range(3)
    ]
    assert [o["__typename"] for o in outcomes] == ["Discussion", "Discussion", "RateLimitedError"]
    assert 0 < outcomes[2]["retryAfterSeconds"] <= 3600
    assert await store.db["discussions"].count_documents({}) == 2


async def test_the_css_sees_inactive_groups_as_the_clock_moves(client, store, clock, tokens):
    await active_group(store, clock(), actor("olga"), title="Quiet group")
    css = tokens.headers("carla", "CSS", country=None)
    assert (await gql(client, INACTIVE, headers=css))["data"]["inactiveGroups"]["edges"] == []
    clock.advance(days=63)
    edges = (await gql(client, INACTIVE, headers=css))["data"]["inactiveGroups"]["edges"]
    assert [edge["node"] for edge in edges] == [
        {"daysInactive": 63, "rule": "NEW_GROUP", "group": {"title": "Quiet group"}}
    ]
    teacher = await gql(client, INACTIVE, headers=tokens.headers("olga"))
    assert teacher["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def run_sweep(settings) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "APP_MONGODB_URI": settings.mongodb_uri,
           "APP_MONGODB_DATABASE": settings.mongodb_database}
    return subprocess.run([sys.executable, "-m", "api", "sweep-inactivity"], env=env,
                          capture_output=True, text=True, timeout=60, check=True)


async def test_the_sweep_command_flags_due_groups_once(settings, store):
    long_ago = datetime.now(UTC) - timedelta(days=200)
    await active_group(store, long_ago, actor("olga"), title="Forgotten group")
    first = run_sweep(settings)
    assert "1 groups due, 1 flagged now" in first.stdout
    assert "checked 1 due groups" in first.stderr  # progress
    second = run_sweep(settings)
    assert "1 groups due, 0 flagged now" in second.stdout
