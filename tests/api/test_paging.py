"""Every list pages both ways: `first`/`after` forward, `last`/`before` back, and
`hasPreviousPage` and `hasNextPage` say true whenever there is a page on that side."""

from datetime import datetime
from typing import Any

import pytest
from strawberry.relay import to_base64

from resolvers import content, discussions, groups, membership, moderation, reports
from resolvers.domain.actors import Role
from resolvers.domain.content import PageKind
from resolvers.domain.paging import Seek
from resolvers.domain.rate_limits import RateLimits
from resolvers.domain.reports import ReportReason
from resolvers.store import Store
from tests.conftest import START, actor
from tests.support import Clock, Documents, active_group, documents_of, gql, group_form, restore

OWNER, CSS = actor("olga"), actor("carla", Role.CSS, country=None)
READERS = [actor(f"reader{n}") for n in range(5)]
LIMITS = RateLimits({})
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


async def seed(store: Store, clock: Clock) -> dict[str, str]:
    """Five groups; in the first, five discussions (one pinned), five pages, five more
    members, a discussion of five posts, and five moderation log entries; five reports, five
    proposals, five invitations; then 400 days without activity."""
    await store.users.record(actor=OWNER, now=clock())
    found = [await active_group(store, clock(), OWNER, title=f"Group {n} of teachers")
             for n in range(5)]
    group = found[0]
    gid = str(group["_id"])
    for reader in READERS:
        await store.users.record(actor=reader, now=clock())
        clock.advance(seconds=1)
        await membership.join_group(store=store, actor=reader, group_id=gid, now=clock())
    threads = []
    for n in range(5):
        clock.advance(seconds=1)
        threads.append(await discussions.start_discussion(
            store=store, actor=OWNER, group_id=gid, title=f"Topic {n}", body="First",
            now=clock(), limits=LIMITS))
    for n in range(4):
        clock.advance(seconds=1)
        await discussions.add_post(store=store, actor=OWNER, discussion_id=str(threads[0]["_id"]),
                                   body=f"Reply {n}", reply_to_id=None, client_mutation_id=None,
                                   now=clock(), limits=LIMITS)
    for locked in (True, False, True, False):
        clock.advance(seconds=1)
        await moderation.flag_discussion(store=store, actor=OWNER,
                                         discussion_id=str(threads[1]["_id"]), flag="locked",
                                         value=locked, reason=None, now=clock())
    await moderation.flag_discussion(store=store, actor=OWNER,
                                     discussion_id=str(threads[3]["_id"]), flag="pinned",
                                     value=True, reason=None, now=clock())
    for n in range(5):
        await content.add_page(store=store, actor=OWNER, group_id=gid, title=f"Page {n}",
                               body="Text", kind=PageKind.PAGE, position=None, now=clock())
    for n, reader in enumerate(READERS):  # five reports, five pending proposals
        (first_post,), _ = await store.posts.page(
            discussion_id=str(threads[n]["_id"]), seek=Seek(), limit=1, include_hidden=False)
        await reports.report_post(store=store, actor=reader, post_id=str(first_post["_id"]),
                                     reason=ReportReason.SPAM, note=None, now=clock(),
                                     limits=LIMITS)
        await groups.create_group(store=store, actor=reader, form=group_form(
            title=f"Proposal {n} of a reader"), now=clock(), similar_recorded=0)
    await store.users.record(actor=actor("invitee"), now=clock())
    for each in found:
        clock.advance(seconds=1)
        await membership.invite_member(store=store, actor=OWNER, group_id=str(each["_id"]),
                                       user_id="invitee", now=clock())
    clock.advance(days=400)  # every active group is long idle
    return {"group": to_base64("Group", gid),
            "discussion": to_base64("Discussion", str(threads[0]["_id"]))}


@pytest.fixture(scope="module")
async def world(mongo_client: Any) -> tuple[dict[str, str], Documents, datetime]:
    """The seeded world, built once: its ids, its documents and the time it ends at."""
    template = Store(mongo_client["test_paging_world"])
    await template.ensure_indexes()
    clock = Clock(START)
    ids = await seed(template, clock)
    documents = await documents_of(template.db)
    await mongo_client.drop_database("test_paging_world")
    return ids, documents, clock()


@pytest.fixture
async def seeded(store, clock, world):
    """A copy of the world, and the clock where its seeding left it."""
    ids, documents, now = world
    await restore(store.db, documents)
    clock.current = now
    return ids


