"""What the fast path keeps of answers, and for how long (`schema.fastpath.responses`)."""

import asyncio

import pytest
from graphql import ExecutionResult, parse

from bench.scale import DISCUSSION, GROUP_LIST
from schema import build_schema
from schema.fastpath.responses import ResponseCache

SCHEMA = build_schema(response_seconds=10)


@pytest.mark.parametrize(("query", "kept"), [
    (GROUP_LIST, True),
    (DISCUSSION, True),
    ("""query($id: ID!) { group(id: $id) { title viewerRole welcomeMessage
        members(first: 5) { edges { node { role user { name } } } } } }""", True),
    ("{ groups(first: 5) { edges { node { title ...Counts } } } } "
     "fragment Counts on Group { memberCount }", True),
    # It looks further at the viewer, and changes without an event.
    ("{ groups(first: 5) { edges { node { unreadCount } } } }", False),
    ("{ groups(first: 5) { edges { node { title } } } me { name } }", False),
    ("{ groups(first: 5) { edges { node { ...Unread } } } } "
     "fragment Unread on Group { unreadCount }", False),
    # It changes with time alone.
    ('{ group(id: "R3JvdXA6MQ==") { inactivity { daysInactive } } }', False),
    ("{ notifications(first: 5) { unreadCount } }", False),
    ('{ search(query: "games") { edges { node { score } } } }', False),
    ('mutation { markNotificationsRead(input: {ids: []}) { __typename } }', False),
])
def test_what_may_be_kept(query, kept):
    assert SCHEMA.responses.is_cacheable(SCHEMA._schema, parse(query), None) is kept


def test_an_operation_is_judged_by_its_name():
    document = parse("query A { groups(first: 5) { edges { node { title } } } } "
                     "query B { me { name } }")
    cache = ResponseCache()
    assert cache.is_cacheable(SCHEMA._schema, document, "A")
    assert not cache.is_cacheable(SCHEMA._schema, document, "B")
    assert not cache.is_cacheable(SCHEMA._schema, document, None)  # which one?


def test_answers_go_with_time_events_and_space():
    now = [0.0]
    cache = ResponseCache(ttl=10, capacity=2, clock=lambda: now[0])
    answer = ExecutionResult(data={"groups": {"edges": []}})
    cache.put(("a",), answer, cache.generation)
    assert cache.get(("a",)) is answer
    now[0] = 10.5
    assert cache.get(("a",)) is None  # too old

    begun = cache.generation
    cache.appended_here(7)  # an event while it was computed
    cache.put(("a",), answer, begun)
    assert cache.get(("a",)) is None
    cache.put(("a",), answer, cache.generation)
    cache.read_from_log(7)  # the same event, read back from the log: nothing more to drop
    assert cache.get(("a",)) is answer
    cache.read_from_log(8)  # written by another process
    assert cache.get(("a",)) is None

    for key in ("a", "b", "c"):
        cache.put((key,), answer, cache.generation)
    assert [cache.get((key,)) is not None for key in ("a", "b", "c")] == [False, True, True]
    cache.capacity_bytes = 64
    cache.put(("big",), ExecutionResult(data={"text": "x" * 100}), cache.generation)
    assert cache.get(("big",)) is None  # larger than a sixteenth of what may be kept


async def test_those_asking_while_an_answer_is_computed_wait_for_it():
    cache = ResponseCache()
    answer = ExecutionResult(data={"group": None})
    begun = cache.begin(("k",))
    waiting = asyncio.create_task(cache.waited(("k",)))
    await asyncio.sleep(0)
    cache.end(("k",), begun, answer)
    assert await waiting is answer
    # Computed across an event, it is handed to nobody: each computes its own.
    begun = cache.begin(("k2",))
    waiting = asyncio.create_task(cache.waited(("k2",)))
    await asyncio.sleep(0)
    cache.drop()
    cache.end(("k2",), begun, answer)
    assert await waiting is None
