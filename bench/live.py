"""Live delivery benchmark: latency from a mutation to its subscriber, and fan-out throughput.

    .venv/bin/python -m bench.live [--posts 200] [--subscribers 1000] [--events 20]
                                   [--fast-path true false]

Starts an embedded database and API processes on loopback, then measures:
  1. the delay from `addPost`'s HTTP response to the subscriber receiving the event, p50 and
     p99, with the writer on the subscriber's process and on the other process;
  2. one API process (pinned to core 1; the clients and the database on core 0) delivering
     each event to N subscribers: the delay until each subscriber has it, p50 and p99, and
     the server's memory per idle subscriber; on the fast path (APP_FAST_PATH: shared
     renderings) and without it (Strawberry as it comes), in the same run.
Everything is bounded in count and time, and only talks to 127.0.0.1.
"""

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
from pymongo import AsyncMongoClient
from strawberry.relay import to_base64

from api.embedded import embedded_database
from bench import as_deployed
from bench.http import cpu_seconds, start
from resolvers import discussions, membership
from resolvers.domain.actors import Actor, Role
from resolvers.domain.rate_limits import RateLimits
from resolvers.store import Store
from tests.acceptance.server import free_port, mint, running_server
from tests.live.client import LiveClient, active_subscriptions, registered
from tests.support import active_group

SUBSCRIBE = """subscription($d: ID!, $after: String) { postAdded(discussionId: $d, after: $after) {
  cursor subject { ... on Post { body } } } }"""
ADD_POST = "mutation($i: AddPostInput!) { addPost(input: $i) { __typename } }"
PER_CONNECTION = 100  # subscriptions multiplexed on one WebSocket, unless told otherwise
WRITES = 50  # writes timed with one subscription open, and with all
CONNECTING = 100  # WebSockets being opened at once, as clients reconnecting together would


@contextlib.contextmanager
def stack(env: dict[str, str], processes: int) -> Iterator[list[str]]:
    with contextlib.ExitStack() as exits:
        yield [exits.enter_context(running_server(env)) for _ in range(processes)]


async def setup(uri: str, database: str) -> tuple[str, ...]:
    """A group with two discussions: the one subscribed to, and another."""
    client: AsyncMongoClient[Any] = AsyncMongoClient(uri, tz_aware=True)
    store = Store(client[database])
    await store.ensure_indexes()
    now = datetime.now(UTC)
    owner = Actor("bench-owner", "Owner", frozenset({Role.TEACHER}), "ES")
    group = await active_group(store, now, owner, title="Benchmark group")
    reader = Actor("bench-reader", "Reader", frozenset({Role.TEACHER}), "ES")
    await membership.join_group(store=store, actor=reader, group_id=str(group["_id"]), now=now)
    threads = [await discussions.start_discussion(
        store=store, actor=owner, group_id=str(group["_id"]), title=title, body="Start",
        now=now, limits=RateLimits({})) for title in ("Benchmark", "Elsewhere")]
    await client.close()
    return tuple(to_base64("Discussion", str(thread["_id"])) for thread in threads)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def latency(servers: list[str], writer_url: str, discussion: str, posts: int
                  ) -> dict[str, Any]:
    token = mint("bench-owner")
    watcher = await LiveClient.connect(servers[0], mint("bench-reader"))
    await watcher.subscribe(SUBSCRIBE, d=discussion)
    await asyncio.sleep(0.5)
    delays = []
    async with httpx2.AsyncClient(timeout=30) as http:
        for n in range(posts):
            arrived = asyncio.ensure_future(watcher.events(1))
            response = await http.post(
                f"{writer_url}/graphql", headers={"Authorization": f"Bearer {token}"},
                json={"query": ADD_POST, "variables": {"i": {"discussionId": discussion,
                                                             "body": f"latency {n}"}}})
            answered = time.perf_counter()
            assert response.json()["data"]["addPost"]["__typename"] == "Post"
            await arrived
            delays.append(max(0.0, time.perf_counter() - answered) * 1000)
    await watcher.close()
    return {"p50_ms": percentile(delays, 0.5), "p99_ms": percentile(delays, 0.99),
            "mean_ms": statistics.fmean(delays)}


async def _post(http: httpx2.AsyncClient, server: str, token: str, discussion: str,
                body: str) -> float:
    """Post `body`; the milliseconds from sending the mutation to its answer."""
    sent = time.perf_counter()
    response = await http.post(
        f"{server}/graphql", headers={"Authorization": f"Bearer {token}"},
        json={"query": ADD_POST, "variables": {"i": {"discussionId": discussion,
                                                     "body": body}}})
    assert response.json()["data"]["addPost"]["__typename"] == "Post", response.text
    return (time.perf_counter() - sent) * 1000


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


