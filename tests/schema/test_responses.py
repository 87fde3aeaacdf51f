"""What the fast path keeps of answers, and for how long (`schema.fastpath.responses`)."""

import asyncio

import pytest
from graphql import ExecutionResult, parse

from bench.scale import DISCUSSION, GROUP_LIST
from resolvers.domain.groups import GroupOrder
from schema import build_schema
from schema.fastpath.responses import ANY_GROUP, LEAVE_LISTS_AS_THEY_ARE, ResponseCache, Scope

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


def event(seq: int, group_id: str = "g1", kind: str = "POST_ADDED") -> dict[str, str]:
    return {"_id": f"{seq:016d}", "group_id": group_id, "kind": kind}


def test_answers_go_with_time_events_and_space():
    now = [0.0]
    cache = ResponseCache(ttl=10, capacity=2, clock=lambda: now[0])
    answer = ExecutionResult(data={"groups": {"edges": []}})
    cache.put(("a",), answer, cache.generation)
    assert cache.get(("a",)) is answer
    now[0] = 10.5
    assert cache.get(("a",)) is None  # too old

    begun = cache.generation
    cache.appended_here(7, event(7))  # an event while it was computed
    cache.put(("a",), answer, begun)
    assert cache.get(("a",)) is None
    cache.put(("a",), answer, cache.generation)
    cache.read_from_log(event(7))  # the same event, read back from the log: nothing to drop
    assert cache.get(("a",)) is answer
    cache.read_from_log(event(8))  # written by another process
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


def test_an_event_drops_the_answers_it_concerns():
    """An event in a group drops what shows that group, and the lists it may change."""
    cache = ResponseCache()
    answer = ExecutionResult(data={"x": 1})
    shows = {
        "g1": Scope(frozenset({"g1"})),
        "g2": Scope(frozenset({"g2"})),
        "newest": Scope(frozenset({"g1"}), LEAVE_LISTS_AS_THEY_ARE[GroupOrder.NEWEST]),
        "active": Scope(frozenset({"g1"}), LEAVE_LISTS_AS_THEY_ARE[GroupOrder.MOST_ACTIVE]),
        "any": ANY_GROUP,
        "nothing": Scope(),
    }

    def kept_after(seq: int, group_id: str, kind: str) -> set[str]:
        for name, scope in shows.items():
            cache.put((name,), answer, cache.generation, scope)
        cache.read_from_log(event(seq, group_id, kind))
        return {name for name in shows if cache.get((name,)) is not None}

    assert kept_after(1, "g1", "POST_ADDED") == {"g2", "nothing"}
    assert kept_after(2, "g2", "POST_ADDED") == {"g1", "newest", "nothing"}
    assert kept_after(3, "g2", "GROUP_STATUS_CHANGED") == {"g1", "nothing"}
    assert kept_after(4, "g2", "MEMBER_JOINED") == {"g1", "nothing"}
    assert kept_after(5, "g2", "SOME_NEW_KIND") == {"g1", "nothing"}
    assert kept_after(6, "g3", "FOLLOWING_CHANGED") == {"g1", "g2", "newest", "active",
                                                        "nothing"}
    cache.drop()
    assert not any(cache.get((name,)) for name in shows)


def test_an_answer_computed_across_events_is_kept_if_none_concerns_it():
    cache = ResponseCache()
    answer = ExecutionResult(data={"x": 1})
    begun = cache.generation
    cache.read_from_log(event(1, "g2"))
    cache.put(("g1",), answer, begun, Scope(frozenset({"g1"})))
    assert cache.get(("g1",)) is answer
    cache.read_from_log(event(2, "g1"))
    cache.put(("g1",), answer, begun, Scope(frozenset({"g1"})))
    assert cache.get(("g1",)) is None
    # Begun before more changes than are remembered: whether one concerned it is unknown.
    begun = cache.generation
    for seq in range(3, 3 + 1_001):
        cache.read_from_log(event(seq, "g2"))
    cache.put(("g1",), answer, begun, Scope(frozenset({"g1"})))
    assert cache.get(("g1",)) is None
