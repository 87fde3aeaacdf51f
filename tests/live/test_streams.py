"""Live streams against real servers: two processes, lossless resume, restarts, retention."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest
from strawberry.relay import to_base64

from resolvers import discussions, membership
from resolvers.domain.rate_limits import RateLimits
from tests.acceptance.server import running_server
from tests.conftest import actor
from tests.live.client import LiveClient, active_subscriptions, registered
from tests.live.conftest import server_env
from tests.support import active_group

pytestmark = pytest.mark.e2e

POSTS = """subscription($discussion: ID!, $after: String) {
  postAdded(discussionId: $discussion, after: $after) {
    cursor kind subject { ... on Post { body } }
  }
}"""
ADD_POST = """mutation($input: AddPostInput!) { addPost(input: $input) { __typename } }"""

OWNER = actor("olga")
MEMBERS = [actor(f"member{n}") for n in range(4)]


async def thread(store: Any) -> tuple[str, str]:
    """An active open group with members, and a discussion in it: their global IDs."""
    now = datetime.now(UTC)
    group = await active_group(store, now, OWNER, title=f"Live group {now.timestamp()}")
    gid = str(group["_id"])
    for person in MEMBERS:
        await membership.join_group(store=store, actor=person, group_id=gid, now=now)
    discussion = await discussions.start_discussion(
        store=store, actor=OWNER, group_id=gid, title="Live topic", body="Start",
        now=now, limits=RateLimits({}))
    return to_base64("Group", gid), to_base64("Discussion", str(discussion["_id"]))


async def post(http: httpx2.AsyncClient, base_url: str, token: str, discussion: str,
               body: str) -> None:
    response = await http.post(
        f"{base_url}/graphql",
        json={"query": ADD_POST, "variables": {"input": {"discussionId": discussion,
                                                          "body": body}}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["data"]["addPost"]["__typename"] == "Post", response.text


async def last_cursor(http: httpx2.AsyncClient, url: str, token: str, discussion: str,
                      body: str) -> str:
    """Follow the discussion on `url`, see one post arrive, disconnect: the cursor a client
    would keep."""
    before = await active_subscriptions(url)
    watcher = await LiveClient.connect(url, token)
    await watcher.subscribe(POSTS, discussion=discussion)
    await registered(url, before + 1)
    await post(http, url, token, discussion, body)
    (seen,) = await watcher.events(1)
    await watcher.close()
    return str(seen["cursor"])


def bodies(events: list[dict[str, Any]]) -> list[str]:
    return [event["subject"]["body"] for event in events]


async def test_posts_through_two_processes_reach_both_in_one_order(servers, live_store, tokens):
    _, discussion = await thread(live_store)
    before = [await active_subscriptions(url) for url in servers]
    watchers = [await LiveClient.connect(url, tokens("member0")) for url in servers]
    for watcher in watchers:
        await watcher.subscribe(POSTS, discussion=discussion)
    for url, count in zip(servers, before, strict=True):
        await registered(url, count + 1)
    writers = [tokens(person.id) for person in MEMBERS]
    async with httpx2.AsyncClient(timeout=30) as http:
        await asyncio.gather(*(
            post(http, servers[n % 2], writers[n % 4], discussion, f"post {n}")
            for n in range(200)
        ))
    received = [await watcher.events(200, wait=30) for watcher in watchers]
    for events in received:
        assert sorted(bodies(events)) == sorted(f"post {n}" for n in range(200))
        assert len({event["cursor"] for event in events}) == 200
    assert [event["cursor"] for event in received[0]] == [e["cursor"] for e in received[1]]
    for watcher in watchers:
        await watcher.silence(0.5)
        await watcher.close()


async def test_a_client_that_reconnects_misses_nothing(servers, live_store, tokens):
    _, discussion = await thread(live_store)
    token = tokens("member1")
    async with httpx2.AsyncClient(timeout=30) as http:
        cursor = await last_cursor(http, servers[0], token, discussion, "before")
        for n in range(50):
            await post(http, servers[n % 2], tokens("member2"), discussion, f"missed {n}")
        resumed = await LiveClient.connect(servers[1], token)
        await resumed.subscribe(POSTS, discussion=discussion, after=cursor)
        assert bodies(await resumed.events(50)) == [f"missed {n}" for n in range(50)]
        await post(http, servers[0], tokens("member3"), discussion, "live again")
        assert bodies(await resumed.events(1)) == ["live again"]
        await resumed.silence(0.5)
        await resumed.close()


async def test_resuming_across_a_server_restart(mongodb_uri, live_database, live_store, tokens):
    _, discussion = await thread(live_store)
    token = tokens("member1")
    env = server_env(mongodb_uri, live_database)
    async with httpx2.AsyncClient(timeout=30) as http:
        with running_server(env) as url:
            cursor = await last_cursor(http, url, token, discussion, "before the restart")
            for n in range(50):
                await post(http, url, token, discussion, f"missed {n}")
        with running_server(env) as url:  # a new process on the same database
            resumed = await LiveClient.connect(url, token)
            await resumed.subscribe(POSTS, discussion=discussion, after=cursor)
            assert bodies(await resumed.events(50)) == [f"missed {n}" for n in range(50)]
            await post(http, url, token, discussion, "after the restart")
            assert bodies(await resumed.events(1)) == ["after the restart"]
            await resumed.close()


async def test_a_cursor_older_than_retention_requires_a_resync(servers, live_store, tokens):
    _, discussion = await thread(live_store)
    token = tokens("member1")
    async with httpx2.AsyncClient(timeout=30) as http:
        old = await last_cursor(http, servers[0], token, discussion, "soon forgotten")
        await post(http, servers[0], token, discussion, "missed, then forgotten")
    # Retention passes: everything up to now leaves the log, the missed post included.
    await live_store.events.prune(before=datetime.now(UTC) + timedelta(seconds=1))
    late = await LiveClient.connect(servers[1], token)
    await late.subscribe(POSTS, discussion=discussion, after=old)
    message = await late.message()
    assert message["type"] == "next"
    assert message["payload"]["errors"][0]["extensions"]["code"] == "RESYNC_REQUIRED"
    await late.close()
