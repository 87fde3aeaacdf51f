"""The whole benchmark suite in one command: `.venv/bin/python -m bench`.

Runs, one after the other, on loopback and bounded in count and time (about five minutes,
and then the scale benchmark's growing and measuring, most of an hour for all three sizes):
  1. `bench.http`: the group list page, a discussion page and `addPost`, each against a bare
     Strawberry app answering `{ __typename }` measured in the same run (needs `wrk`), on the
     fast path and without it, and the group list page again with its reads answered from
     memory (`bench.from_memory`);
  2. `bench.commands`: the group list page's database commands, each timed on its own;
  3. `bench.engine`: the same page's fields rendered from memory, the engine's own cost, as
     Strawberry runs it and on the fast path;
  4. `bench.live`: the delay from a write to its subscribers, and one event fanned out to
     5,000 subscribers on the fast path (shared renderings) and without it;
  5. `bench.hostile`: how fast oversized, over-aliased and over-deep requests are refused;
  6. `bench.limiters`: Agora's document limits against Strawberry's own limiters;
  7. `bench.scale`: the operations users feel, at three sizes of community, on the embedded
     database on a file (`--scale-sizes`).
Prints a Markdown table for each; `bench/RESULTS.md` records them with the machine, the date
and the commit.
"""

import argparse
import asyncio
import shutil
import subprocess
import sys
import time

from bench import commands, engine, hostile, http, limiters, live, scale


def commit() -> str:
    found = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                           text=True, check=False)
    return found.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="per HTTP case")
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--events", type=int, default=5)
    parser.add_argument("--scale-sizes", nargs="*", choices=list(scale.SIZES),
                        default=list(scale.SIZES), help="none skips the scale benchmark")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench needs wrk: apt-get install wrk")
    started = time.time()
    print(f"commit {commit()}, {time.strftime('%Y-%m-%d')}\n")
    print(http.table(http.run(args.seconds, connections=16)), end="\n\n")
    print(commands.table(asyncio.run(commands.run(repeat=30))), end="\n\n")
    print(engine.table(asyncio.run(engine.run(repeat=2000))), end="\n\n")
    print(live.table(asyncio.run(live.run(posts=100, subscribers=args.subscribers,
                                          events=args.events))), end="\n\n")
    print(hostile.table(hostile.run(repeat=20)), end="\n\n")
    print(limiters.table(asyncio.run(limiters.run(repeat=20))), end="\n\n")
    if args.scale_sizes:
        print(scale.table({name: scale.run_size(scale.SIZES[name], 20, args.seconds)
                           for name in args.scale_sizes}))
    print(f"\n({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
