"""The demo community: realistic, and written once however often the command runs."""

from collections import Counter

from api.demo import seed_demo


async def test_the_demo_is_realistic_and_idempotent(store, clock):
    lines: list[str] = []
    assert await seed_demo(store, now=clock(), progress=lines.append) == 30
    assert len(lines) == 30
    groups = await store.db["groups"].find().to_list()
    statuses = Counter(doc["status"] for doc in groups)
    assert statuses["ACTIVE"] >= 20 and statuses["PENDING"] >= 4
    assert {"INFO_REQUESTED", "REJECTED", "CLOSED"} <= set(statuses)
    assert sum(doc["featured"] for doc in groups) == 3
    assert len({language for doc in groups for language in doc["languages"]}) >= 6
    users = await store.db["users"].find().to_list()
    assert len({doc["country"] for doc in users if doc.get("country")}) >= 6
    counts = {name: await store.db[name].count_documents({})
              for name in ("discussions", "posts", "reports", "memberships", "events")}
    assert counts["discussions"] >= 40 and counts["posts"] >= 120 and counts["reports"] >= 2

    assert await seed_demo(store, now=clock()) == 0
    assert {name: await store.db[name].count_documents({}) for name in counts} == counts
