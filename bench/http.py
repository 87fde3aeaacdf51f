"""HTTP benchmark: Agora's pages against a bare Strawberry baseline, in the same run, on the
fast path and without it.

    .venv/bin/python -m bench.http [--seconds 10] [--connections 16]

Needs `wrk` (Debian package). Each server runs with uvicorn, one worker, pinned to core 1;
wrk and the embedded database share core 0. Prints a table of requests per second, latency,
the ratio to the baseline, where the CPU time went (API process versus database process) per
request, and the API alone: the rate one API core would serve if the database cost nothing.
The last row is the group list page on `bench.from_memory`, a server whose three reads for it
are answered from memory: the API's own work, without the driver's share of the API's CPU.
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
from bson import ObjectId
from pymongo import AsyncMongoClient
from strawberry.relay import to_base64

from api.embedded import embedded_database
from bench import as_deployed, process_of
from resolvers.domain.actors import Actor, Role
from resolvers.store import Store
from tests.acceptance.server import ROOT, _wait_ready, free_port, mint
from tests.support import active_group

HERE = Path(__file__).parent
GROUP_LIST = """query { groups(first: 20, filter: {status: ACTIVE}) { edges { node {
  title topics memberCount owner { name }
  discussions(first: 3) { edges { node { title postCount lastPostAt } } } } } } }"""
DISCUSSION = """query($id: ID!) { discussion(id: $id) { title postCount
  posts(first: 50) { edges { node { body createdAt author { name } } } } } }"""
ADD_POST = """mutation($input: AddPostInput!) { addPost(input: $input) { __typename } }"""


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    api_cpu: float = 0.0  # CPU seconds over the whole run
    db_cpu: float = 0.0
    seconds: int = 0

    def per_request_ms(self, cpu: float) -> float:
        return cpu * 1000 / (self.rps * self.seconds)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time process `pid` has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ms(text: str) -> float:
    found = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if found is None:
        raise ValueError(f"wrk printed a latency I cannot read: {text!r}")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(url: str, body: dict[str, Any], token: str, seconds: int,
        connections: int) -> tuple[float, float, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(body, handle)
    env = {**os.environ, "BODY": handle.name, "TOKEN": token}
    try:
        out = subprocess.run(
            ["taskset", "-c", "0", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
             "-s", str(HERE / "post.lua"), url], env=env, capture_output=True, text=True,
            check=True).stdout
    finally:
        os.unlink(handle.name)
    print(out, file=sys.stderr)
    return read_wrk(out)


def read_wrk(out: str) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 in ms, from what `wrk --latency` printed. The
    percentiles are read from the latency distribution's own lines: a standard deviation's
    share elsewhere (`87.50%`) ends the same way."""
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed requests:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    return rps, p50, p99


def answer(url: str, body: dict[str, Any], token: str) -> dict[str, Any]:
    """The answer to `body`; raises unless it is answered as asked: no errors, and no mutation
    answering with one of its error types (an `addPost` refused as forbidden costs far less
    than a post)."""
    response = httpx2.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    given: dict[str, Any] = response.json()
    refused = [value for value in (given.get("data") or {}).values()
               if isinstance(value, dict) and value.get("__typename", "").endswith("Error")]
    if response.status_code != 200 or "errors" in given or refused:
        raise RuntimeError(f"the benchmark's request was not answered as asked: {given}")
    return given


