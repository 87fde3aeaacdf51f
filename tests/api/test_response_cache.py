"""The answers the fast path keeps (`schema.fastpath.responses`) are the answers a fresh
execution gives: for every kind of viewer, after every mutation of the permission matrix and
the event it writes, whichever process wrote it."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from api.app import build_app
from api.auth import mint_token
from api.settings import Environment, Settings
from resolvers import moderation
from resolvers.domain.events import EventKind
from subscriptions import log as event_log
from tests.api.permissions import ACTORS, MATRIX, allowed
from tests.api.test_permission_matrix import PEOPLE, build_world, call
from tests.support import Clock, LifespanApp, gql

pytestmark = pytest.mark.fast_path

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

GROUP_LIST = """query($order: GroupOrder! = NEWEST) { groups(first: 30, orderBy: $order) {
  edges { cursor node { id title status featured participation memberCount imageUrl
    viewerRole welcomeMessage owner { name } advisor { name } readiness { item done }
    discussions(first: 3) { edges { node { id title postCount locked pinned } } } } }
  pageInfo { hasNextPage endCursor } } }"""
GROUP_PAGE = """query($id: ID!) { group(id: $id) { id title status viewerRole welcomeMessage
  members(first: 10) { edges { node { role user { name } } } }
  pages(first: 5) { edges { node { title body } } }
  discussions(first: 5) { edges { node { title postCount } } } } }"""
DISCUSSION_PAGE = """query($id: ID!) { discussion(id: $id) { id title postCount locked pinned
  posts(first: 50) { edges { node { id body deletedAt author { name } hidden { reason }
    attachments { name } } } } } }"""


def reads(ids: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (GROUP_LIST, {}),
        (GROUP_LIST, {"order": "MOST_ACTIVE"}),  # moved by a post in any group
        *((GROUP_PAGE, {"id": ids[name]}) for name in ("active", "invite_only", "pending")),
        (DISCUSSION_PAGE, {"id": ids["discussion"]}),
    ]


def headers(settings: Settings, who: str) -> dict[str, str]:
    person = PEOPLE.get(who)
    if person is None:
        return {}
    token = mint_token(settings, sub=person.id, name=person.name, roles=sorted(person.roles),
                       country=person.country)
    return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[tuple[httpx2.AsyncClient, Any]]:
    app = build_app(settings, clock=Clock(NOW))
    async with LifespanApp(app) as running:
        transport = httpx2.ASGITransport(app=running)
        async with httpx2.AsyncClient(transport=transport, base_url="http://agora.test") as http:
            yield http, app


@pytest.fixture
async def apps(store, mongodb_uri, database_name):
    """The world; an API keeping answers, and one on Strawberry as it comes (no fast path,
    nothing kept), on the same database."""
    ids = await build_world(store, NOW)
    base = {"env": Environment.TEST, "mongodb_uri": mongodb_uri,
            "mongodb_database": database_name, "notifier": False, "search_indexer": False}
    cached_settings = Settings(**base, fast_path=True)
    fresh_settings = Settings(**base, fast_path=False)
    async with served(cached_settings) as (cached, app), served(fresh_settings) as (fresh, _):
        yield ids, cached, fresh, cached_settings, app


async def answers(http: httpx2.AsyncClient, settings: Settings, ids: dict[str, str]
                  ) -> dict[tuple[str, int], Any]:
    asked = [((who, index), gql(http, query, variables, headers(settings, who)))
             for who in ACTORS for index, (query, variables) in enumerate(reads(ids))]
    return dict(zip([key for key, _ in asked],
                    await asyncio.gather(*(answer for _, answer in asked)), strict=True))


# Mutations that end what later ones act on (a closed group takes no posts): made last.
ENDINGS = ("closeGroup", "rejectGroup", "withdrawGroup", "removeMember", "leaveGroup",
           "reopenGroup")


# Who makes each call: the first of these it allows, so that the group's own leaders act
# in it while it keeps them.
MAKERS = ("owner", "css", "nss_same", "moderator", "member", "teacher", "nss_other")


def steps(ids: dict[str, str]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Each mutation of the matrix (those that end what others act on last), by one who may
    make it; then those the matrix's order leaves without effect: undoing a lock and a pin,
    a member leaving, a proposal for featuring once its group is active."""
    made = []
    for mutation in sorted(MATRIX, key=lambda mutation: mutation.startswith(ENDINGS)):
        who = next((who for who in MAKERS if allowed(mutation, who)), None)
        if who is not None:
            made.append((who, *call(mutation, ids)))
    for field, input_type, flag in (("lockDiscussion", "LockDiscussionInput", "locked"),
                                    ("pinDiscussion", "PinDiscussionInput", "pinned")):
        made.append(("owner", field, input_type, {"discussionId": ids["discussion"],
                                                  flag: False}))
    made.append(("member", "leaveGroup", "LeaveGroupInput", {"groupId": ids["active"]}))
    made.append(("nss_same", "proposeForFeaturing", "ProposeForFeaturingInput",
                 {"groupId": ids["pending"], "reason": "Lively"}))
    return made


