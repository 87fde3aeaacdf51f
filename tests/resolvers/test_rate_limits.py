"""Every documented limit holds at its default: the last allowed call goes through, the
next is refused with RateLimited, and writes nothing."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from resolvers import discussions, groups, membership, reports, search, users
from resolvers.domain.paging import PageRequest
from resolvers.domain.rate_limits import DEFAULT_RATE_LIMITS, RateLimited, RateLimits
from resolvers.domain.reports import ReportReason
from tests.conftest import actor
from tests.support import active_group, group_form

OWNER, MEMBER = actor("olga"), actor("mia")
DEFAULTS = RateLimits({})
SETUP = RateLimits({action: "10000/hour" for action in DEFAULT_RATE_LIMITS})

type Call = Callable[[int], Awaitable[Any]]


async def calls(action: str, store: Any, clock: Any) -> tuple[Call, str]:
    """The n-th call of `action` at its default limit, and the collection it writes."""
    group = await active_group(store, clock(), OWNER)
    gid = str(group["_id"])
    await membership.join_group(store=store, actor=MEMBER, group_id=gid, now=clock())
    thread = await discussions.start_discussion(
        store=store, actor=OWNER, group_id=gid, title="A thread", body="Start", now=clock(),
        limits=SETUP)
    tid = str(thread["_id"])

    async def add(body: str, who: Any = MEMBER, limits: RateLimits = DEFAULTS) -> Any:
        return await discussions.add_post(
            store=store, actor=who, discussion_id=tid, body=body, reply_to_id=None,
            client_mutation_id=None, now=clock(), limits=limits)

    match action:
        case "createGroup":
            return (lambda n: groups.create_group(
                store=store, actor=MEMBER, form=group_form(title=f"Proposal number {n}"),
                now=clock(), similar_recorded=0, limits=DEFAULTS)), "groups"
        case "startDiscussion":
            return (lambda n: discussions.start_discussion(
                store=store, actor=MEMBER, group_id=gid, title=f"Topic {n}", body="Hi",
                now=clock(), limits=DEFAULTS)), "discussions"
        case "addPost":
            return (lambda n: add(f"Post {n}")), "posts"
        case "reportPost":
            posts = [await add(f"Post {n}", who=OWNER, limits=SETUP) for n in range(40)]
            return (lambda n: reports.report_post(
                store=store, actor=MEMBER, post_id=str(posts[n]["_id"]),
                reason=ReportReason.SPAM, note=None, now=clock(), limits=DEFAULTS)), "reports"
        case "editPost":
            mine = await add("Draft", limits=SETUP)
            return (lambda n: discussions.edit_post(
                store=store, actor=MEMBER, post_id=str(mine["_id"]), body=f"Version {n}",
                now=clock(), limits=DEFAULTS)), "posts"
        case "findTeachers":
            page = PageRequest(first=10, after=None, default_size=20, max_size=100)
            return (lambda n: users.find_teachers(
                store=store, actor=OWNER, group_id=gid, search="mi", page=page,
                limits=DEFAULTS, now=clock())), "users"
        case "search":
            page = PageRequest(first=10, after=None, default_size=20, max_size=100)
            return (lambda n: search.search_items(
                store=store, actor=OWNER, text="games", kinds=None, group_id=None,
                language=None, page=page, limits=DEFAULTS, now=clock())), "search_entries"
    raise AssertionError(action)


@pytest.mark.parametrize("action", sorted(DEFAULT_RATE_LIMITS))
async def test_each_documented_limit_holds(store, clock, action):
    allowance = int(DEFAULT_RATE_LIMITS[action].split("/")[0])
    call, collection = await calls(action, store, clock)
    for n in range(allowance):
        await call(n)
    before = await store.db[collection].find().to_list()
    with pytest.raises(RateLimited):
        await call(allowance)
    assert await store.db[collection].find().to_list() == before
