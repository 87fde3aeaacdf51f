"""The event log: every successful write's event appears exactly once, in order."""

import asyncio
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from resolvers import discussions, membership
from resolvers.domain.errors import InvalidTransition
from resolvers.domain.rate_limits import RateLimits
from resolvers.store.outbox import HoldsEvents
from subscriptions.log import GAP, key_of, seq_of
from tests.acceptance.server import ROOT
from tests.conftest import actor
from tests.support import active_group

OWNER, MIA = actor("olga"), actor("mia")
LIMITS = RateLimits({})


@pytest.fixture
async def thread(store, clock):
    group = await active_group(store, clock(), OWNER)
    await membership.join_group(store=store, actor=MIA, group_id=str(group["_id"]),
                                now=clock())
    return await discussions.start_discussion(
        store=store, actor=MIA, group_id=str(group["_id"]), title="Topic", body="Hello",
        now=clock(), limits=LIMITS)


async def kinds(store):
    return [event["kind"] for event in await store.events.read_after(0, limit=1000)]


async def test_each_change_appends_one_event_and_clears_its_outbox(store, clock, thread):
    assert await kinds(store) == [
        "GROUP_STATUS_CHANGED", "GROUP_STATUS_CHANGED", "MEMBER_JOINED", "DISCUSSION_STARTED",
        "POST_ADDED"]
    for name in ("groups", "memberships", "discussions", "posts"):
        assert await store.db[name].count_documents({"outbox.0": {"$exists": True}}) == 0
    events = await store.events.read_after(0, limit=1000)
    assert [seq_of(event) for event in events] == [1, 2, 3, 4, 5]


async def test_a_failed_write_appends_nothing(store, clock, thread):
    from resolvers import moderation

    await moderation.flag_discussion(store=store, actor=OWNER, discussion_id=str(thread["_id"]),
                                     flag="locked", value=True, reason=None, now=clock())
    before = await kinds(store)
    with pytest.raises(InvalidTransition):
        await discussions.add_post(store=store, actor=MIA, discussion_id=str(thread["_id"]),
                                   body="Too late", reply_to_id=None, client_mutation_id=None,
                                   now=clock(), limits=LIMITS)
    assert await kinds(store) == before


async def test_an_event_survives_the_death_of_its_writer(store, clock, thread, mongodb_uri):
    before = len(await kinds(store))
    crashed = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tests.subscriptions.crash_writer", mongodb_uri, store.db.name,
         str(thread["_id"])], cwd=ROOT, capture_output=True, timeout=60,
    )
    assert crashed.returncode == 9, crashed.stderr
    post = await store.db["posts"].find_one({"body": "Written just before the crash"})
    assert post is not None and len(post["outbox"]) == 1  # written, event not yet in the log
    assert len(await kinds(store)) == before
    # Any process's recovery appends it; several at once append it once. (The writer ran on
    # the wall clock.)
    stranded = datetime.now(UTC) + timedelta(minutes=1)
    results = await asyncio.gather(*(store.events.recover(older_than=stranded) for _ in range(3)))
    assert sum(results) == 1
    await store.events.recover(older_than=stranded)
    events = await store.events.read_after(0, limit=1000)
    added = [e for e in events if e["kind"] == "POST_ADDED" and e["subject"]["_id"] == post["_id"]]
    assert len(added) == 1
    assert "outbox" not in await store.db["posts"].find_one({"_id": post["_id"]})


async def test_a_hole_is_waited_for_then_marked_and_never_filled_late(store, clock):
    log = store.events
    await log.append({"id": "a", "kind": "X", "at": clock()})
    taken = await log._next_seq()  # a writer takes number 2 and stalls
    await log.append({"id": "c", "kind": "X", "at": clock()})
    assert [seq_of(e) for e in await log.read_after(0, limit=10)] == [1, 3]
    assert await log.fill_gap(taken, clock())  # a reader gives up on number 2
    late = await log.append({"id": "b", "kind": "X", "at": clock()})  # the writer wakes up
    assert late == 4
    events = await log.read_after(0, limit=10)
    assert [(seq_of(e), e["kind"]) for e in events] == [(1, "X"), (2, GAP), (3, "X"), (4, "X")]
    assert not await log.fill_gap(3, clock())  # a present event is never marked a gap


async def test_appending_the_same_event_twice_keeps_one(store, clock):
    event = {"id": "same", "kind": "X", "at": clock()}
    assert await store.events.append(event) == 1
    assert await store.events.append(event) is None
    assert len(await store.events.read_after(0, limit=10)) == 1


async def test_retention_prunes_and_remembers_its_horizon(store, clock):
    for n in range(3):
        await store.events.append({"id": f"e{n}", "kind": "X", "at": clock()})
        clock.advance(days=4)
    assert await store.events.prune(before=clock() - timedelta(days=9)) == 1  # the first
    assert await store.events.pruned_through() == 1
    assert [e["_id"] for e in await store.events.read_after(0, limit=10)] == [
        key_of(2), key_of(3)]
    assert await store.events.head() == 3


async def exact_counts(store, thread) -> tuple[tuple[int, int], tuple[int, int]]:
    """(stored, real) post counts of the discussion, and member counts of its group."""
    discussion = await store.discussions.get(discussion_id=str(thread["_id"]))
    group = await store.groups.get(group_id=thread["group_id"])
    return ((discussion["post_count"], await store.posts.count(discussion_id=str(thread["_id"]))),
            (group["member_count"], await store.memberships.count(group_id=thread["group_id"])))


