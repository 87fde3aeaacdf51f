"""The per-process reader: woken by local writes, silent when idle, lossless on resume."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from resolvers.domain.events import EventDoc
from resolvers.domain.membership import Standing
from resolvers.store import Store
from subscriptions import stream as streams
from subscriptions.fanout import Fanout, FanoutSettings
from subscriptions.log import EventLog
from subscriptions.stream import (
    Decision,
    ResyncRequired,
    SlowConsumer,
    event_cursor,
    stream,
)
from tests.support import until


class Everything:
    """A watch that wants every event."""

    def wants(self, event: EventDoc) -> bool:
        return True

    async def refresh(self) -> None:
        pass

    def decide(self, event: EventDoc, *, live: bool) -> Decision:
        return Decision.DELIVER

    def standing(self, event: EventDoc) -> Standing:
        return Standing(role=None, oversees=True, owns=False)


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def event(n: int, clock: Any, days_ago: int = 0) -> EventDoc:
    return {"id": f"event-{n}", "kind": "X", "at": clock() - timedelta(days=days_ago),
            "group_id": "g", "n": n}


@pytest.fixture
async def fanout(store, clock):
    reader = Fanout(store.events, clock, FanoutSettings(poll_interval=3600))
    await reader.start()
    yield reader
    await reader.stop()


async def take(events, count: int) -> list[int]:
    return [(await anext(events)).event["n"] for _ in range(count)]


async def test_a_local_write_wakes_the_reader_at_once(store, clock, fanout):
    # The reader polls once an hour here: only the wake-up can deliver within the test.
    events = stream(fanout=fanout, log=store.events, watch=Everything(), after=None)
    first = asyncio.ensure_future(take(events, 1))
    await until(lambda: fanout.subscriber_count == 1)
    await store.events.append(event(1, clock))
    assert await asyncio.wait_for(first, 10) == [1]
    await events.aclose()


async def test_resuming_replays_then_continues_live_without_gaps_or_repeats(
    store, clock, fanout
):
    for n in range(1, 6):
        await store.events.append(event(n, clock))
    (second,) = await store.events.read_after(1, limit=1)
    events = stream(fanout=fanout, log=store.events, watch=Everything(),
                    after=event_cursor(second))
    reading = asyncio.ensure_future(take(events, 6))
    for n in range(6, 9):
        await store.events.append(event(n, clock))
    assert await asyncio.wait_for(reading, 10) == [3, 4, 5, 6, 7, 8]
    await events.aclose()


async def test_an_idle_process_leaves_the_database_alone(mongodb_uri, database_name, clock):
    commands = Commands()
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        mongodb_uri, tz_aware=True, event_listeners=[commands]
    )
    store = Store(client[database_name])
    reader = Fanout(store.events, clock, FanoutSettings(poll_interval=0.01,
                                                        maintenance_interval=0.01))
    try:
        await reader.start()
        await asyncio.sleep(0.3)  # start-up maintenance
        commands.names.clear()
        await asyncio.sleep(1)  # a hundred poll intervals with nobody listening
        assert commands.names == []
    finally:
        await reader.stop()
        await client.drop_database(database_name)
        await client.close()


async def test_a_reader_behind_the_retention_horizon_jumps_to_it(store, clock, fanout):
    """Events written by another process, then pruned: the reader passes the pruned numbers
    at once instead of waiting on each as a hole (two seconds apiece)."""
    elsewhere = EventLog(store.db)
    for n in range(1, 51):
        await elsewhere.append(event(n, clock, days_ago=8))
    events = stream(fanout=fanout, log=store.events, watch=Everything(), after=None)
    first = asyncio.ensure_future(take(events, 1))
    await until(lambda: fanout.subscriber_count == 1)
    await store.events.append(event(51, clock))
    assert await asyncio.wait_for(first, 10) == [51]
    assert fanout.position == 51
    await events.aclose()


async def test_a_cursor_pruned_as_the_stream_starts_must_resync(store, clock, fanout):
    """The first subscriber of a process prunes as it registers: a cursor that was kept a
    moment before is behind the horizon by then, and must hear so."""
    await asyncio.sleep(0.3)  # start-up maintenance, which would prune as the events arrive
    for n in range(1, 6):
        await store.events.append(event(n, clock, days_ago=8))
    for n in range(6, 8):
        await store.events.append(event(n, clock))
    (second,) = await store.events.read_after(1, limit=1)
    events = stream(fanout=fanout, log=store.events, watch=Everything(),
                    after=event_cursor(second))
    with pytest.raises(ResyncRequired):
        await take(events, 1)


async def test_a_replay_pruned_midway_must_resync(store, clock, fanout):
    """Another process prunes while a stream replays: the stream stops with ResyncRequired
    rather than skip what was removed."""
    for n in range(1, 1201):
        await store.events.append(event(n, clock, days_ago=6))
    (first,) = await store.events.read_after(0, limit=1)
    replay = stream(fanout=fanout, log=store.events, watch=Everything(),
                    after=event_cursor(first))
    assert await take(replay, 1) == [2]
    await EventLog(store.db).prune(before=clock())
    with pytest.raises(ResyncRequired):
        await take(replay, 1000)


async def test_a_subscriber_too_far_behind_gets_what_was_kept_then_must_resume(
    store, clock, fanout, monkeypatch
):
    """A subscriber that stops reading holds at most `QUEUE_LIMIT` events: it receives those,
    then hears that it fell behind (it resumes with the last cursor it has), and nothing is
    skipped in between."""
    monkeypatch.setattr(streams, "QUEUE_LIMIT", 5)
    events = stream(fanout=fanout, log=store.events, watch=Everything(), after=None)
    first = asyncio.ensure_future(take(events, 1))
    await until(lambda: fanout.subscriber_count == 1)
    await store.events.append(event(1, clock))
    assert await asyncio.wait_for(first, 10) == [1]
    for n in range(2, 12):  # ten more while it reads none
        await store.events.append(event(n, clock))
    await until(lambda: fanout.position == 11)
    assert await take(events, 5) == [2, 3, 4, 5, 6]
    with pytest.raises(SlowConsumer):
        await take(events, 1)


class FailingRecovery(EventLog):
    """A log whose recovery fails, as it may when the database is busy for a moment."""

    async def recover(self, *, older_than: Any) -> int:
        raise RuntimeError("database is locked")


async def test_a_failed_catch_up_does_not_end_the_stream_that_started_it(store, clock):
    """The first subscriber after a quiet spell runs the log's maintenance first; if that
    fails, the subscriber still gets what it asked for, and maintenance runs again later."""
    log = FailingRecovery(store.db)
    reader = Fanout(log, clock, FanoutSettings(poll_interval=3600))
    await reader.start()
    try:
        await log.append(event(1, clock))
        (first,) = await log.read_after(0, limit=1)
        events = stream(fanout=reader, log=log, watch=Everything(), after=event_cursor(first))
        reading = asyncio.ensure_future(take(events, 2))
        await until(lambda: reader.subscriber_count == 1)
        await log.append(event(2, clock))
        await log.append(event(3, clock))
        assert await asyncio.wait_for(reading, 10) == [2, 3]
        await events.aclose()
    finally:
        await reader.stop()
