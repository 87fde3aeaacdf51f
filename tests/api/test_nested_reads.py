"""A deep query costs about one database command per level, whatever the page sizes."""

import gc
import uuid
from collections.abc import AsyncIterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from bson import ObjectId
from pymongo import monitoring

from api.app import build_app
from resolvers.domain.actors import Actor, Role
from resolvers.store import Store
from tests.conftest import START
from tests.support import Documents, LifespanApp, active_group, documents_of, gql, restore

# Commands the driver sends for its own housekeeping, not for the query.
HOUSEKEEPING = {"hello", "isMaster", "ismaster", "ping", "endSessions", "buildInfo"}

QUERY = """query($groups: Int!, $discussions: Int!, $posts: Int!) {
  groups(first: $groups, filter: {status: ACTIVE}) { edges { node {
    title memberCount viewerRole owner { name }
    discussions(first: $discussions) { edges { node {
      title postCount author { name }
      posts(first: $posts) { edges { node { body author { name } } } }
    } } }
  } } }
}"""


# Set while a request is served: the event-log reader's own commands do not count.
IN_REQUEST: ContextVar[bool] = ContextVar("in_request", default=False)


class CommandCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if IN_REQUEST.get() and event.command_name not in HOUSEKEEPING:
            self.commands.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def seed(store: Any, now: Any) -> None:
    """20 active groups with 10 discussions of 10 posts each, by 30 different authors; the
    oldest discussion of every other group is pinned."""
    authors = [Actor(f"author{n}", f"Author {n}", frozenset({Role.TEACHER}), "ES")
               for n in range(30)]
    for author in authors:
        await store.users.record(actor=author, now=now)
    discussions, posts = [], []
    for g in range(20):
        group = await active_group(store, now, authors[g], title=f"Group number {g}")
        for d in range(10):
            discussion_id = ObjectId()
            at = now + timedelta(minutes=d)
            discussions.append({
                "_id": discussion_id, "group_id": str(group["_id"]), "title": f"Topic {g}.{d}",
                "author_id": authors[d].id, "created_at": at, "updated_at": at,
                "last_post_at": at, "post_count": 10, "pinned": (g % 2, d) == (0, 0),
                "locked": False,
            })
            posts += [{
                "discussion_id": str(discussion_id), "group_id": str(group["_id"]),
                "author_id": authors[(g + d + p) % 30].id, "body": f"Post {p}",
                "reply_to_id": None, "created_at": at, "edited_at": None, "versions": [],
                "hidden": None, "deleted_at": None,
            } for p in range(10)]
    await store.discussions._collection.insert_many(discussions)
    await store.posts._collection.insert_many(posts)


@pytest.fixture(scope="module")
async def seeded(mongo_client) -> AsyncIterator[tuple[str, Documents]]:
    """The world of `seed`, built once for the module in a database of its own."""
    name = f"test_nested_{uuid.uuid4().hex[:8]}"
    store = Store(mongo_client[name])
    await store.ensure_indexes()
    await seed(store, START)
    yield name, await documents_of(store.db)
    await mongo_client.drop_database(name)


@pytest.fixture
def database_name(seeded) -> str:
    return seeded[0]


@pytest.fixture
async def store(seeded, mongo_client) -> Store:
    """The seeded world, as it was built: what the test before changed is written back."""
    name, documents = seeded
    store = Store(mongo_client[name])
    await restore(store.db, documents)
    return store


