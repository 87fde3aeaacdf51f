"""A community grown for the scale benchmark, through the use cases.

Teachers propose groups and the CSS approves them; each group gets a discussion with posts
spread over the groups, and one group holds a long discussion; the CSS advises some groups
and the NSS propose some for featuring. Everything goes through the
use cases, with a clock that walks through the past `days`, so the log holds that many days
of events. They write straight into the database under test, so it holds exactly what the
use cases write, with no bulk path to keep equal to them.
"""

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from resolvers import discussions, groups, membership, oversight
from resolvers.domain.actors import Actor, Role
from resolvers.domain.groups import GroupAction
from resolvers.domain.rate_limits import RateLimits
from resolvers.store import Store
from tests.support import group_form

CSS = Actor(id="css-reviewer", name="Reviewer", roles=frozenset({Role.CSS}))
UNLIMITED = RateLimits({action: "100000000/minute" for action in (
    "createGroup", "startDiscussion", "addPost", "editPost", "reportPost")})
SUBJECTS = ("mathematics", "robotics", "reading", "music", "science", "history", "art",
            "languages", "geography", "coding", "theatre", "ecology")
WAYS = ("through games", "with projects", "outdoors", "with stories", "by design",
        "in pairs", "with puzzles", "across borders")
LEVELS = ("in primary", "for teenagers", "in secondary", "for beginners", "in rural schools")
# How many use cases run at once: the database is the bound.
AT_ONCE = 20


@dataclass(frozen=True, slots=True)
class Size:
    name: str
    groups: int
    posts: int  # spread over the groups' discussions
    long_discussion: int  # posts in the one long discussion
    days: int  # the log's span


SIZES = {
    "S": Size("S", groups=100, posts=1_000, long_discussion=10_000, days=1),
    "M": Size("M", groups=1_000, posts=20_000, long_discussion=10_000, days=3),
    "L": Size("L", groups=5_000, posts=100_000, long_discussion=10_000, days=7),
}


@dataclass
class Community:
    """What the benchmark needs to name in the grown community."""

    group_ids: list[str]
    discussion_ids: list[str]
    long_discussion_id: str
    owners: list[Actor]


def teacher(n: int) -> Actor:
    return Actor(id=f"teacher{n}", name=f"Teacher {n}", roles=frozenset({Role.TEACHER}),
                 country=("ES", "FR", "IT", "PT", "DE")[n % 5])


def national_support(country: str | None) -> Actor:
    return Actor(id=f"nss-{country}", name=f"NSS {country}", roles=frozenset({Role.NSS}),
                 country=country)


async def _in_batches(calls: Sequence[Callable[[], Awaitable[Any]]]) -> list[Any]:
    found: list[Any] = []
    for start in range(0, len(calls), AT_ONCE):
        found += await asyncio.gather(*(call() for call in calls[start:start + AT_ONCE]))
    return found


async def grow(store: Store, size: Size, *, seed: int = 7,
               progress: Callable[[str], None] = lambda _: None) -> Community:
    """Grow a community of `size` through the use cases, its events spread over the past
    `size.days`."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=size.days)
    steps = size.groups * 2 + size.posts + size.long_discussion
    tick = timedelta(days=size.days) / max(steps, 1)
    clock = [start]

    def now() -> datetime:
        clock[0] += tick
        return clock[0]

    owners = [teacher(n) for n in range(max(size.groups // 4, 1))]
    for owner in owners:
        await store.users.record(actor=owner, now=start)

    async def propose(n: int) -> str:
        owner = owners[n % len(owners)]
        subject, other = rng.sample(SUBJECTS, 2)
        form = group_form(title=f"{subject.title()} {rng.choice(WAYS)} {rng.choice(LEVELS)} {n}",
                          topics=(subject, other))
        created = await groups.create_group(store=store, actor=owner, form=form, now=now(),
                                            similar_recorded=5)
        await groups.transition_group(store=store, actor=CSS, group_id=str(created["_id"]),
                                      action=GroupAction.APPROVE, message=None, now=now())
        return str(created["_id"])

    group_ids = await _in_batches([lambda n=n: propose(n) for n in range(size.groups)])
    progress(f"{size.groups} groups")

    async def open_discussion(n: int) -> str:
        found = await discussions.start_discussion(
            store=store, actor=owners[n % len(owners)], group_id=group_ids[n],
            title=f"How do you start the year? {n}", body="Tell us what works for you.",
            now=now(), limits=UNLIMITED)
        return str(found["_id"])

    discussion_ids = await _in_batches([lambda n=n: open_discussion(n)
                                        for n in range(size.groups)])
    long_id = discussion_ids[0]

    async def post(discussion: int, n: int) -> None:
        await discussions.add_post(
            store=store, actor=owners[discussion % len(owners)],
            discussion_id=discussion_ids[discussion],
            body=f"Reply {n}: we tried this in class and the children loved it.",
            reply_to_id=None, client_mutation_id=None, now=now(), limits=UNLIMITED)

    await _in_batches([lambda n=n: post(n % size.groups, n) for n in range(size.posts)])
    progress(f"{size.posts} posts")
    await _in_batches([lambda n=n: post(0, n) for n in range(size.long_discussion)])
    progress(f"a discussion of {size.long_discussion} posts")
    # A member besides its owner in each group.
    members = [teacher(len(owners) + n) for n in range(size.groups)]
    for member in members:
        await store.users.record(actor=member, now=start)
    await _in_batches([lambda n=n: membership.join_group(
        store=store, actor=members[n], group_id=group_ids[n], now=now())
        for n in range(size.groups)])
    progress(f"{size.groups} members")
    # The CSS reviewer advises every fourth group, and each country's NSS proposes every
    # fourth group of theirs for featuring: at S too, more than a page of each.
    await store.users.record(actor=CSS, now=start)
    await _in_batches([lambda n=n: oversight.assign_advisor(
        store=store, actor=CSS, group_id=group_ids[n], advisor_id=CSS.id, now=now())
        for n in range(0, size.groups, 4)])
    await _in_batches([lambda n=n: oversight.propose_for_featuring(
        store=store, actor=national_support(owners[n % len(owners)].country),
        group_id=group_ids[n], reason="Lively and growing", now=now())
        for n in range(2, size.groups, 4)])
    progress("advisors and candidates for featuring")
    return Community(group_ids, discussion_ids, long_id, owners)
