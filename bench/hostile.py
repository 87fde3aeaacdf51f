"""How fast hostile requests are refused, next to an ordinary one.

    .venv/bin/python -m bench.hostile [--repeat 20]

Starts the API (pinned to core 1) on an embedded database and sends each request `--repeat`
times from this process, one at a time, on loopback: a 1 MB body, 10,000 aliases, a compact
document of 6,000 aliases that fits the body limit, a query nested too deep, pages nested in
pages that would return a million posts, and `{ __typename }` for comparison. Prints each
answer's status and time.
"""

import argparse
import json
import statistics
import sys
import time
import uuid

import httpx2

from api.embedded import embedded_database
from bench import as_deployed
from bench.http import start
from tests.acceptance.server import free_port, mint


def nested(levels: int) -> str:
    inner = "title"
    for _ in range(levels):
        inner = f"discussions(first: 1) {{ edges {{ node {{ group {{ {inner} }} }} }} }}"
    return f"{{ groups(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"


REQUESTS: list[tuple[str, bytes]] = [
    ("ordinary: { __typename }", json.dumps({"query": "{ __typename }"}).encode()),
    ("a 1 MB body", b'{"query": "' + b" " * 1_000_000 + b'"}'),
    ("10,000 aliases", json.dumps({"query": "{ " + " ".join(
        f"a{n}: __typename" for n in range(10_000)) + " }"}).encode()),
    ("6,000 aliases in 95 kB, under the body limit", json.dumps({"query": "{" + "".join(
        f"a{n}:__typename " for n in range(6_000))[:95_000] + "}"}).encode()),
    ("nested past the depth limit", json.dumps(
        {"query": nested(4)}).encode()),
    ("100 groups x 100 discussions x 100 posts", json.dumps({"query": (
        "{ groups(first: 100) { edges { node { discussions(first: 100) { edges { node {"
        " posts(first: 100) { edges { node { body author { name } } } } } } } } } } }")
    }).encode()),
]


Answer = tuple[str, str, float, float]


def run(repeat: int) -> list[Answer]:
    """(request, answer, median ms, slowest ms) for each request."""
    results = []
    with embedded_database(path=None) as uri:
        port = free_port()
        env = {"APP_MONGODB_URI": uri, "APP_MONGODB_DATABASE": f"bench_{uuid.uuid4().hex[:6]}",
               **as_deployed()}
        server = start([sys.executable, "-m", "api", "serve", "--port", str(port),
                        "--log-level", "warning"], env, port)
        headers = {"Content-Type": "application/json",
                   "Authorization": f"Bearer {mint('bench')}"}
        try:
            with httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
                for name, body in REQUESTS:
                    times = []
                    for _ in range(repeat + 1):  # the first one warms up
                        started = time.perf_counter()
                        response = http.post("/graphql", content=body, headers=headers)
                        times.append((time.perf_counter() - started) * 1000)
                    results.append((name, _answer(response), statistics.median(times[1:]),
                                    max(times[1:])))
        finally:
            server.terminate()
            server.wait(timeout=30)
    return results


def _answer(response: httpx2.Response) -> str:
    """The status, and the first error's message, shortened."""
    errors = response.json().get("errors") or [{}]
    message = errors[0].get("message", "")
    return f"{response.status_code} {message[:60]}".strip()


def table(results: list[Answer]) -> str:
    lines = ["| request | answer | median ms | slowest ms |", "|---|---|---|---|"]
    lines += [f"| {name} | {answer} | {median:.1f} | {slowest:.1f} |"
              for name, answer, median, slowest in results]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    print(table(run(parser.parse_args().repeat)))


if __name__ == "__main__":
    main()
