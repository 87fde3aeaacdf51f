"""Answers to the pages every client reads, kept in the API and cleared by the event log.

A group list page costs the embedded database some 20 ms of its CPU, and the database is one
process: however the API is built, it answers a few dozen such pages a second
(bench/RESULTS.md). Most of those reads ask what was asked a moment before. This keeps the
answers of queries over HTTP, keyed by the document, the operation, the variables and the
viewer (their id, roles and country), and serves the same answer again until

- an event enters the log: written here, the moment it is appended, and read from the log
  (a `LogFollower` of its own) when another process wrote it; every answer of this process is
  dropped then, whichever group the event concerns;
- or `TTL` seconds have passed, which bounds what changes without an event (a user's name);
- or the log cannot be read: the database is away.

A query is kept only if its root fields are lists and pages every client reads (`ROOTS`),
and every field below them depends on nothing but the objects and the viewer's standing in
their groups, as each field declares (`schema.declared`), with nothing that changes with time
alone. A field that looks at the viewer further (an unread count, which changes without an
event) or declares nothing, a mutation, a subscription, and any answer with an error are
never kept. An answer being computed when an event arrives is not kept either: it may have
read the state before the event.

Answers are per viewer, so no viewer is ever shown what another may see. Keeping them by
standing instead would share them more, but who shares a standing depends on the groups an
answer shows, which only executing it tells.
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable
from datetime import datetime
from typing import Any

import orjson
from graphql import (
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLNamedType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)
from starlette.requests import Request
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType as StrawberryOperation

from resolvers.domain.events import EventDoc
from resolvers.store import Store
from schema.context import Context
from schema.declared import Audience, audience_of, is_timely
from schema.selections import field_of, fields_of
from subscriptions.follower import LogFollower
from subscriptions.log import EventLog, seq_of

# The root fields whose answers are kept: the pages the single-page and mobile apps open.
ROOTS = frozenset({"groups", "group", "discussion"})
TTL = 10.0
CAPACITY = 1_000
CAPACITY_BYTES = 64 * 1024 * 1024  # of the answers' JSON: large pages cannot fill memory
# Local appends remembered so that the follower does not drop answers for them twice.
REMEMBERED_APPENDS = 10_000


def cacheable(schema: GraphQLSchema, operation: OperationDefinitionNode,
              fragments: dict[str, FragmentDefinitionNode]) -> bool:
    """Whether `operation`'s answer may be kept (see the module's docstring)."""
    if operation.operation is not OperationType.QUERY or schema.query_type is None:
        return False
    ok = True

    def walk(selections: SelectionSetNode | None, parent: GraphQLNamedType | None,
             seen: frozenset[str], root: bool) -> None:
        nonlocal ok
        if selections is None or not ok:
            return
        for selected, selected_on, expanded in fields_of(selections, parent, schema, fragments,
                                                          seen):
            name = selected.name.value
            if name == "__typename":
                continue
            if root and name not in ROOTS:
                ok = False
                return
            if not root and (audience_of(selected_on, name) > Audience.STANDING
                             or is_timely(selected_on, name)):
                ok = False
                return
            definition = field_of(selected_on, selected)
            if definition is None:
                ok = False
                return
            walk(selected.selection_set, get_named_type(definition.type), expanded, False)

    walk(operation.selection_set, schema.query_type, frozenset(), True)
    return ok


Key = tuple[Hashable, ...]


class ResponseCache:
    """This process's kept answers; see the module's docstring."""

    def __init__(self, *, ttl: float = TTL, capacity: int = CAPACITY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self._clock = clock
        self.capacity_bytes = CAPACITY_BYTES
        self._answers: OrderedDict[Key, tuple[float, ExecutionResult, int]] = OrderedDict()
        self._bytes = 0
        self._computing: dict[Key, asyncio.Future[ExecutionResult | None]] = {}
        self._plans: OrderedDict[tuple[int, str | None], tuple[Any, bool]] = OrderedDict()
        self._local: OrderedDict[int, None] = OrderedDict()  # seqs appended here
        self.generation = 0  # moves with every drop: an answer begun before is not kept
        self.hits = self.misses = 0

    def drop(self) -> None:
        """Forget every answer: something changed."""
        self.generation += 1
        self._answers.clear()
        self._bytes = 0

    def appended_here(self, seq: int) -> None:
        self._local[seq] = None
        if len(self._local) > REMEMBERED_APPENDS:
            self._local.popitem(last=False)
        self.drop()

    def read_from_log(self, seq: int) -> None:
        """An event the log follower read: dropped for already if it was appended here."""
        if self._local.pop(seq, "absent") == "absent":
            self.drop()

    def watch(self, log: EventLog) -> None:
        """Drop the answers as soon as this process appends an event to `log`'s database."""
        log.on_appended(self.appended_here)

    def invalidator(self, store: Store, clock: Callable[[], datetime],
                    poll_interval: float) -> LogFollower:
        """The follower that drops the answers for the events of other processes."""
        self.watch(store.events)
        return ResponseInvalidator(store, clock, self, poll_interval=poll_interval)

    def is_cacheable(self, schema: GraphQLSchema, document: Any,
                     operation_name: str | None) -> bool:
        # By the document's identity: the parser cache makes one object of each text, and
        # the document is kept with the decision, so that identity stays its own.
        key = (id(document), operation_name)
        kept = self._plans.get(key)
        if kept is not None and kept[0] is document:
            return kept[1]
        operations = [node for node in document.definitions
                      if isinstance(node, OperationDefinitionNode)]
        chosen = [node for node in operations if operation_name is None
                  or (node.name is not None and node.name.value == operation_name)]
        fragments = {node.name.value: node for node in document.definitions
                     if isinstance(node, FragmentDefinitionNode)}
        decision = len(chosen) == 1 and cacheable(schema, chosen[0], fragments)
        self._plans[key] = (document, decision)
        if len(self._plans) > self.capacity:
            self._plans.popitem(last=False)
        return decision

    def get(self, key: Key) -> ExecutionResult | None:
        kept = self._answers.get(key)
        if kept is None:
            return None
        if self._clock() - kept[0] > self.ttl:
            self._forget(key)
            return None
        self._answers.move_to_end(key)
        return kept[1]

    def put(self, key: Key, result: ExecutionResult, generation: int) -> None:
        """Keep `result`, unless an event arrived while it was computed; the least recently
        asked go when there are too many, or too many bytes."""
        if generation != self.generation:
            return
        size = len(orjson.dumps(result.data, default=str))
        if size > self.capacity_bytes // 16:
            return  # one answer may not take a large share
        self._forget(key)
        self._answers[key] = (self._clock(), result, size)
        self._bytes += size
        while len(self._answers) > self.capacity or self._bytes > self.capacity_bytes:
            self._forget(next(iter(self._answers)))

    def _forget(self, key: Key) -> None:
        gone = self._answers.pop(key, None)
        if gone is not None:
            self._bytes -= gone[2]

    async def waited(self, key: Key) -> ExecutionResult | None:
        """The answer to `key` if kept, or once computed by a request already at it."""
        kept = self.get(key)
        pending = self._computing.get(key)
        if kept is None and pending is not None:
            kept = await asyncio.shield(pending)
        return kept

    def begin(self, key: Key) -> tuple[int, asyncio.Future[ExecutionResult | None]]:
        """This request computes `key`: the generation it starts in, and the future that
        requests asking meanwhile wait on."""
        computing = self._computing.setdefault(key, asyncio.get_running_loop().create_future())
        return self.generation, computing

    def end(self, key: Key, begun: tuple[int, asyncio.Future[ExecutionResult | None]],
            result: Any) -> None:
        """Keep `result` if it may be kept, and hand it to those who waited for it."""
        generation, computing = begun
        answered = (result if isinstance(result, ExecutionResult) and not result.errors
                    and result.data is not None and generation == self.generation else None)
        if answered is not None:
            self.put(key, answered, generation)
        if self._computing.get(key) is computing:
            del self._computing[key]
            if not computing.done():
                computing.set_result(answered)