async def published_counts(store, thread) -> tuple[tuple[int, int], tuple[int, int]]:
    """(stored, real) published posts of the discussion, and of its group."""
    discussion = await store.discussions.get(discussion_id=str(thread["_id"]))
    group = await store.groups.get(group_id=thread["group_id"])
    published = {"hidden": None, "deleted_at": None}
    return ((discussion["published_count"], await store.posts.count_published(
                discussion_id=str(thread["_id"]))),
            (group.get("published_post_count", 0), await store.posts._collection.count_documents(
                {"group_id": thread["group_id"], **published})))


def writer(mongodb_uri, store, thread, mode) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.subscriptions.burst_writer", mongodb_uri, store.db.name,
         str(thread["_id"]), mode], cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)


async def test_a_writer_dying_before_its_count_leaves_it_exact_after_recovery(
    store, thread, mongodb_uri
):
    process = writer(mongodb_uri, store, thread, "before-count")
    assert await asyncio.to_thread(process.wait, 60) == 9
    (posts, real_posts), _ = await exact_counts(store, thread)
    assert posts == real_posts - 1  # the post is written, the discussion did not count it
    await store.events.recover(older_than=datetime.now(UTC) + timedelta(minutes=1))
    (posts, real_posts), (members, real_members) = await exact_counts(store, thread)
    assert (posts, members) == (real_posts, real_members)
    (published, real), (in_group, real_in_group) = await published_counts(store, thread)
    assert (published, in_group) == (real, real_in_group)


async def test_counters_are_exact_after_kill_9_under_a_write_burst(store, thread, mongodb_uri):
    import signal

    process = writer(mongodb_uri, store, thread, "burst")
    try:
        for _ in range(600):  # until the burst has written a few dozen posts
            if await store.posts.count(discussion_id=str(thread["_id"])) >= 40:
                break
            await asyncio.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(process.wait, 60)
    await store.events.recover(older_than=datetime.now(UTC) + timedelta(minutes=1))
    (posts, real_posts), (members, real_members) = await exact_counts(store, thread)
    assert real_posts >= 40
    assert (posts, members) == (real_posts, real_members)


async def test_a_restart_right_after_a_crash_repairs_it_soon_with_nobody_listening(
    store, thread, mongodb_uri
):
    """A process started just after a writer died cannot tell its outbox from a live
    writer's; it looks again once `stranded_after` has passed, subscribers or not."""
    from subscriptions.fanout import Fanout, FanoutSettings

    process = writer(mongodb_uri, store, thread, "before-count")
    assert await asyncio.to_thread(process.wait, 60) == 9
    reader = Fanout(store.events, lambda: datetime.now(UTC),
                    FanoutSettings(stranded_after=timedelta(seconds=2)))
    await reader.start()
    try:
        for _ in range(200):
            (posts, real_posts), _ = await exact_counts(store, thread)
            if posts == real_posts:
                break
            await asyncio.sleep(0.05)
        assert posts == real_posts
    finally:
        await reader.stop()


async def test_a_use_case_that_fails_after_writing_leaves_its_events_for_recovery(
    store, clock, thread
):
    """An outbox commits when its use case ends well; one that fails midway leaves what it
    wrote in the documents' outboxes, as a process that died there would, and recovery
    moves it to the log."""
    before = await kinds(store)
    event = {"id": "failed-use-case", "kind": "DISCUSSION_PINNED", "at": clock()}
    with pytest.raises(RuntimeError):
        async with store.outbox() as outbox:
            await store.discussions.set_flag(discussion_id=thread["_id"], flag="pinned",
                                             value=True, now=clock(), events=outbox.of(event))
            raise RuntimeError("the process fails here")
    assert await kinds(store) == before
    assert await store.events.recover(older_than=clock() + timedelta(seconds=1)) == 1
    assert await kinds(store) == [*before, "DISCUSSION_PINNED"]


async def test_recovery_looks_in_every_collection_whose_documents_carry_events(store, clock):
    """The collections recovery reads are those whose stores hold events: none is left out
    when a store starts carrying them."""
    holding = [part for part in vars(store).values() if isinstance(part, HoldsEvents)]
    assert {part.source for part in holding} >= {"groups", "discussions", "posts",
                                                 "memberships", "reports"}
    for n, part in enumerate(holding):
        await store.db[part.source].insert_one(
            {"outbox": [{"id": f"stranded-{n}", "kind": "X", "at": clock()}]})
    assert await store.events.recover(older_than=clock() + timedelta(seconds=1)) == len(holding)


async def test_a_replay_of_many_post_events_reads_their_posts_as_they_stand(
    clock, file_store
):
    """A subscriber resuming far back gets a batch of hundreds of post events; their posts
    are read in commands the embedded server on a file accepts (its SQLite refused one `$in`
    of them all as an expression too deep)."""
    from bson import ObjectId

    posts = [{"_id": ObjectId(), "body": f"Post {n}"} for n in range(600)]
    events = [{"id": f"e{n}", "kind": "POST_ADDED", "at": clock(), "subject_kind": "Post",
               "subject": {"_id": post["_id"]}} for n, post in enumerate(posts)]
    await file_store.posts._collection.insert_many(posts)
    found = await file_store.events.with_current(events)
    assert [event["current"]["body"] for event in found] == [post["body"] for post in posts]
