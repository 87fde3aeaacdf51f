"""The embedded database on a file reads through Agora's indexes (`api.indexed_reads`) and answers
exactly what the in-memory engine, which plans nothing, answers: same documents, same order."""

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, MongoClient
from pymongo.collection import Collection

from api.embedded import embedded_database
from subscriptions.log import LOG_COLLECTION, key_of

START = datetime(2026, 3, 1, tzinfo=UTC)
INDEXES = {
    "posts": [
        [("group_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
        [("discussion_id", ASCENDING), ("_id", ASCENDING)],
        [("status", ASCENDING), ("group_id", ASCENDING), ("_id", DESCENDING)],
        [("tags", ASCENDING)],
    ],
    "groups": [[("status", ASCENDING), ("_id", ASCENDING)], [("topics", ASCENDING)],
               [("terms", ASCENDING)]],
    LOG_COLLECTION: [[("at", ASCENDING)], [("event_id", ASCENDING)]],
}


def _posts() -> list[dict[str, Any]]:
    rng = random.Random(18)
    docs = []
    for n in range(600):
        doc: dict[str, Any] = {
            "_id": ObjectId.from_datetime(START + timedelta(seconds=n)),
            "group_id": f"g{rng.randrange(5)}",
            "discussion_id": f"d{rng.randrange(12)}",
            # Ties on purpose: the order's last key, `_id`, decides them.
            "created_at": START + timedelta(minutes=rng.randrange(200)),
            "status": rng.choice(["OPEN", "CLOSED"]),
            "n": rng.choice([1, 2, 2.0, 2.5, 3]),
            "tags": rng.sample(["a", "b", "c", "d"], rng.randrange(3)),
        }
        if rng.random() < 0.3:
            doc["hidden"] = rng.random() < 0.5
        if n % 25 == 0:  # events waiting to enter the log; or none left; or not a list
            doc["outbox"] = [{"id": f"e{n}", "at": doc["created_at"]}]
        elif n % 25 in (1, 2):
            doc["outbox"] = [] if n % 25 == 1 else {"at": START}
        docs.append(doc)
    # Values of another type, or none, where the query expects a string or a date.
    docs += [
        {"_id": ObjectId.from_datetime(START - timedelta(days=1)), "group_id": 3,
         "discussion_id": "d1", "created_at": START, "status": "OPEN"},
        {"_id": ObjectId.from_datetime(START - timedelta(days=2)), "discussion_id": "d1",
         "created_at": "2026-03-01", "status": "OPEN", "group_id": "g1"},
        {"_id": ObjectId.from_datetime(START - timedelta(days=3)), "discussion_id": "d2",
         "status": "OPEN", "group_id": "g2"},
        {"_id": "text-id", "discussion_id": "d2", "group_id": "g2", "status": "CLOSED",
         "created_at": START},
    ]
    return docs


def _groups() -> list[dict[str, Any]]:
    """Groups, whose `_id`s are all ObjectIds: some hold a topic as a scalar, not a list."""
    rng = random.Random(21)
    words = ["game", "math", "story", "art", "robot", "music"]
    return [{"_id": ObjectId.from_datetime(START + timedelta(minutes=n)),
             "status": rng.choice(["ACTIVE", "PENDING", "CLOSED"]),
             "topics": rng.choice(words) if n % 7 == 0 else rng.sample(words[:4], 2),
             "terms": rng.sample(words, rng.randrange(4))} for n in range(300)]


def _events() -> list[dict[str, Any]]:
    return [{"_id": key_of(n), "event_id": f"e{n}", "kind": "POST_ADDED" if n % 3 else "GAP",
             "at": START + timedelta(seconds=n // 2)} for n in range(1, 400)]


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    folder: Path = tmp_path_factory.mktemp("indexed")
    with embedded_database(path=folder / "file.sqlite3") as on_file, \
            embedded_database(path=None) as in_memory:
        pair = MongoClient(on_file, tz_aware=True), MongoClient(in_memory, tz_aware=True)
        for client in pair:
            db = client["agora"]
            for name, indexes in INDEXES.items():
                for keys in indexes:
                    db[name].create_index(keys)
            db["posts"].insert_many(_posts())
            db["groups"].insert_many(_groups())
            db[LOG_COLLECTION].insert_many(_events())
        yield pair[0]["agora"], pair[1]["agora"]
        for client in pair:
            client.close()


def _ids(collection: Collection[Any], query: dict[str, Any], sort: list[tuple[str, int]],
         limit: int, skip: int) -> list[Any]:
    cursor = collection.find(query, {"_id": 1})
    if sort:
        cursor = cursor.sort(sort)
    return [doc["_id"] for doc in cursor.skip(skip).limit(limit)]


AT = START + timedelta(minutes=90)
PIVOT = ObjectId.from_datetime(START + timedelta(seconds=300))
READS: list[tuple[str, dict[str, Any], list[tuple[str, int]]]] = [
    ("posts", {"group_id": "g1"}, [("created_at", -1), ("_id", -1)]),
    ("posts", {"group_id": "g1"}, [("created_at", 1), ("_id", 1)]),
    ("posts", {"group_id": "g2", "hidden": {"$ne": True}}, [("created_at", -1), ("_id", -1)]),
    ("posts", {"$and": [{"group_id": "g3"}, {"$or": [
        {"created_at": {"$lt": AT}}, {"created_at": AT, "_id": {"$lt": PIVOT}}]}]},
     [("created_at", -1), ("_id", -1)]),
    ("posts", {"$and": [{"group_id": "g3"}, {"created_at": {"$gte": AT}}]},
     [("created_at", 1), ("_id", 1)]),
    ("posts", {"discussion_id": "d1"}, [("_id", 1)]),
    ("posts", {"discussion_id": "d2"}, [("_id", -1)]),
    ("posts", {"discussion_id": "d4", "_id": {"$gt": PIVOT}}, [("_id", 1)]),
    ("posts", {"discussion_id": {"$in": ["d3", "d5"]}}, [("_id", 1)]),
    ("posts", {"discussion_id": "d5", "n": 2}, [("_id", 1)]),
    ("posts", {"status": "OPEN", "group_id": "g2"}, [("_id", -1)]),
    ("posts", {"status": "CLOSED", "group_id": {"$in": ["g1", "g2"]}}, []),
    ("posts", {"status": "OPEN"}, [("group_id", 1), ("_id", -1)]),
    ("posts", {"tags": "b", "group_id": "g4"}, [("created_at", -1), ("_id", -1)]),
    ("posts", {"group_id": 3}, [("created_at", -1), ("_id", -1)]),
    ("posts", {"group_id": "g1", "created_at": {"$gt": START}}, [("created_at", -1), ("_id", -1)]),
    ("posts", {"_id": {"$in": [PIVOT, "text-id", ObjectId()]}}, []),
    ("posts", {"_id": PIVOT, "status": {"$in": ["OPEN", "CLOSED"]}}, []),
    ("posts", {}, [("created_at", -1), ("_id", -1)]),
    ("posts", {"tags": "b", "hidden": {"$ne": True}}, [("_id", -1)]),
    ("posts", {"outbox": {"$type": "array"}, "outbox.at": {"$lt": AT}}, []),
    ("groups", {"status": "ACTIVE"}, [("_id", -1)]),
    ("groups", {"terms": {"$all": ["game", "math"]}}, [("_id", -1)]),
    ("groups", {"terms": {"$all": ["game", "math"]}, "status": {"$in": ["ACTIVE", "CLOSED"]},
                "_id": {"$lt": ObjectId.from_datetime(START + timedelta(minutes=200))}},
     [("_id", -1)]),
    ("groups", {"$and": [{"status": {"$in": ["ACTIVE", "PENDING"]}}, {"$or": [
        {"terms": {"$in": ["story", "robot"]}}, {"topics": {"$in": ["art"]}}]}]}, [("_id", -1)]),
    # An $in of nothing matches nothing (mongoeco's own SQL for one fails).
    ("groups", {"$and": [{"status": {"$in": ["ACTIVE"]}}, {"$or": [
        {"terms": {"$in": ["story"]}}, {"topics": {"$in": []}}]}]}, [("_id", -1)]),
    ("groups", {"status": "ACTIVE", "terms": {"$in": []}}, [("_id", -1)]),
    ("groups", {"$or": [{"terms": {"$in": []}}]}, []),
    ("groups", {"topics": "game"}, []),
    ("groups", {"topics": {"$in": ["music", "art"]}}, [("_id", 1)]),
    (LOG_COLLECTION, {"_id": {"$lte": key_of(50)}}, []),
    (LOG_COLLECTION, {"_id": {"$gt": key_of(120)}}, [("_id", 1)]),
    (LOG_COLLECTION, {"_id": {"$gt": key_of(120), "$lte": key_of(130)}}, [("_id", -1)]),
    (LOG_COLLECTION, {}, [("_id", -1)]),
    (LOG_COLLECTION, {"at": {"$lt": START + timedelta(seconds=40)}}, [("_id", -1)]),
    (LOG_COLLECTION, {"_id": {"$in": [key_of(5), key_of(7), key_of(999)]}}, []),
]


@pytest.mark.parametrize(("collection", "query", "sort"), READS)
@pytest.mark.parametrize(("limit", "skip"), [(0, 0), (7, 0), (5, 3)])
def test_a_read_on_a_file_answers_what_the_engine_answers(
    databases: tuple[Any, Any], collection: str, query: dict[str, Any],
    sort: list[tuple[str, int]], limit: int, skip: int,
) -> None:
    on_file, in_memory = databases
    if not sort and (limit or skip):
        pytest.skip("without a sort, which documents a limit keeps is the engine's choice")
    expected = _ids(in_memory[collection], query, sort, limit, skip)
    got = _ids(on_file[collection], query, sort, limit, skip)
    if sort:
        assert got == expected
    else:
        assert sorted(map(str, got)) == sorted(map(str, expected))


def _unserved(read: tuple[str, dict[str, Any], list[tuple[str, int]]]) -> bool:
    """The reads no index serves: `_id`s of several types, and a sort no index holds."""
    collection, query, _ = read
    ids = query.get("_id")
    mixed = isinstance(ids, dict) and "text-id" in ids.get("$in", [])
    return mixed or (collection == "posts" and not query)


def _planned_through_an_index(sql: str) -> bool:
    """Whether `sql` is `api.indexed_reads`' plan: one it makes names the index it reads, or
    bounds (or orders) the primary key, or reads nothing."""
    return "INDEXED BY" in sql or " AND 0 = 1 " in sql or "storage_key IN (" in sql \
        or "ORDER BY storage_key" in sql or "storage_key >" in sql or "storage_key <" in sql \
        or re.search(r"AND json_type\(document, '[^']+'\) = 'array'", sql) is not None


@pytest.mark.parametrize("read", READS)
def test_a_read_an_index_serves_is_planned_through_it(
    databases: tuple[Any, Any], read: tuple[str, dict[str, Any], list[tuple[str, int]]],
) -> None:
    collection, query, sort = read
    cursor = databases[0][collection].find(query)
    if sort:
        cursor = cursor.sort(sort)
    sql = cursor.limit(5).explain()["details"]["pushdown"]["sqlFragment"] or ""
    assert _planned_through_an_index(sql) != _unserved(read), sql
