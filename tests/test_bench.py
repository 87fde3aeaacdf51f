"""The benchmarks' reading of what `wrk` prints."""

import shutil

import pytest

from bench.http import read_wrk

# wrk's report where the standard deviations' shares end as the percentiles do.
REPORT = """Running 8s test @ http://127.0.0.1:34669/graphql
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   131.88ms   16.54ms 319.85ms   87.50%
    Req/Sec    60.21      4.96    70.00     93.99%
  Latency Distribution
     50%  131.92ms
     75%  132.67ms
     90%  133.47ms
     99%  202.42ms
  482 requests in 8.01s, 3.99MB read
Requests/sec:     60.20
Transfer/sec:    509.96KB
"""


def test_the_percentiles_come_from_the_latency_distribution():
    assert read_wrk(REPORT) == (60.20, 131.92, 202.42)


def test_failed_requests_stop_the_benchmark():
    failing = REPORT.replace("Requests/sec:", "  Non-2xx or 3xx responses: 3\nRequests/sec:")
    with pytest.raises(RuntimeError, match="3 failed requests"):
        read_wrk(failing)


async def test_the_scale_benchmark_grows_its_community_through_the_use_cases(store):
    """`bench.grow` writes through the use cases into the database under test: approved
    groups, each with a discussion and a member besides its owner, the posts, and their
    events in the log."""
    from bench.grow import Size, grow

    size = Size("tiny", groups=4, posts=12, long_discussion=6, days=1)
    community = await grow(store, size)
    db = store.db
    assert len(community.group_ids) == 4
    assert await db["groups"].count_documents({"status": "ACTIVE"}) == 4
    assert await db["discussions"].count_documents({}) == 4
    # Each discussion opens with a first post.
    assert await db["posts"].count_documents({}) == 4 + 12 + 6
    assert await db["memberships"].count_documents({"role": "MEMBER"}) == 4
    kinds = {event["kind"] async for event in db["events"].find({}, {"kind": 1})}
    assert {"POST_ADDED", "MEMBER_JOINED"} <= kinds


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed here")
def test_under_load_every_answer_is_read_for_errors():
    """`bench.scale` counts what each answer under load says: a GraphQL error answered with
    200 counts as much as a failed request."""
    from bench.http import start, uvicorn
    from bench.scale import under_load
    from tests.acceptance.server import free_port

    port = free_port()
    bare = start(uvicorn("bench.bare:app", port), {}, port)
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        clean = under_load(url, [("", {"query": "{ hello }"})], 1, "clean")
        mixed = under_load(url, [("", {"query": "{ hello }"}), ("", {"query": "{ nothing }"})],
                           1, "half wrong")
    finally:
        bare.terminate()
        bare.wait(timeout=30)
    assert clean.answers > 10 and clean.errors == 0
    assert mixed.answers > 10 and abs(mixed.errors - mixed.answers / 2) <= 16