@pytest.fixture
async def counted(settings, store, clock):
    counter = CommandCounter()
    # What computing a page costs: nothing kept (and these tests change the database under
    # the API, as no event does).
    settings = settings.model_copy(update={"response_cache_seconds": 0})
    app = build_app(settings, clock=clock, mongo_listeners=[counter])
    async with LifespanApp(app) as running:

        async def counted_app(scope: Any, receive: Any, send: Any) -> None:
            token = IN_REQUEST.set(True)
            try:
                await running(scope, receive, send)
            finally:
                IN_REQUEST.reset(token)

        transport = httpx2.ASGITransport(app=counted_app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://agora.test") as http:
            yield http, counter


async def test_a_deep_query_costs_one_command_per_level(counted, tokens):
    http, counter = counted
    headers = tokens.headers("reader")
    await gql(http, "{ me { name } }", headers=headers)  # records the reader on first sight

    costs = {}
    for sizes in ((20, 10, 10), (5, 3, 2), (20, 1, 10)):
        counter.commands.clear()
        variables = dict(zip(("groups", "discussions", "posts"), sizes, strict=True))
        body = await gql(http, QUERY, variables, headers=headers)
        assert "errors" not in body, body
        edges = body["data"]["groups"]["edges"]
        assert len(edges) == sizes[0]
        first = edges[0]["node"]["discussions"]["edges"]
        assert len(first) == sizes[1]
        assert len(first[0]["node"]["posts"]["edges"]) == sizes[2]
        assert all(post["node"]["author"]["name"].startswith("Author")
                   for post in first[0]["node"]["posts"]["edges"])
        costs[sizes] = list(counter.commands)

    # One command each for the groups, the caller's roles, the discussions and the posts,
    # and one per level for the authors (owners, discussion authors, post authors): seven at
    # most, whatever the page sizes. 20 x 10 x 10 without loaders would be about 2,400.
    for sizes, commands in costs.items():
        assert len(commands) <= 7, (sizes, commands)
        assert commands.count("aggregate") == 2, (sizes, commands)


PAGES = """query($first: Int!) { groups(first: 20, filter: {status: ACTIVE}) { edges { node {
  id discussions(first: $first) { edges { node { title posts(first: 3) { edges { node {
    body } } } } } } } } } }"""
ONE_GROUP = """query($id: ID!, $first: Int!) { node(id: $id) { ... on Group {
  discussions(first: $first) { edges { node { title posts(first: 3) { edges { node {
    body } } } } } } } } }"""


async def test_pages_fetched_for_many_parents_at_once_match_those_fetched_alone(
    counted, tokens
):
    """Pinned first, then the latest; posts oldest first: the same page, batched or not."""
    http, _ = counted
    headers = tokens.headers("reader")
    body = await gql(http, PAGES, {"first": 3}, headers=headers)
    assert "errors" not in body, body
    for edge in body["data"]["groups"]["edges"][:4]:
        group = edge["node"]
        alone = await gql(http, ONE_GROUP, {"id": group["id"], "first": 3}, headers=headers)
        assert group["discussions"] == alone["data"]["node"]["discussions"]
    titles = [[d["node"]["title"] for d in edge["node"]["discussions"]["edges"]]
              for edge in body["data"]["groups"]["edges"]]
    pinned = [page for page in titles if page[0].endswith(".0")]
    assert len(pinned) == 10  # every other group's pinned discussion comes first
    assert all(page[1:] == [page[0][:-1] + "9", page[0][:-1] + "8"] for page in pinned)
    first_posts = body["data"]["groups"]["edges"][0]["node"]["discussions"]["edges"][0]
    assert [p["node"]["body"] for p in first_posts["node"]["posts"]["edges"]] == [
        "Post 0", "Post 1", "Post 2"]


DISCUSSION_PAGE = """query($id: ID!) { discussion(id: $id) { title
  posts(first: 50) { edges { node { body author { name } } } } } }"""


async def test_a_discussion_page_costs_five_commands(counted, tokens):
    """The discussion, its group and the caller's role (read once, for the permission and
    for the posts alike), the posts, and their authors."""
    http, counter = counted
    headers = tokens.headers("reader")
    await gql(http, "{ me { name } }", headers=headers)
    page = await gql(http, "{ groups(first: 1) { edges { node { discussions(first: 1) { edges "
                           "{ node { id } } } } } } }", headers=headers)
    (group,) = page["data"]["groups"]["edges"]
    (discussion,) = group["node"]["discussions"]["edges"]
    counter.commands.clear()
    body = await gql(http, DISCUSSION_PAGE, {"id": discussion["node"]["id"]}, headers=headers)
    posts = body["data"]["discussion"]["posts"]["edges"]
    assert len(posts) == 10 and all(p["node"]["author"]["name"] for p in posts)
    assert counter.commands == ["find", "find", "find", "find", "find"]


GROUP_LIST = """{ groups(first: 20, filter: {status: ACTIVE}) { edges { node {
  title topics memberCount owner { name }
  discussions(first: 3) { edges { node { title postCount lastPostAt } } } } } } }"""


async def test_the_group_list_page_reads_memberships_only_for_invite_only_groups(
    counted, tokens, store
):
    """In open groups every teacher reads the discussions, whatever their role: a page of
    open groups costs three commands (groups, owners, discussions). An invite-only group on
    the page adds the caller's roles, which decide whether its discussions show."""
    http, counter = counted
    headers = tokens.headers("reader")
    await gql(http, "{ me { name } }", headers=headers)
    counter.commands.clear()
    body = await gql(http, GROUP_LIST, headers=headers)
    groups = [edge["node"] for edge in body["data"]["groups"]["edges"]]
    assert len(groups) == 20 and all(len(g["discussions"]["edges"]) == 3 for g in groups)
    assert sorted(counter.commands) == ["aggregate", "find", "find"]

    await store.groups._collection.update_one(
        {"title": groups[0]["title"]}, {"$set": {"participation": "INVITE_ONLY"}}
    )
    counter.commands.clear()
    body = await gql(http, GROUP_LIST, headers=headers)
    shown = {edge["node"]["title"]: edge["node"]["discussions"]
             for edge in body["data"]["groups"]["edges"]}
    assert shown[groups[0]["title"]] is None  # the reader is not a member
    assert all(len(shown[g["title"]]["edges"]) == 3 for g in groups[1:])
    assert sorted(counter.commands) == ["aggregate", "find", "find", "find"]


UNREAD = """{ groups(first: 20, filter: {status: ACTIVE}) { edges { node { unreadCount
  discussions(first: 10) { edges { node { unreadCount } } } } } } }"""


async def test_unread_counts_on_a_page_of_groups_cost_two_commands(counted, tokens):
    """The unread counts of 20 groups and of their 200 discussions: one command for the
    caller's tallies, one for their read markers, beside the page's own two."""
    http, counter = counted
    headers = tokens.headers("reader")
    await gql(http, "{ me { name } }", headers=headers)
    counter.commands.clear()
    body = await gql(http, UNREAD, headers=headers)
    assert "errors" not in body, body
    groups = [edge["node"] for edge in body["data"]["groups"]["edges"]]
    assert len(groups) == 20
    assert all(edge["node"]["unreadCount"] == 10
               for group in groups for edge in group["discussions"]["edges"])
    assert sorted(counter.commands) == ["aggregate", "find", "find", "find"]


CARDS = """query($few: Int!) { groups(first: 20, filter: {status: ACTIVE}) {
  nodes { id ...Card }
  edges { node { latest: discussions(first: $few) { edges { node { title } } } } } } }
fragment Card on Group {
  title owner { name } discussions(first: 3) { edges { node { title } } } }"""
CARD = """query($id: ID!, $first: Int!) { node(id: $id) { ... on Group {
  owner { name } discussions(first: $first) { edges { node { title } } } } } }"""


async def test_a_page_of_groups_loads_ahead_whatever_the_shape_of_its_selection(
    counted, tokens
):
    """Owners and first pages selected through `nodes` or `edges`, in a fragment, under an
    alias, sized by a variable: loaded for the whole page, one command per page size, and
    each group's answer is the one it gets alone."""
    http, counter = counted
    headers = tokens.headers("reader")
    await gql(http, "{ me { name } }", headers=headers)
    counter.commands.clear()
    body = await gql(http, CARDS, {"few": 1}, headers=headers)
    assert "errors" not in body, body
    assert sorted(counter.commands) == ["aggregate", "aggregate", "find", "find"]
    page = body["data"]["groups"]
    for card, edge in list(zip(page["nodes"], page["edges"], strict=True))[:3]:
        three = await gql(http, CARD, {"id": card["id"], "first": 3}, headers=headers)
        one = await gql(http, CARD, {"id": card["id"], "first": 1}, headers=headers)
        assert card["owner"] == three["data"]["node"]["owner"]
        assert card["discussions"] == three["data"]["node"]["discussions"]
        assert edge["node"]["latest"] == one["data"]["node"]["discussions"]


async def test_a_page_size_out_of_bounds_below_a_page_of_groups_is_reported_for_each_group(
    counted, tokens
):
    http, _ = counted
    body = await gql(http, "{ groups(first: 2, filter: {status: ACTIVE}) { edges { node { "
                           "title discussions(first: 500) { edges { node { title } } } } } } }",
                     headers=tokens.headers("reader"))
    assert [edge["node"]["discussions"] for edge in body["data"]["groups"]["edges"]] == [
        None, None]
    assert [(error["path"], error["extensions"]["code"]) for error in body["errors"]] == [
        (["groups", "edges", n, "node", "discussions"], "VALIDATION") for n in (0, 1)]
    assert all("first must be between 1 and 100" in error["message"]
               for error in body["errors"])


async def test_a_member_of_an_invite_only_group_reads_its_discussions_on_a_page_of_groups(
    counted, tokens, store, clock
):
    """The caller's roles are loaded before the discussions: a member's invite-only group
    shows its discussions, a stranger's does not, in four commands."""
    http, counter = counted
    headers = tokens.headers("reader")
    await gql(http, "{ me { name } }", headers=headers)
    body = await gql(http, GROUP_LIST, headers=headers)
    titles = [edge["node"]["title"] for edge in body["data"]["groups"]["edges"]]
    for title in titles[:2]:
        await store.groups._collection.update_one(
            {"title": title}, {"$set": {"participation": "INVITE_ONLY"}})
    joined = await store.groups._collection.find_one({"title": titles[0]})
    await store.memberships.add(group_id=str(joined["_id"]), user_id="reader", role="MEMBER",
                                now=clock())
    counter.commands.clear()
    body = await gql(http, GROUP_LIST, headers=headers)
    shown = {edge["node"]["title"]: edge["node"]["discussions"]
             for edge in body["data"]["groups"]["edges"]}
    assert len(shown[titles[0]]["edges"]) == 3
    assert shown[titles[1]] is None
    assert sorted(counter.commands) == ["aggregate", "find", "find", "find"]


@pytest.mark.fast_path
async def test_a_deep_read_leaves_nothing_for_the_garbage_collector(counted, tokens):
    """What a request reads and builds (documents, loaders, results) is freed as it ends: no
    reference cycle holds it until the collector's next pass, a pass that cost every request
    about a twelfth of its time. (graphql-core's own executor holds itself in a cycle, which
    the fast path's breaks.)"""
    http, _ = counted
    headers = tokens.headers("reader")
    variables = {"groups": 20, "discussions": 3, "posts": 3}
    await gql(http, QUERY, variables, headers=headers)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(3):
            body = await gql(http, QUERY, variables, headers=headers)
            assert len(body["data"]["groups"]["edges"]) == 20
        gc.collect()
        left = sorted({type(garbage).__qualname__ for garbage in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == [], " ".join(left)