type Clients = list[tuple[LiveClient, int]]


async def _subscribe_all(server: str, token: str, discussion: str, subscribers: int,
                         after: str, per_connection: int) -> Clients:
    """`subscribers` subscriptions from the event after cursor `after`, `per_connection` to a
    WebSocket."""
    at_once = asyncio.Semaphore(CONNECTING)

    async def one(count: int) -> tuple[LiveClient, int]:
        async with at_once:
            client = await LiveClient.connect(server, token)
        for _ in range(count):
            await client.subscribe(SUBSCRIBE, d=discussion, after=after)
        return client, count

    return list(await asyncio.gather(*(
        one(min(per_connection, subscribers - opened))
        for opened in range(0, subscribers, per_connection))))


async def _delivered(clients: Clients, sent: float, events: int = 1) -> tuple[list[float], str]:
    """Wait until every subscription has `events` more events: each one's delay from `sent`
    to its last, in ms; and the cursor of the last event."""
    delays: list[float] = []
    last: list[str] = []

    async def receive(client: LiveClient, count: int) -> None:
        for _ in range(count):
            found = await client.events(events, wait=None)
            delays.append((time.perf_counter() - sent) * 1000)
            last.append(found[-1]["cursor"])

    # One bound for all: a timer for each of thousands of receipts would cost this process,
    # which receives for every subscriber, more than the server spends sending.
    async with asyncio.timeout(300):
        await asyncio.gather(*(receive(client, count) for client, count in clients))
    assert len(set(last)) == 1, "subscribers disagree on the last event"
    return delays, last[0]


