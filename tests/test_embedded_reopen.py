"""The embedded database on a file reopens without reading every document again, and what it
reads through its indexes afterwards is what a full rebuild of their entries would give; every
index's entries are read through one SQLite index (`api.embedded._share_entry_indexes`)."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from mongoeco import __version__ as mongoeco_version
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from api.embedded import ENTRIES_REBUILT, SHARED_ENTRY_INDEXES, embedded_database


@contextmanager
def _file(path: Path) -> Iterator[sqlite3.Connection]:
    """The file itself, written in one transaction."""
    connection = sqlite3.connect(path)
    try:
        with connection:
            yield connection
    finally:
        connection.close()


def _client(uri: str) -> MongoClient[dict[str, Any]]:
    return MongoClient(uri)


def _entries(path: Path) -> list[tuple[Any, ...]]:
    with _file(path) as connection:
        return connection.execute(
            "SELECT collection_id, index_name, storage_key, element_type, type_score, "
            "element_key FROM scalar_index_entries ORDER BY 1, 2, 3, 4, 5, 6").fetchall()


def _rebuilt_by(path: Path) -> list[tuple[Any, ...]]:
    with _file(path) as connection:
        return connection.execute("SELECT value FROM agora_engine WHERE key = ?",
                                  (ENTRIES_REBUILT,)).fetchall()


def _write(uri: str, round_: int) -> None:
    with _client(uri) as client:
        posts = client["agora"]["posts"]
        posts.create_index("group_id")
        posts.create_index("n")
        posts.create_index("key", unique=True)
        posts.insert_many([{"group_id": f"g{n % 3}", "n": n, "key": f"k{n}"}
                           for n in range(100 * round_, 100 * round_ + 60)])
        posts.update_many({"n": {"$lt": 100 * round_ + 20}}, {"$set": {"group_id": "moved"}})
        posts.delete_many({"n": {"$gte": 100 * round_ + 50}})
        posts.update_one({"n": 100 * round_ + 25}, {"$unset": {"group_id": 1}})
        posts.update_one({"n": 100 * round_ + 30}, {"$set": {"n": -round_}})


def _reads_agree(uri: str, *, by_n: bool = True) -> None:
    """Each read an index serves finds what a read of every document finds, and a unique
    index still refuses a key it holds."""
    with _client(uri) as client:
        posts = client["agora"]["posts"]
        every = list(posts.find({}, {"_id": 1, "group_id": 1, "n": 1}))
        for group_id in ("g0", "g1", "g2", "moved"):
            expected = sorted(str(doc["_id"]) for doc in every if doc.get("group_id") == group_id)
            found = posts.find({"group_id": group_id}, {"_id": 1})
            assert sorted(str(doc["_id"]) for doc in found) == expected
        with pytest.raises(DuplicateKeyError):
            posts.insert_one({"key": "k130"})
        if by_n:
            expected = sorted(str(doc["_id"]) for doc in every if doc["n"] < 30)
            found = posts.find({"n": {"$lt": 30}}, {"_id": 1})
            assert sorted(str(doc["_id"]) for doc in found) == expected


def test_a_reopened_file_holds_the_index_entries_a_rebuild_makes(tmp_path: Path) -> None:
    path = tmp_path / "agora.sqlite3"
    for round_ in (1, 2, 3):  # the first opening rebuilds, the later ones do not
        with embedded_database(path=path) as uri:
            _write(uri, round_)
            _reads_agree(uri)
        assert _rebuilt_by(path) == [(mongoeco_version,)]
    kept = _entries(path)
    assert kept

    with _file(path) as connection:  # as if another version had rebuilt them
        connection.execute("UPDATE agora_engine SET value = 'another' WHERE key = ?",
                           (ENTRIES_REBUILT,))
    with embedded_database(path=path) as uri:
        _reads_agree(uri)
    assert _rebuilt_by(path) == [(mongoeco_version,)]
    assert _entries(path) == kept


def _entry_indexes(path: Path) -> list[str]:
    with _file(path) as connection:
        return sorted(name for (name,) in connection.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN "
            "('scalar_index_entries', 'multikey_entries') AND name NOT LIKE 'idx_%'"))


def test_every_index_reads_its_entries_through_one_sqlite_index(tmp_path: Path) -> None:
    path = tmp_path / "agora.sqlite3"
    with embedded_database(path=path) as uri:
        _write(uri, 1)
        with _client(uri) as client:
            groups = client["agora"]["groups"]
            groups.create_index("topics")
            groups.insert_many([{"topics": ["art", f"t{n % 4}"], "n": n} for n in range(20)])
            assert len(list(groups.find({"topics": "t1"}))) == 5
    assert _entry_indexes(path) == sorted(SHARED_ENTRY_INDEXES)


def test_dropping_an_index_or_a_collection_leaves_the_others_readable(tmp_path: Path) -> None:
    path = tmp_path / "agora.sqlite3"
    with embedded_database(path=path) as uri:
        _write(uri, 1)
        with _client(uri) as client:
            db = client["agora"]
            for other in (db["other"], client["scratch"]["other"]):
                other.create_index("k")
                other.insert_many([{"k": n % 2} for n in range(6)])
            db["posts"].drop_index("n_1")
            _reads_agree(uri, by_n=False)
            db.drop_collection("other")
            _reads_agree(uri, by_n=False)
            client.drop_database("scratch")
            _reads_agree(uri, by_n=False)
    assert _entry_indexes(path) == sorted(SHARED_ENTRY_INDEXES)


def test_a_file_with_an_sqlite_index_for_each_index_is_changed_when_it_opens(
        tmp_path: Path) -> None:
    path = tmp_path / "agora.sqlite3"
    with embedded_database(path=path) as uri:
        _write(uri, 1)
    with _file(path) as connection:  # as mongoeco alone makes them
        for name in ("group_id_1", "n_1"):
            connection.execute(f'CREATE INDEX "scidx_{name}" ON scalar_index_entries '
                               "(collection_id, index_name, type_score, element_key, storage_key)")
            connection.execute("UPDATE indexes SET scalar_physical_name = ? WHERE name = ?",
                               (f"scidx_{name}", name))
    with embedded_database(path=path) as uri:
        _reads_agree(uri)
    assert _entry_indexes(path) == sorted(SHARED_ENTRY_INDEXES)


def test_writes_record_nothing_for_change_streams(tmp_path: Path) -> None:
    path = tmp_path / "agora.sqlite3"
    with embedded_database(path=path) as uri:
        _write(uri, 1)
        with _client(uri) as client:
            counters = client["agora"]["counters"]
            for _ in range(3):
                counters.find_one_and_update({"_id": "c"}, {"$inc": {"n": 1}}, upsert=True)
            assert counters.find_one({"_id": "c"}) == {"_id": "c", "n": 3}
        _reads_agree(uri)
        with _file(path) as connection:  # while it runs: it empties the outbox as it closes
            assert [connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                    for table in ("change_outbox", "change_outbox_identities")] == [0, 0]