async def test_kept_answers_equal_fresh_ones_after_every_mutation(apps, store):
    ids, cached, fresh, settings, app = apps
    start = await store.events.head()
    await answers(cached, settings, ids)  # kept now
    compared = 0
    for step, (who, field, input_type, variables) in enumerate(steps(ids)):
        # Half the writes through the API that keeps answers, half through the other one:
        # another process, as far as the keeping one knows.
        writer = cached if step % 2 else fresh
        body = await gql(writer, f"""mutation($input: {input_type}!) {{ {field}(input: $input)
            {{ __typename ... on Error {{ message }} }} }}""", {"input": variables},
                         headers(settings, who))
        assert "errors" not in body, (field, body)  # one the state refuses is fine too
        kept, made = await asyncio.gather(answers(cached, settings, ids),
                                          answers(fresh, settings, ids))
        for key, answer in made.items():
            assert kept[key] == answer, (field, variables, key)
            compared += 1
    # The inactivity watch writes events too, outside any request.
    await moderation.sweep_inactivity(store=store, now=datetime(2027, 6, 1, tzinfo=UTC))
    assert await answers(cached, settings, ids) == await answers(fresh, settings, ids)

    kinds = {event["kind"] for event in await store.events.read_after(start, limit=10_000)}
    assert set(EventKind) - kinds == set(), sorted(set(EventKind) - kinds)
    assert compared > 1_000
    assert app.state.responses.hits > 0


async def test_an_event_written_elsewhere_drops_the_answers_within_a_poll(
    apps, store, monkeypatch
):
    """With nothing told in this process (another process wrote it), the log follower drops
    the kept answers once it reads the event."""
    ids, cached, fresh, settings, _ = apps
    query, variables = reads(ids)[0]
    before = await gql(cached, query, variables, headers(settings, "teacher"))
    assert await gql(cached, query, variables, headers(settings, "teacher")) == before
    monkeypatch.setattr(event_log, "_APPENDED", {})  # as if written by another process
    field, input_type, body = call("setWelcomeMessage", ids)
    await gql(fresh, f"""mutation($input: {input_type}!) {{ {field}(input: $input)
        {{ __typename }} }}""", {"input": body}, headers(settings, "owner"))
    for _ in range(100):
        after = await gql(cached, query, variables, headers(settings, "teacher"))
        if after != before:
            break
        await asyncio.sleep(0.02)
    assert after == await gql(fresh, query, variables, headers(settings, "teacher"))
    assert after != before


async def test_an_event_drops_only_the_answers_it_concerns(apps):
    """A discussion started in one group leaves the kept pages of another group, and a list of
    the newest groups that does not show it, as they were; the pages of its group and the
    list by latest activity are computed again. Every answer equals a fresh one."""
    ids, cached, fresh, settings, app = apps
    kept = app.state.responses
    teacher = headers(settings, "teacher")
    first = """query($order: GroupOrder!) { groups(first: 1, orderBy: $order) {
      edges { node { title discussions(first: 3) { edges { node { title } } } } } } }"""
    asked = {
        "newest": (first, {"order": "NEWEST"}),
        "most active": (first, {"order": "MOST_ACTIVE"}),
        "active": (GROUP_PAGE, {"id": ids["active"]}),
        "invite only": (GROUP_PAGE, {"id": ids["invite_only"]}),
        "discussion": (DISCUSSION_PAGE, {"id": ids["discussion"]}),
    }
    for query, variables in asked.values():
        await gql(cached, query, variables, teacher)
    body = await gql(cached, """mutation($input: StartDiscussionInput!) {
        startDiscussion(input: $input) { __typename } }""", {"input": {
        "groupId": ids["invite_only"], "title": "Another thread", "body": "Words"}},
        headers(settings, "owner"))
    assert body["data"]["startDiscussion"]["__typename"] == "Discussion", body

    served_kept = {}
    for name, (query, variables) in asked.items():
        hits = kept.hits
        answer = await gql(cached, query, variables, teacher)
        assert answer == await gql(fresh, query, variables, teacher), name
        served_kept[name] = kept.hits > hits
    assert served_kept == {"newest": True, "most active": False, "active": True,
                           "invite only": False, "discussion": True}


async def test_marking_a_discussion_read_keeps_the_answers(apps):
    """It writes no event, and changes only what no kept answer shows: an unread count."""
    ids, cached, fresh, settings, app = apps
    kept = app.state.responses
    teacher = headers(settings, "teacher")
    query, variables = DISCUSSION_PAGE, {"id": ids["discussion"]}
    await gql(cached, query, variables, teacher)
    field, input_type, body = call("markDiscussionRead", ids)
    marked = await gql(cached, f"""mutation($input: {input_type}!) {{ {field}(input: $input)
        {{ __typename }} }}""", {"input": body}, teacher)
    assert marked["data"][field]["__typename"] == "Discussion", marked
    hits = kept.hits
    assert await gql(cached, query, variables, teacher) == await gql(
        fresh, query, variables, teacher)
    assert kept.hits == hits + 1