async def fanout(server: str, discussions: tuple[str, ...], subscribers: int, events: int,
                 server_pid: int, per_connection: int, missed: int = 5) -> dict[str, Any]:
    """One event to `subscribers`: the first after they subscribe, then `events` more, each
    timed from sending the mutation to the last subscriber's receipt; the answer time of
    writes to another discussion, which nobody follows, with one subscription open and with
    all of them open; then all of them reconnect with the last cursor after `missed` events,
    timed until each has them all."""
    reader, token = mint("bench-reader"), mint("bench-owner")
    discussion, elsewhere = discussions
    async with httpx2.AsyncClient(timeout=30) as http:
        probe = await LiveClient.connect(server, reader)
        await probe.subscribe(SUBSCRIBE, d=discussion)
        await asyncio.sleep(0.5)
        one_open = [await _post(http, server, token, elsewhere, f"one open {n}")
                    for n in range(WRITES)]
        await _post(http, server, token, discussion, "mark")
        (mark,) = await probe.events(1)
        await probe.close()
        # Everyone subscribes from the mark, so nobody misses an event while others register.
        rss_before = rss_kib(server_pid)
        before = await active_subscriptions(server)
        clients = await _subscribe_all(server, reader, discussion, subscribers, mark["cursor"],
                                       per_connection)
        await registered(server, before + subscribers, wait=300)
        print(f"subscribed {subscribers}", file=sys.stderr, flush=True)
        sent = time.perf_counter()
        await _post(http, server, token, discussion, "first")
        first, _ = await _delivered(clients, sent)
        per_subscriber_kib = (rss_kib(server_pid) - rss_before) / subscribers
        print("first event delivered", file=sys.stderr, flush=True)
        delays: list[float] = []
        writes: list[float] = []
        server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
        started = time.perf_counter()
        cursor = mark["cursor"]
        for n in range(events):
            sent = time.perf_counter()
            writes.append(await _post(http, server, token, discussion, f"fanout {n}"))
            delivered, cursor = await _delivered(clients, sent)
            delays += delivered
        elapsed = time.perf_counter() - started
        server_cpu = cpu_seconds(server_pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
        # The same writes with every subscription open (and none of them wanting these).
        all_open = [await _post(http, server, token, elsewhere, f"all open {n}")
                    for n in range(WRITES)]
        for client, _ in clients:
            await client.close()
        for n in range(missed):
            await _post(http, server, token, discussion, f"missed {n}")
        print("reconnecting", file=sys.stderr, flush=True)
        sent = time.perf_counter()
        clients = await _subscribe_all(server, reader, discussion, subscribers, cursor,
                                       per_connection)
        resumed, _ = await _delivered(clients, sent, missed)
    for client, _ in clients:
        await client.close()
    return {"subscribers": subscribers, "per_connection": per_connection, "events": events,
            "seconds": elapsed,
            "deliveries_per_second": subscribers * events / elapsed,
            "first_p50_ms": percentile(first, 0.5), "first_p99_ms": percentile(first, 0.99),
            "delivery_p50_ms": percentile(delays, 0.5), "delivery_p99_ms": percentile(delays, 0.99),
            "write_one_open_p50_ms": percentile(one_open, 0.5),
            "write_during_fanout_p50_ms": percentile(writes, 0.5),
            "write_all_open_p50_ms": percentile(all_open, 0.5),
            "resumed_all_ms": max(resumed), "resumed_p50_ms": percentile(resumed, 0.5),
            "missed": missed,
            "server_rss_kib_per_subscriber": per_subscriber_kib,
            "server_cpu_ms_per_event": server_cpu * 1000 / events,
            "client_cpu_ms_per_event": client_cpu * 1000 / events}


async def run(
    *, posts: int, subscribers: int, events: int, fast_path: Sequence[str] = ("true", "false"),
    per_connection: int = PER_CONNECTION,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, embedded_database(
            path=Path(folder) / "live.sqlite3") as uri:
        database = f"bench_{uuid.uuid4().hex[:6]}"
        discussion, elsewhere = await setup(uri, database)
        env = {"APP_MONGODB_URI": uri, "APP_MONGODB_DATABASE": database, **as_deployed(),
               "APP_RATE_LIMITS": json.dumps({"addPost": "1000000/minute"}),
               # One reader holds every benchmark subscription, `per_connection` to a WebSocket.
               "APP_MAX_WEBSOCKETS_PER_USER": str(subscribers // per_connection + 10)}
        results: dict[str, Any] = {}
        if posts:
            with stack(env, 2) as servers:
                results["latency_same_process"] = await latency(
                    servers, servers[0], discussion, posts)
                results["latency_across_processes"] = await latency(
                    servers, servers[1], discussion, posts)
        # One process, pinned to core 1; this client (and the database) on core 0.
        os.sched_setaffinity(0, {0})
        for mode in fast_path:
            port = free_port()
            server = start([sys.executable, "-m", "api", "serve", "--port", str(port),
                            "--log-level", "warning"],
                           {**env, "APP_FAST_PATH": mode}, port)
            print(f"server pid {server.pid}, fast path {mode}", file=sys.stderr, flush=True)
            try:
                results[f"fanout_fast_path_{mode}"] = await fanout(
                    f"http://127.0.0.1:{port}", (discussion, elsewhere), subscribers, events,
                    server.pid, per_connection)
            finally:
                server.terminate()
                server.wait(timeout=30)
    return results


def table(results: dict[str, Any]) -> str:
    """The results as Markdown: delivery delays, then fan-out on the fast path and without it."""
    lines = []
    if "latency_same_process" in results:
        lines += ["| delay from addPost's response to the subscriber | p50 ms | p99 ms |",
                  "|---|---|---|"]
        for key, label in (("latency_same_process", "writer on the subscriber's process"),
                           ("latency_across_processes", "writer on another process")):
            found = results[key]
            lines.append(f"| {label} | {found['p50_ms']:.2f} | {found['p99_ms']:.2f} |")
        lines.append("")
    lines += ["| fan-out | first event p99 ms | delivery p50 ms | delivery p99 ms | "
              "server CPU ms per event | deliveries/s | server KiB per idle subscriber | "
              "write p50 ms: one open / all open / during fan-out | all resumed after "
              "reconnecting, ms |", "|---|---|---|---|---|---|---|---|---|"]
    for key, found in results.items():
        if key.startswith("fanout_fast_path_"):
            mode = ("fast path: shared renderings" if key.endswith("true")
                    else "stock: one rendering each")
            lines.append(
                f"| {found['subscribers']:,} subscribers, {found['per_connection']} a "
                f"WebSocket, {mode} | "
                f"{found['first_p99_ms']:.0f} | "
                f"{found['delivery_p50_ms']:.0f} | {found['delivery_p99_ms']:.0f} | "
                f"{found['server_cpu_ms_per_event']:.0f} | "
                f"{found['deliveries_per_second']:,.0f} | "
                f"{found['server_rss_kib_per_subscriber']:.0f} | "
                f"{found['write_one_open_p50_ms']:.1f} / {found['write_all_open_p50_ms']:.1f}"
                f" / {found['write_during_fanout_p50_ms']:.1f} | "
                f"{found['resumed_all_ms']:,.0f} ({found['missed']} events missed) |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200, help="latency samples; 0 skips them")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--fast-path", nargs="+", choices=["true", "false"],
                        default=["true", "false"],
                        help="fan out on the fast path, without it, or both (default)")
    parser.add_argument("--per-connection", type=int, default=PER_CONNECTION,
                        help="subscriptions on one WebSocket (1: each subscriber a client)")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    args = parser.parse_args()
    results = asyncio.run(run(posts=args.posts, subscribers=args.subscribers,
                              events=args.events, fast_path=args.fast_path,
                              per_connection=args.per_connection))
    print(json.dumps(results, indent=2) if args.json else table(results))


if __name__ == "__main__":
    main()
