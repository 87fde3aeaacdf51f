"""Looking documents up by `_id` on the embedded database on a file: `$in`, `$or` and one
`find_one` a key, as the collection grows.

    .venv/bin/python -m bench.lookups [--sizes 3000 30000]

A diagnostic for `bench.scale`: on mongoeco's SQLite engine, whether a lookup of a page's
worth of keys costs what the page holds or what the collection holds. Prints the median
milliseconds of each shape, for 1, 20 and 100 keys, at each collection size.
"""

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from api.embedded import embedded_database
from subscriptions.log import key_of

KEYS = (1, 20, 100)


def median_ms(call: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run(sizes: list[int]) -> list[tuple[int, int, float, float, float]]:
    rows = []
    with tempfile.TemporaryDirectory() as folder, embedded_database(
        path=Path(folder) / "lookups.sqlite3"
    ) as uri:
        client: MongoClient[Any] = MongoClient(uri)
        collection = client["bench"]["docs"]
        for size in sizes:
            collection.drop()
            now = datetime.now(UTC)
            for start in range(0, size, 1_000):
                collection.insert_many([{"_id": key_of(n), "kind": "X", "at": now}
                                        for n in range(start + 1, min(start + 1_001, size + 1))])
            for count in KEYS:
                keys = [key_of(n) for n in range(101, 101 + count)]
                rows.append((
                    size, count,
                    median_ms(lambda keys=keys: list(collection.find({"_id": {"$in": keys}}))),
                    median_ms(lambda keys=keys: list(collection.find(
                        {"$or": [{"_id": key} for key in keys]}))),
                    median_ms(lambda keys=keys: [collection.find_one({"_id": key})
                                                 for key in keys]),
                ))
        client.close()
    return rows


def table(rows: list[tuple[int, int, float, float, float]]) -> str:
    lines = ["| documents | keys | `$in` ms | `$or` ms | a `find_one` a key, in turn: ms |",
             "|---|---|---|---|---|"]
    lines += [f"| {size:,} | {count} | {found_in:.1f} | {found_or:.1f} | {one_by_one:.1f} |"
              for size, count, found_in, found_or, one_by_one in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[3_000, 30_000])
    print(table(run(parser.parse_args().sizes)))


if __name__ == "__main__":
    main()