def _variables(values: dict[str, Any] | None) -> bytes:
    return orjson.dumps(values or {}, option=orjson.OPT_SORT_KEYS, default=str)


def _viewer(context: Context) -> Hashable:
    viewer = context.viewer
    if viewer is None:
        return None
    return viewer.id, tuple(sorted(viewer.roles)), viewer.country


class CachedResponses(SchemaExtension):
    """The answers of `cache` (set on the class by `switch_on`), served and kept."""

    cache: ResponseCache

    async def on_execute(self) -> AsyncIterator[None]:
        run = self.execution_context
        context = run.context
        if run.operation_type is StrawberryOperation.MUTATION:
            yield
            self.cache.drop()  # what it changed beyond its events (they drop answers too)
            return
        if (not isinstance(context, Context) or not isinstance(context.request, Request)
                or run.graphql_document is None
                or not self.cache.is_cacheable(run.schema._schema, run.graphql_document,
                                               run.operation_name)):
            yield
            return
        cache = self.cache
        key = (run.query, run.operation_name, _variables(run.variables), _viewer(context))
        kept = await cache.waited(key)
        if kept is not None:
            cache.hits += 1
            run.result = ExecutionResult(data=kept.data)
            yield
            return
        cache.misses += 1
        begun = cache.begin(key)
        try:
            yield
        finally:
            cache.end(key, begun, run.result)


class ResponseInvalidator(LogFollower):
    """Reads the log from where it stands when the process starts, and drops the kept
    answers for each event another process wrote. Its place is its own, in memory."""

    name = "responses"

    def __init__(self, store: Store, clock: Callable[[], datetime], cache: ResponseCache,
                 **options: Any) -> None:
        super().__init__(store, clock, **options)
        self._cache = cache

    async def saved_place(self) -> int | None:
        return None

    async def save_place(self, seq: int) -> None:
        pass

    async def handle(self, event: EventDoc) -> None:
        self._cache.read_from_log(seq_of(event))

    def away(self) -> None:
        """What changes meanwhile cannot be read: keep nothing until the log can be."""
        self._cache.drop()
