"""The benchmarks' reading of what `wrk` prints."""

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


async def test_the_scale_benchmark_fills_its_database_with_what_the_use_cases_write(
    store, mongo_client
):
    """`bench.grow` grows a community through the use cases in one database, and `copy` puts
    exactly those documents into the database under test: every collection holds the same
    documents in both."""
    from bench.grow import Size, copy, grow

    community = await grow(store, Size("tiny", groups=4, posts=12, long_discussion=6, days=1))
    assert len(community.group_ids) == 4
    target = mongo_client[f"{store.db.name}_copy"]
    try:
        copied = await copy(store.db, target)
        names = sorted([name for name in await store.db.list_collection_names()
                        if await store.db[name].count_documents({})])
        assert sorted(await target.list_collection_names()) == names
        total = 0
        for name in names:
            grown = await store.db[name].find({}).sort("_id", 1).to_list()
            assert await target[name].find({}).sort("_id", 1).to_list() == grown, name
            total += len(grown)
        assert copied == total
        assert {"groups", "discussions", "posts", "memberships", "events",
                "moderation_log", "users"} <= set(names)
    finally:
        await mongo_client.drop_database(target.name)
