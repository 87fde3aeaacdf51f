"""Community scale: the same operations at three sizes of community, on the newcomer's stack.

    .venv/bin/python -m bench.scale [--sizes S M L] [--repeat 20] [--keep DIR [--grow-only]]

For each size (`bench.grow.SIZES`), a community is grown through the use cases in the
embedded database on a file (`api db --path`); then the API runs on it as deployed
(production mode, one pinned core) and each operation is sent `--repeat` times, one at a
time, over one kept-alive HTTP connection (as a browser holds one) or a WebSocket, its time
counted from the client's request to its answer. Printed per size and operation: p50 and p99,
and the CPU the database process and the API process spent per operation; then the bytes on
disk per document, and how each operation grew from the first size to the last. With
`APP_MONGODB_URI` set, real MongoDB is measured instead of the file. Everything is bounded and
on loopback.

Growing L takes hours. With `--keep DIR`, each size is grown in DIR once (`--grow-only` does
only that) and measured there from then on; each run's own writes (a few hundred) add to it.
"""

import argparse
import asyncio
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import websockets
from pymongo import AsyncMongoClient, MongoClient
from strawberry.relay import to_base64

from api.embedded import embedded_database
from bench import as_deployed, process_of
from bench.grow import SIZES, Community, Size, grow, teacher
from bench.http import HERE, cpu_seconds, read_wrk, start, uvicorn
from resolvers import notifications, search
from resolvers.coalesced import IN_AT_MOST
from resolvers.domain.paging import Seek, encode_cursor
from resolvers.store import Store
from subscriptions.log import LOG_COLLECTION
from subscriptions.stream import event_cursor
from tests.acceptance.server import free_port, mint

GROUP_LIST = """query($order: GroupOrder! = NEWEST) {
  groups(first: 20, filter: {status: ACTIVE}, orderBy: $order) { edges { node {
  title topics memberCount owner { name }
  discussions(first: 3) { edges { node { title postCount lastPostAt } } } } } } }"""
DISCUSSION = """query($id: ID!, $after: String) { discussion(id: $id) { title postCount
  posts(first: 50, after: $after) { edges { node { body createdAt author { name } } } } } }"""
SEARCH = """query { groups(first: 20, filter: {search: "mathematics games"}) {
  edges { node { title } } } }"""
FIND = """query($q: String!, $kinds: [SearchKind!], $group: ID) {
  search(query: $q, kinds: $kinds, groupId: $group, first: 20) { edges { node { kind score
  highlight { text matched } node { __typename } } } } }"""
SIMILAR = """query { similarGroups(first: 5, input: {title: "Mathematics through games",
  topics: ["mathematics"], languages: ["en"]}) { score group { title } } }"""
CREATE = """mutation($input: CreateGroupInput!) { createGroup(input: $input) { __typename } }"""
ADD_POST = """mutation($id: ID!, $body: String! = "A new idea") {
  addPost(input: {discussionId: $id, body: $body}) { __typename } }"""
JOIN = """mutation($id: ID!) { joinGroup(input: {groupId: $id}) { __typename } }"""
REVIEW_QUEUE = "query { reviewQueue(first: 20) { edges { node { title } } } }"
REPORTS = "query { reports(first: 20) { edges { node { reason } } } }"
MODERATION_LOG = """query($id: ID!) { moderationLog(groupId: $id, first: 20) {
  edges { node { action } } } }"""
INACTIVE = "query { inactiveGroups(first: 20) { edges { node { daysInactive } } } }"
ADVISED = """query { advisedGroups(first: 20) { edges { node { title
  inactivity { due } } } }
  inactiveGroups(first: 20, advisedOnly: true) { edges { node { daysInactive } } } }"""
CANDIDATES = """query { featuringCandidates(first: 20, status: PROPOSED) {
  edges { node { reason group { title } } } } }"""
UNREAD = """query { groups(first: 20, filter: {status: ACTIVE}) { edges { node { title
  unreadCount discussions(first: 3) { edges { node { title unreadCount } } } } } } }"""
