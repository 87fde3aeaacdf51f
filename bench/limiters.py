"""Agora's document limits against Strawberry's own limiters, refusing the same documents.

    .venv/bin/python -m bench.limiters [--repeat 20]

A diagnostic of the API alone, in process (no HTTP, no database): each hostile document is
executed by Agora's schema, whose limits are checked in one walk before validation
(`schema/limits.py`), and by the same schema with Strawberry's `QueryDepthLimiter`,
`MaxAliasesLimiter` and `MaxTokensLimiter` holding the same limits instead. Strawberry's
limiters are validation rules: they run in graphql-core's validation pass, beside its own
rules, so a document is refused only once every rule has walked it. Prints the median time
to answer each, and the ratio of Strawberry's limiters to Agora's.
"""

import argparse
import asyncio
import statistics
import time

from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from bench.hostile import nested
from schema import build_schema
from schema.limits import QueryLimits

LIMITS = QueryLimits()
SAME_FIELD = 1_500  # within the token limit
ALIASES = 1_500

DOCUMENTS = {
    f"{SAME_FIELD:,} times the same field": "{ " + " ".join(["__typename"] * SAME_FIELD) + " }",
    f"{ALIASES:,} aliases": "{ " + " ".join(f"a{n}: __typename" for n in range(ALIASES)) + " }",
    "nested past the depth limit": nested(4),
}


def strawberrys_limiters() -> object:
    """Agora's schema with Strawberry's limiters in place of Agora's walk."""
    schema = build_schema(limits=QueryLimits(
        max_depth=10_000, max_aliases=10_000, max_repeated_fields=10_000, max_fields=10_000,
        max_nodes=10**9))
    schema.extensions = [
        *schema.extensions, lambda: QueryDepthLimiter(max_depth=LIMITS.max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=LIMITS.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=LIMITS.max_tokens),
    ]
    return schema


async def median_ms(schema: object, document: str, repeat: int) -> tuple[float, bool]:
    """The median milliseconds to answer `document`, and whether it was refused."""
    times = []
    refused = False
    for _ in range(repeat):
        started = time.perf_counter()
        result = await schema.execute(document)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        refused = bool(result.errors)
    return statistics.median(times), refused


async def run(repeat: int) -> list[tuple[str, float, bool, float, bool]]:
    agora, builtin = build_schema(), strawberrys_limiters()
    rows = []
    for name, document in DOCUMENTS.items():
        ours, ours_refused = await median_ms(agora, document, repeat)
        theirs, theirs_refused = await median_ms(builtin, document, repeat)
        rows.append((name, ours, ours_refused, theirs, theirs_refused))
    return rows


def _verdict(refused: bool) -> str:
    return "refused" if refused else "answered"


def table(rows: list[tuple[str, float, bool, float, bool]]) -> str:
    lines = ["| document (API alone, in process) | Agora's walk: ms | Strawberry's limiters: ms "
             "| ratio |", "|---|---|---|---|"]
    for name, ours, ours_refused, theirs, theirs_refused in rows:
        lines.append(f"| {name} | {ours:.2f} ({_verdict(ours_refused)}) | {theirs:.2f} "
                     f"({_verdict(theirs_refused)}) | {theirs / ours:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    print(table(asyncio.run(run(parser.parse_args().repeat))))


if __name__ == "__main__":
    main()