LISTS = {
    "groups": "query($first: Int, $after: String, $last: Int, $before: String) {"
              " list: groups(first: $first, after: $after, last: $last, before: $before) {"
              " edges { cursor node { id } } PAGE_INFO } }",
    "discussions": "query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {"
                   " node(id: $id) { ... on Group { list: discussions(first: $first,"
                   " after: $after, last: $last, before: $before) {"
                   " edges { cursor node { id } } PAGE_INFO } } } }",
    "members": "query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {"
               " node(id: $id) { ... on Group { list: members(first: $first, after: $after,"
               " last: $last, before: $before) { edges { cursor node { user { id } } }"
               " PAGE_INFO } } } }",
    "pages": "query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {"
             " node(id: $id) { ... on Group { list: pages(first: $first, after: $after,"
             " last: $last, before: $before) { edges { cursor node { id position } }"
             " PAGE_INFO } } } }",
    "posts": "query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {"
             " node(id: $id) { ... on Discussion { list: posts(first: $first, after: $after,"
             " last: $last, before: $before) { edges { cursor node { id } } PAGE_INFO } } } }",
    "reviewQueue": "query($first: Int, $after: String, $last: Int, $before: String) {"
                   " list: reviewQueue(first: $first, after: $after, last: $last,"
                   " before: $before) { edges { cursor node { id } } PAGE_INFO } }",
    "reports": "query($first: Int, $after: String, $last: Int, $before: String) {"
               " list: reports(first: $first, after: $after, last: $last, before: $before) {"
               " edges { cursor node { id } } PAGE_INFO } }",
    "inactiveGroups": "query($first: Int, $after: String, $last: Int, $before: String) {"
                      " list: inactiveGroups(first: $first, after: $after, last: $last,"
                      " before: $before) { edges { cursor node { group { id } } } PAGE_INFO } }",
    "invitations": "query($first: Int, $after: String, $last: Int, $before: String) {"
                   " me { list: invitations(first: $first, after: $after, last: $last,"
                   " before: $before) { edges { cursor node { id } } PAGE_INFO } } }",
    "moderationLog": "query($id: ID!, $first: Int, $after: String, $last: Int,"
                     " $before: String) { list: moderationLog(groupId: $id, first: $first,"
                     " after: $after, last: $last, before: $before) {"
                     " edges { cursor node { id } } PAGE_INFO } }",
}


async def page(client, tokens, name: str, ids: dict[str, str], **arguments: Any) -> Any:
    subject = ids["discussion"] if name == "posts" else ids["group"]
    variables = {"id": subject, **arguments} if "$id" in LISTS[name] else arguments
    who = (tokens.headers("invitee") if name == "invitations"
           else tokens.headers("carla", "CSS", country=None))
    body = await gql(client, LISTS[name].replace("PAGE_INFO", PAGE_INFO), variables,
                     headers=who)
    assert "errors" not in body, body
    (data,) = body["data"].values()
    return data.get("list", data)


def ids_of(found: Any) -> list[Any]:
    return [edge["node"].get("id") or (edge["node"].get("user") or edge["node"]["group"])["id"]
            for edge in found["edges"]]


@pytest.mark.parametrize("name", list(LISTS))
async def test_every_list_reads_the_same_forward_and_back(client, tokens, seeded, name):
    """Forward two at a time, then back two at a time from the end: the same items, in the
    same order; each page says truly whether one lies before and after it."""
    forward, pages, after = [], [], None
    while True:
        found = await page(client, tokens, name, seeded, first=2, after=after)
        forward += ids_of(found)
        pages.append(found["pageInfo"])
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    assert len(forward) >= 5 and len(set(forward)) == len(forward)
    assert [info["hasPreviousPage"] for info in pages] == [False] + [True] * (len(pages) - 1)

    back, before, turns = [], None, []
    while True:
        found = await page(client, tokens, name, seeded, last=2, before=before)
        back = ids_of(found) + back
        turns.append(found["pageInfo"])
        if not found["pageInfo"]["hasPreviousPage"]:
            break
        before = found["pageInfo"]["startCursor"]
    assert back == forward
    assert [info["hasNextPage"] for info in turns] == [False] + [True] * (len(turns) - 1)


async def test_a_page_from_the_middle_reads_back_to_what_came_before_it(
    client, tokens, seeded
):
    first = await page(client, tokens, "posts", seeded, first=3)
    middle = first["edges"][2]["cursor"]
    earlier = await page(client, tokens, "posts", seeded, last=10, before=middle)
    assert ids_of(earlier) == ids_of(first)[:2]
    assert earlier["pageInfo"]["hasNextPage"] and not earlier["pageInfo"]["hasPreviousPage"]


@pytest.mark.parametrize(("arguments", "field"), [
    ({"first": 2, "last": 2}, "last"),
    ({"last": 2, "after": "YWdvcmE6eA=="}, "after"),
    ({"last": 500}, "last"),
    ({"last": 2, "before": "not a cursor"}, "before"),
])
async def test_a_page_asked_for_both_ways_or_out_of_bounds_is_refused_by_name(
    client, tokens, seeded, arguments, field
):
    who = tokens.headers("carla", "CSS", country=None)
    body = await gql(client, LISTS["groups"].replace("PAGE_INFO", PAGE_INFO), arguments,
                     headers=who)
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "VALIDATION", "field": field}


async def test_last_pages_count_against_the_limit_on_objects(client, tokens, seeded):
    """`last` sizes a page as `first` does: pages nested in pages multiply either way."""
    who = tokens.headers("carla", "CSS", country=None)
    body = await gql(client, "{ groups(last: 100) { edges { node { discussions(last: 100) {"
                             " edges { node { posts(last: 100) { edges { node { body } } } } }"
                             " } } } } }", headers=who)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_a_groups_lists_read_side_by_side_in_one_query(client, tokens, seeded):
    """Sibling lists read their stores at once, each in a task of its own: every one answers.
    (`tests/schema/test_loading_ahead.py` holds the fast path's part of this to one context.)"""
    query = """query($id: ID!) { group(id: $id) { title viewerRole
        members(first: 2) { edges { node { role user { name } } } }
        pages(first: 2) { edges { node { id } } }
        discussions(last: 2) { edges { node { id } } } } }"""
    body = await gql(client, query, {"id": seeded["group"]},
                     headers=tokens.headers("carla", "CSS", country=None))
    assert "errors" not in body, body
    group = body["data"]["group"]
    assert all(group[name]["edges"] for name in ("pages", "discussions", "members"))