MARK_READ = """mutation($id: ID!) { markDiscussionRead(input: {discussionId: $id}) {
  __typename } }"""
DIGEST = """query($since: DateTime!) { digest(since: $since, first: 20) { groups { edges { node {
  group { title } discussions { count newest { title } } posts { count newest { body } }
  members { count newest { user { name } } } } } } notifications { count } } }"""
RESUME = """subscription($g: ID!, $after: String) { groupActivity(groupId: $g, after: $after) {
  cursor kind subject { ... on Post { body } } } }"""


@dataclass
class Measured:
    name: str
    times_ms: list[float] = field(default_factory=list)
    db_cpu_ms: float = 0.0
    api_cpu_ms: float = 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


@dataclass
class Throughput:
    """Requests a second under load (`wrk`, `CONNECTIONS` connections), and what the answers
    said: how many there were, and how many held an error."""

    name: str
    per_second: float
    p50: float
    p99: float
    answers: int
    errors: int


@dataclass
class Sized:
    """What one size measured."""

    operations: list[Measured]
    bytes_per_document: float
    bytes_in_use_per_document: float | None  # on the embedded database
    throughput: list[Throughput]


@dataclass(frozen=True, slots=True)
class Followed:
    """A discussion that `FOLLOWERS` teachers follow, in the database at `uri`."""

    discussion_id: str
    user_ids: list[str]
    uri: str
    database: str


FOLLOWERS = 1_000


@dataclass
class Run:
    """One API process on the grown database, and what the benchmark needs to call it."""

    url: str
    db_pid: int | None
    api_pid: int
    community: Community
    long_after: str  # the cursor of the long discussion's post before page 200
    resume_after: str  # the cursor 1,000 events back
    followed: Followed
    tokens: dict[str, str]
    http: httpx2.Client = field(default_factory=lambda: httpx2.Client(timeout=60))
    results: list[Measured] = field(default_factory=list)
    throughput: list[Throughput] = field(default_factory=list)
    # The answers to the posts `fan_out` sends, each once the one before is told.
    followed_posts: Measured = field(
        default_factory=lambda: Measured(f"addPost, {FOLLOWERS:,} followers"))

    def measure(self, name: str, repeat: int, call: Callable[[int], float]) -> None:
        found = Measured(name)
        db_before = cpu_seconds(self.db_pid) if self.db_pid else 0.0
        api_before = cpu_seconds(self.api_pid)
        for n in range(repeat):
            found.times_ms.append(call(n))
        if self.db_pid:
            found.db_cpu_ms = (cpu_seconds(self.db_pid) - db_before) * 1000 / repeat
        found.api_cpu_ms = (cpu_seconds(self.api_pid) - api_before) * 1000 / repeat
        self.results.append(found)

    def graphql(self, query: str, token: str, **variables: Any) -> float:
        """Milliseconds from sending `query` to its answer, which must hold no error."""
        started = time.perf_counter()
        response = self.http.post(self.url, json={"query": query, "variables": variables},
                                  headers={"Authorization": f"Bearer {token}"})
        elapsed = (time.perf_counter() - started) * 1000
        body = response.json()
        refused = [value for value in (body.get("data") or {}).values()
                   if isinstance(value, dict) and value.get("__typename", "").endswith("Error")]
        if response.status_code != 200 or "errors" in body or refused:
            raise RuntimeError(f"not answered as asked: {body}")
        return elapsed

    def fan_out(self, _: int) -> float:
        """Milliseconds from sending a post to the discussion `FOLLOWERS` follow until the
        notifier has stored a notification for each of them: its work, off the writer's
        request. Its place in the log says when it is done; the count is checked after."""
        started = time.perf_counter()
        self.followed_posts.times_ms.append(self.graphql(
            ADD_POST, self.tokens["owner"], id=to_base64(
                "Discussion", self.followed.discussion_id), body="For my followers"))
        with MongoClient[dict[str, Any]](self.followed.uri) as client:
            db = client[self.followed.database]
            head = db[LOG_COLLECTION].find_one({}, {"_id": 1}, sort=[("_id", -1)])
            assert head is not None
            seq, deadline = int(head["_id"]), time.monotonic() + 60
            while (db["positions"].find_one({"_id": "notifier"}) or {}).get("seq", 0) < seq:
                if time.monotonic() > deadline:
                    raise RuntimeError("the notifier did not reach the post in 60 s")
                time.sleep(0.01)
            elapsed = (time.perf_counter() - started) * 1000
            told = sum(db["notifications"].count_documents(
                {"user_id": {"$in": self.followed.user_ids[at:at + IN_AT_MOST]}, "seq": seq})
                for at in range(0, len(self.followed.user_ids), IN_AT_MOST))
        if told != len(self.followed.user_ids):
            raise RuntimeError(f"{told} of {len(self.followed.user_ids)} followers told")
        return elapsed

    def resume(self, _: int) -> float:
        """Milliseconds from subscribing 1,000 events back to receiving a post made right
        after subscribing: the replay, then the live event."""
        return asyncio.run(self._resume())

    async def _resume(self) -> float:
        group = to_base64("Group", self.community.group_ids[0])
        marker = f"Marker {uuid.uuid4().hex}"
        async with websockets.connect(self.url.replace("http://", "ws://"),
                                      subprotocols=["graphql-transport-ws"]) as socket:
            await socket.send(json.dumps({"type": "connection_init", "payload": {
                "authorization": f"Bearer {self.tokens['owner']}"}}))
            assert json.loads(await socket.recv())["type"] == "connection_ack"
            started = time.perf_counter()
            await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
                "query": RESUME, "variables": {"g": group, "after": self.resume_after}}}))
            await asyncio.to_thread(self.graphql, ADD_POST, self.tokens["owner"],
                                    id=to_base64("Discussion", self.community.discussion_ids[0]),
                                    body=marker)
            while True:
                message = json.loads(await asyncio.wait_for(socket.recv(), 60))
                if message["type"] != "next" or message["payload"].get("errors"):
                    raise RuntimeError(f"the stream ended: {message}")
                subject = message["payload"]["data"]["groupActivity"]["subject"] or {}
                if subject.get("body") == marker:
                    return (time.perf_counter() - started) * 1000