def start(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(["taskset", "-c", "1", *command], cwd=ROOT,
                               env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _wait_ready(process, f"http://127.0.0.1:{port}", 60)
    return process


def uvicorn(app: str, port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--workers", "1",
            "--log-level", "warning", "--no-access-log"]


async def seed(uri: str, database: str) -> tuple[str, list[str]]:
    """20 active groups with 5 discussions each; one discussion with 50 posts."""
    client: AsyncMongoClient[Any] = AsyncMongoClient(uri, tz_aware=True)
    store = Store(client[database])
    await store.ensure_indexes()
    now = datetime.now(UTC)
    authors = [Actor(f"author{n}", f"Author {n}", frozenset({Role.TEACHER}), "ES")
               for n in range(20)]
    for author in authors:
        await store.users.record(actor=author, now=now)
    discussions, posts, group_ids = [], [], []
    for g in range(20):
        group = await active_group(store, now, authors[g], title=f"Benchmark group {g}")
        group_ids.append(str(group["_id"]))
        for d in range(5):
            discussion_id, at = ObjectId(), now + timedelta(minutes=d)
            count = 50 if (g, d) == (0, 0) else 5
            discussions.append({
                "_id": discussion_id, "group_id": str(group["_id"]), "title": f"Topic {g}.{d}",
                "author_id": authors[d].id, "created_at": at, "updated_at": at,
                "last_post_at": at, "post_count": count, "pinned": False, "locked": False})
            posts += [{
                "discussion_id": str(discussion_id), "group_id": str(group["_id"]),
                "author_id": authors[p % 20].id, "body": f"Post {p} " + "text " * 40,
                "reply_to_id": None, "created_at": at, "edited_at": None, "versions": [],
                "hidden": None, "deleted_at": None} for p in range(count)]
    await store.discussions._collection.insert_many(discussions)
    await store.posts._collection.insert_many(posts)
    await client.close()
    return to_base64("Discussion", str(discussions[0]["_id"])), group_ids


@dataclass
class Measure:
    """Agora's servers, each started as `python -m <module> serve`, timed case by case; what
    each case was answered is kept by its name."""

    env: dict[str, str]
    db_pid: int
    seconds: int
    connections: int
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, module: str, cases: list[tuple[str, dict[str, Any], str]],
                 expected: dict[str, dict[str, Any]] | None = None) -> list[Result]:
        """Each case's figures. A case named in `expected` must be answered so."""
        port = free_port()
        server = start([sys.executable, "-m", module, "serve", "--port", str(port),
                        "--log-level", "warning"], self.env, port)
        pid = process_of(f"{module} serve --port {port}")
        url = f"http://127.0.0.1:{port}/graphql"
        results = []
        try:
            for name, body, token in cases:
                self.answers[name] = answer(url, body, token)
                if expected and name in expected and self.answers[name] != expected[name]:
                    raise RuntimeError(f"{module} answered {name!r} otherwise than expected: "
                                       f"{self.answers[name]}")
                api_before, db_before = cpu_seconds(pid), cpu_seconds(self.db_pid)
                rps, p50, p99 = wrk(url, body, token, self.seconds, self.connections)
                results.append(Result(name, rps, p50, p99, cpu_seconds(pid) - api_before,
                                      cpu_seconds(self.db_pid) - db_before, self.seconds))
        finally:
            server.terminate()
            server.wait()
        return results


def run(seconds: int, connections: int) -> list[Result]:
    results = []
    with embedded_database(path=None) as uri:
        database = f"bench_{uuid.uuid4().hex[:6]}"
        discussion, _ = asyncio.run(seed(uri, database))
        db_pid = process_of("api db --port 0")
        base_port = free_port()
        bare = start(uvicorn("bench.bare:app", base_port), {}, base_port)
        try:
            rps, p50, p99 = wrk(f"http://127.0.0.1:{base_port}/graphql",
                                {"query": "{ __typename }"}, "", seconds, connections)
            results.append(Result("baseline: bare Strawberry, { __typename }", rps, p50, p99))
        finally:
            bare.terminate()
            bare.wait()
        env = {"APP_MONGODB_URI": uri, "APP_MONGODB_DATABASE": database, **as_deployed(),
               "APP_RATE_LIMITS": json.dumps({"addPost": "100000000/minute"}),
               "APP_QUERY_BUDGET": "100000000/minute"}
        # A teacher reads; the discussion's group's owner, a member, writes.
        reader, writer = mint("author1"), mint("author0")
        cases = [
            ("Agora: { __typename }", {"query": "{ __typename }"}, reader),
            ("group list page (20 groups x 3 discussions)", {"query": GROUP_LIST}, reader),
            ("discussion page (50 posts with authors)",
             {"query": DISCUSSION, "variables": {"id": discussion}}, reader),
            ("addPost (write + event-log append)",
             {"query": ADD_POST, "variables": {"input": {"discussionId": discussion,
                                                          "body": "Benchmark post"}}}, writer),
        ]
        measure = Measure(env, db_pid, seconds, connections)
        # The group list page with its three reads answered from memory: the API's own work,
        # without the driver's. Measured first, before addPost changes what the page shows, so
        # Agora must answer the page exactly as it did.
        page, from_memory = cases[1], "the same page, its reads answered from memory"
        diagnostic = measure("bench.from_memory", [(from_memory, page[1], page[2])])
        results += measure("api", cases, expected={page[0]: measure.answers[from_memory]})
        # The same cases without the fast path: Strawberry and graphql-core as they come.
        stock = Measure({**env, "APP_FAST_PATH": "false"}, db_pid, seconds, connections)
        results += [replace(result, name=f"{result.name}, without the fast path")
                    for result in stock("api", cases[1:])]
        results += diagnostic
    return results


def table(results: list[Result]) -> str:
    """Throughput against the baseline; then the CPU each request cost the API and the
    database, and the rate one API core could serve were the database free: the API alone."""
    baseline = results[0].rps
    lines = ["| case | req/s | ratio to baseline | p50 ms | p99 ms | CPU ms per request: "
             "API / database | API alone: req/s (ratio) |", "|---|---|---|---|---|---|---|"]
    for r in results:
        cpu = alone = "-"
        if r.api_cpu:
            api_ms = r.per_request_ms(r.api_cpu)
            cpu = f"{api_ms:.2f} / {r.per_request_ms(r.db_cpu):.2f}"
            alone = f"{1000 / api_ms:,.0f} ({1000 / api_ms / baseline:.2f})"
        lines.append(f"| {r.name} | {r.rps:,.0f} | {r.rps / baseline:.2f} | {r.p50_ms:.1f} | "
                     f"{r.p99_ms:.1f} | {cpu} | {alone} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench.http needs wrk: apt-get install wrk")
    started = time.time()
    print(table(run(args.seconds, args.connections)))
    print(f"\n({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