def operations(run: Run, repeat: int) -> None:
    owner, css, reader = run.tokens["owner"], run.tokens["css"], run.tokens["reader"]
    community = run.community
    discussion = to_base64("Discussion", community.discussion_ids[1])
    long = to_base64("Discussion", community.long_discussion_id)
    group = to_base64("Group", community.group_ids[0])
    run.measure("group list page", repeat, lambda _: run.graphql(GROUP_LIST, reader))
    run.measure("group list page, most members first", repeat, lambda _: run.graphql(
        GROUP_LIST, reader, order="MOST_MEMBERS"))
    run.measure("group list page, latest activity first", repeat, lambda _: run.graphql(
        GROUP_LIST, reader, order="MOST_ACTIVE"))
    run.measure("discussion page", repeat, lambda _: run.graphql(DISCUSSION, reader,
                                                                id=discussion))
    run.measure("page 200 of a 10,000-post discussion", repeat, lambda _: run.graphql(
        DISCUSSION, reader, id=long, after=run.long_after))
    run.measure("groups search", repeat, lambda _: run.graphql(SEARCH, reader))
    run.measure("similarGroups", repeat, lambda _: run.graphql(SIMILAR, reader))
    # Every post holds these words: the cost of the commonest terms.
    run.measure("search, words every post holds", repeat, lambda _: run.graphql(
        FIND, reader, q="children loved", kinds=["POST"]))
    run.measure("search, groups and discussions", repeat, lambda _: run.graphql(
        FIND, reader, q="mathematics games", kinds=["GROUP", "DISCUSSION"]))
    run.measure("search in one group", repeat, lambda _: run.graphql(
        FIND, reader, q="children year", group=group))
    run.measure("createGroup", repeat, lambda n: run.graphql(CREATE, owner, input={
        "title": f"Scale proposal {uuid.uuid4().hex[:8]}", "participation": "OPEN",
        "description": "A group for primary teachers who teach mathematics with games.",
        "objectives": "Share classroom experiences about teaching mathematics through games,"
                      " and design joint projects between primary schools in different"
                      " countries.", "languages": ["en"], "topics": ["mathematics"]}))
    # A discussion of a group the first owner holds, besides the long one.
    theirs = to_base64("Discussion", community.discussion_ids[len(community.owners)])
    run.measure("addPost", repeat, lambda _: run.graphql(ADD_POST, owner, id=theirs))
    run.measure(f"{FOLLOWERS:,} followers notified of a post", repeat, run.fan_out)
    run.results.insert(-1, run.followed_posts)
    run.measure("group list page with unread counts", repeat, lambda _: run.graphql(
        UNREAD, reader))
    run.measure("markDiscussionRead", repeat, lambda _: run.graphql(MARK_READ, owner,
                                                                    id=theirs))
    week_ago = (datetime.now(UTC) - timedelta(days=7)).isoformat()
    run.measure("digest of a week, four groups", repeat, lambda _: run.graphql(
        DIGEST, run.tokens["member"], since=week_ago))
    run.measure("joinGroup", repeat, lambda n: run.graphql(
        JOIN, mint(f"joiner{uuid.uuid4().hex[:8]}"), id=to_base64(
            "Group", community.group_ids[(n * 13 + 5) % len(community.group_ids)])))
    run.measure("reviewQueue", repeat, lambda _: run.graphql(REVIEW_QUEUE, css))
    run.measure("reports", repeat, lambda _: run.graphql(REPORTS, css))
    run.measure("moderationLog", repeat, lambda _: run.graphql(MODERATION_LOG, css, id=group))
    run.measure("inactiveGroups", repeat, lambda _: run.graphql(INACTIVE, css))
    run.measure("advisedGroups and their due groups", repeat,
                lambda _: run.graphql(ADVISED, css))
    run.measure("featuringCandidates", repeat, lambda _: run.graphql(CANDIDATES, css))
    run.measure("resume a subscription 1,000 events back", max(repeat // 4, 3), run.resume)


CONNECTIONS = 16
READS_PER_WRITE = 20


def under_load(url: str, requests: list[tuple[str, dict[str, Any]]], seconds: int,
               name: str) -> Throughput:
    """`requests` (token, body) sent in turn by `wrk` for `seconds`, from core 0."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as listed:
        listed.writelines(f"{token}\t{json.dumps(body)}\n" for token, body in requests)
    try:
        out = subprocess.run(
            ["taskset", "-c", "0", "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s",
             "--latency", "-s", str(HERE / "mixed.lua"), url],
            env={**os.environ, "REQUESTS": listed.name}, capture_output=True, text=True,
            check=True).stdout
    finally:
        os.unlink(listed.name)
    per_second, p50, p99 = read_wrk(out)
    answers, errors = map(int, re.search(  # type: ignore[union-attr]
        r"answers (\d+) errors (\d+)", out).groups())
    return Throughput(name, per_second, p50, p99, answers, errors)


def throughput(run: Run, seconds: int, *, kept: bool, baseline: bool = True) -> None:
    """The group list page, the discussion page, and reads mixed with writes 20:1, each under
    load, with answers `kept` or not; next to bare Strawberry's `{ __typename }` served like
    Agora, in the same run."""
    if baseline:
        port = free_port()
        bare = start(uvicorn("bench.bare:app", port), {}, port)
        try:
            run.throughput.append(under_load(
                f"http://127.0.0.1:{port}/graphql", [("", {"query": "{ __typename }"})],
                seconds, "baseline: bare Strawberry, `{ __typename }`"))
        finally:
            bare.terminate()
            bare.wait(timeout=30)
    how = "answers kept (as deployed)" if kept else "nothing kept"
    reader, owner = run.tokens["reader"], run.tokens["owner"]
    community = run.community
    group_list: tuple[str, dict[str, Any]] = (reader, {"query": GROUP_LIST})
    discussion: tuple[str, dict[str, Any]] = (reader, {"query": DISCUSSION, "variables": {
        "id": to_base64("Discussion", community.discussion_ids[1])}})
    theirs = to_base64("Discussion", community.discussion_ids[len(community.owners)])
    post: tuple[str, dict[str, Any]] = (owner, {"query": ADD_POST, "variables": {
        "id": theirs, "body": "Under load"}})
    # The writes go to a group neither page shows; kept answers stay. Then to the discussion
    # read, whose kept answer each write drops.
    into_read: tuple[str, dict[str, Any]] = (run.tokens["member"], {
        "query": ADD_POST, "variables": {"id": discussion[1]["variables"]["id"],
                                         "body": "Under load"}})
    run.throughput += [
        under_load(run.url, [group_list], seconds, f"group list page, {how}"),
        under_load(run.url, [discussion], seconds, f"discussion page, {how}"),
        under_load(run.url, [group_list, discussion] * (READS_PER_WRITE // 2) + [post],
                   seconds, f"both pages and addPost, {READS_PER_WRITE} reads to a write, "
                   f"{how}"),
    ]
    if kept:
        run.throughput.append(under_load(
            run.url, [group_list, discussion] * (READS_PER_WRITE // 2) + [into_read], seconds,
            f"the same, each addPost to the discussion read, {how}"))


@contextmanager
def database_on_file(path: Path) -> Iterator[tuple[str, int | None]]:
    """The embedded database on `path`, and its process; or real MongoDB when
    `APP_MONGODB_URI` is set (its process unknown)."""
    real = os.environ.get("APP_MONGODB_URI")
    if real:
        yield real, None
        return
    with embedded_database(path=path) as uri:
        yield uri, process_of(f"api db --port 0 --exit-with-parent --path {path}")


async def _followed(store: Store, community: Community, uri: str, database: str) -> Followed:
    """A discussion of the first owner's (besides those the other operations use), which
    `FOLLOWERS` teachers follow through the use case."""
    discussion_id = community.discussion_ids[2 * len(community.owners)]
    followers = [teacher(100_000 + n) for n in range(FOLLOWERS)]
    for start_at in range(0, FOLLOWERS, 50):
        await asyncio.gather(*(notifications.follow_discussion(
            store=store, actor=follower, discussion_id=discussion_id, muted=False,
            now=datetime.now(UTC)) for follower in followers[start_at:start_at + 50]))
    return Followed(discussion_id, [follower.id for follower in followers], uri, database)


@dataclass(frozen=True, slots=True)
class Grown:
    """What a grown community's operations name, kept beside its file with `--keep`."""

    community: Community
    followers: list[str]  # of the discussion `FOLLOWERS` follow

    def save(self, path: Path) -> None:
        community = self.community
        path.write_text(json.dumps({
            "group_ids": community.group_ids, "discussion_ids": community.discussion_ids,
            "long_discussion_id": community.long_discussion_id,
            "owners": [owner.id for owner in community.owners], "followers": self.followers}))

    @classmethod
    def load(cls, path: Path) -> "Grown":
        kept = json.loads(path.read_text())
        owners = [teacher(int(owner_id.removeprefix("teacher"))) for owner_id in kept["owners"]]
        return cls(Community(kept["group_ids"], kept["discussion_ids"],
                             kept["long_discussion_id"], owners), kept["followers"])


async def _prepare(
    size: Size, uri: str, database: str, kept: Grown | None,
) -> tuple[Grown, str, str, int]:
    """Grow `size` in the database at `uri` unless it is `kept` there already, and find the
    cursors the operations use; the documents it then holds."""
    target: AsyncMongoClient[Any] = AsyncMongoClient(uri, tz_aware=True)
    store = Store(target[database])
    if kept is None:
        await store.ensure_indexes()
        started = time.perf_counter()
        community = await grow(store, size, progress=lambda step: print(
            f"  {size.name}: {step} after {time.perf_counter() - started:.0f} s",
            file=sys.stderr, flush=True))
        followed = await _followed(store, community, uri, database)
        # The search indexer's first run, here rather than beside the measurements.
        await search.index_everything(store)
        await store.positions.advance("search", seq=await store.events.head())
        kept = Grown(community, followed.user_ids)
    long_posts, _ = await store.posts.page(
        discussion_id=kept.community.long_discussion_id, seek=Seek(), limit=10_001,
        include_hidden=False)
    long_after = encode_cursor(str(long_posts[199 * 50 - 1]["_id"]))
    db = target[database]
    documents = sum([await db[name].estimated_document_count()
                     for name in await db.list_collection_names()])
    head = await store.events.head()
    back = (await store.events.read_after(head - 1_001, limit=1))[0]
    await target.close()
    return kept, long_after, event_cursor(back), documents


@dataclass(frozen=True, slots=True)
class Ready:
    """A grown community in the database at `uri` (its process `db_pid`), and the cursors
    the operations use."""

    grown: Grown
    folder: Path
    path: Path
    uri: str
    database: str
    db_pid: int | None
    long_after: str
    resume_after: str
    documents: int


@contextmanager
def grown(size: Size, keep: Path | None) -> Iterator[Ready]:
    """`size` grown in a scratch folder, or in `keep` once and found there from then on
    (each run's writes add a little to it)."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = keep or Path(scratch)
        path = folder / f"agora-{size.name}.sqlite3"
        described = folder / f"agora-{size.name}.json"
        if not described.exists():  # a growth cut short is started again
            for part in folder.glob(f"{path.name}*"):
                part.unlink()
        database = f"scale_{size.name.lower()}"
        with database_on_file(path) as (uri, db_pid):
            kept = Grown.load(described) if described.exists() else None
            found, long_after, resume_after, documents = asyncio.run(
                _prepare(size, uri, database, kept))
            found.save(described)
            yield Ready(found, folder, path, uri, database, db_pid, long_after, resume_after,
                        documents)


def run_size(size: Size, repeat: int, seconds: int, keep: Path | None = None) -> Sized:
    """The operations' figures at `size`, the bytes on disk per document, and throughput
    under load (for `seconds` a case; none with 0); grown in `keep`, if given."""
    with grown(size, keep) as ready:
        community = ready.grown.community
        followed = Followed(community.discussion_ids[2 * len(community.owners)],
                            ready.grown.followers, ready.uri, ready.database)
        port = free_port()
        env = {"APP_MONGODB_URI": ready.uri, "APP_MONGODB_DATABASE": ready.database,
               **as_deployed(),
               "APP_RATE_LIMITS": json.dumps({action: "100000000/minute" for action in (
                   "createGroup", "addPost", "startDiscussion", "search")}),
               "APP_QUERY_BUDGET": "100000000/minute"}
        serve = [sys.executable, "-m", "api", "serve", "--port", str(port),
                 "--log-level", "warning"]
        # Each operation repeats one request: with answers kept, it would measure the
        # keeping. What the database pays is measured without.
        server = start(serve, {**env, "APP_RESPONSE_CACHE_SECONDS": "0"}, port)
        run = Run(f"http://127.0.0.1:{port}/graphql", ready.db_pid, server.pid, community,
                  ready.long_after, ready.resume_after, followed, tokens={
                      "owner": mint(community.owners[0].id, "country=ES"),
                      # The owner of four groups, none of them the long discussion's.
                      "member": mint(community.owners[1].id, "country=FR"),
                      "css": mint("css-reviewer", "role=CSS"),
                      "reader": mint("reader", "country=ES")})
        try:
            operations(run, repeat)
            # Before the load: its writes grow SQLite's write-ahead log for a while.
            on_disk = sum(part.stat().st_size for part in ready.folder.iterdir()
                          if part.name.startswith(ready.path.name))
            in_use = _in_use(ready.path) if ready.db_pid is not None else None
            if seconds:
                throughput(run, seconds, kept=False)
                server.terminate()
                server.wait(timeout=30)
                server = start(serve, env, port)  # as deployed: answers kept
                throughput(run, seconds, kept=True, baseline=False)
        finally:
            run.http.close()
            server.terminate()
            server.wait(timeout=30)
    return Sized(run.results, on_disk / ready.documents,
                 None if in_use is None else in_use / ready.documents, run.throughput)


def _in_use(path: Path) -> int:
    """The bytes of the embedded database's file that hold data: what the file would keep if
    it were compacted (SQLite keeps the pages it frees, for later writes)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        pages, free, size = (connection.execute(f"PRAGMA {pragma}").fetchone()[0] for pragma in
                             ("page_count", "freelist_count", "page_size"))
    return int((pages - free) * size)


def table(by_size: dict[str, Sized]) -> str:
    names = list(by_size)
    lines = ["| operation | " + " | ".join(
        f"{name}: p50 / p99 ms, CPU ms of database + API" for name in names)
        + " | last / first p50 |",
        "|---|" + "---|" * (len(names) + 1)]
    first, last = by_size[names[0]].operations, by_size[names[-1]].operations
    for index, measured in enumerate(first):
        cells = [f"{sized.operations[index].p50:.1f} / {sized.operations[index].p99:.1f}, "
                 f"{sized.operations[index].db_cpu_ms:.1f} + "
                 f"{sized.operations[index].api_cpu_ms:.1f}" for sized in by_size.values()]
        growth = last[index].p50 / measured.p50
        lines.append(f"| {measured.name} | " + " | ".join(cells) + f" | {growth:.2f} |")
    lines.append("| bytes on disk per document (file and write-ahead log) | " + " | ".join(
        f"{sized.bytes_per_document:,.0f}" for sized in by_size.values()) + " | |")
    lines.append("| bytes in use per document (the file's pages less its free ones) | "
                 + " | ".join("-" if sized.bytes_in_use_per_document is None
                              else f"{sized.bytes_in_use_per_document:,.0f}"
                              for sized in by_size.values()) + " | |")
    if any(sized.throughput for sized in by_size.values()):
        lines += ["", f"| under load ({CONNECTIONS} connections) | " + " | ".join(
            f"{name}: req/s (to baseline), p50 / p99 ms, answers with an error" for name in names)
            + " |", "|---|" + "---|" * len(names)]
        for index, case in enumerate(next(sized.throughput for sized in by_size.values()
                                          if sized.throughput)):
            cells = []
            for sized in by_size.values():
                if not sized.throughput:
                    cells.append("-")
                    continue
                found, baseline = sized.throughput[index], sized.throughput[0]
                cells.append(f"{found.per_second:,.0f} "
                             f"({found.per_second / baseline.per_second:.2f}), "
                             f"{found.p50:.1f} / {found.p99:.1f}, "
                             f"{found.errors} of {found.answers:,}")
            lines.append(f"| {case.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10,
                        help="of load for each throughput case (0: none)")
    parser.add_argument("--keep", type=Path, help="a folder to grow each size in once, and "
                        "to measure it there from then on")
    parser.add_argument("--grow-only", action="store_true",
                        help="grow the sizes in --keep, measuring nothing")
    args = parser.parse_args()
    if args.grow_only and args.keep is None:
        parser.error("--grow-only grows into --keep")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    started = time.time()
    by_size = {}
    for name in args.sizes:  # each size's figures as soon as they are known: L takes long
        if args.grow_only:
            with grown(SIZES[name], args.keep):
                continue
        by_size[name] = run_size(SIZES[name], args.repeat, args.seconds, args.keep)
        print(table({name: by_size[name]}), end="\n\n", flush=True)
    if not by_size:
        return
    print(table(by_size))
    print(f"\n({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
