"""Answers to the pages every client reads, kept in the API and cleared by the event log.

A group list page costs the embedded database some 20 ms of its CPU, and the database is one
process: however the API is built, it answers a few dozen such pages a second
(bench/RESULTS.md). Most of those reads ask what was asked a moment before. This keeps the
answers of queries over HTTP, keyed by the document, the operation, the variables and the
viewer (their id, roles and country), with what each answer shows (`Scope`): the groups its
root fields resolved to, and for a list of groups, that it lists them. The same answer is
served again until

- an event concerning it enters the log: one in a group it shows, or one that may change which
  groups a list shows or their order (any but a post's or a discussion's in another group, and
  not even those when the list is ordered by activity). Events are seen the moment they are
  appended here, and read from the log (a `LogFollower` of its own) when another process wrote
  them;
- a mutation here wrote no event: what it changed is not known, so every answer goes (but
  for marking something read, which changes only what no kept answer shows);
- or `TTL` seconds have passed, which bounds what changes without an event (a user's name);
- or the log cannot be read: the database is away, and every answer goes.

A query is kept only if its root fields are lists and pages every client reads (`ROOTS`),
and every field below them depends on nothing but the objects and the viewer's standing in
their groups, as each field declares (`schema.declared`), with nothing that changes with time
alone. So everything below a root lies in the groups the root resolved to: a field that looks
at other groups, or at the viewer further (an unread count, which changes without an event),
or declares nothing, is never kept; nor are a mutation, a subscription, or any answer with an
error. An answer being computed when an event concerning it arrives is not kept either: it
may have read the state before the event.

Answers are per viewer, so no viewer is ever shown what another may see. Keeping them by
standing instead would share them more, but who shares a standing depends on the groups an
answer shows, which only executing it tells.
"""

import asyncio
import functools
import operator
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from inspect import isawaitable
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
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
from strawberry.relay import GlobalID, GlobalIDValueError
from strawberry.types.graphql import OperationType as StrawberryOperation

from resolvers.domain.events import EventDoc, EventKind
from resolvers.domain.groups import GroupOrder
from resolvers.store import Store
from schema.context import Context
from schema.declared import Audience, audience_of, is_timely
from schema.selections import field_of, fields_of
from schema.types.discussion import Discussion
from schema.types.group import Group
from subscriptions.follower import LogFollower
from subscriptions.log import EventLog, seq_of

# The root fields whose answers are kept: the pages the single-page and mobile apps open.
ROOTS = frozenset({"groups", "group", "discussion"})
TTL = 10.0
CAPACITY = 1_000
CAPACITY_BYTES = 64 * 1024 * 1024  # of the answers' JSON: large pages cannot fill memory
# Local appends remembered so that the follower does not drop answers for them twice.
REMEMBERED_APPENDS = 10_000
# Changes remembered so that an answer computed across them is kept if none concerns it.
REMEMBERED_CHANGES = 1_000
# Mutations that write no event and change nothing but what their caller has read, which no
# kept answer shows (an unread count is never kept): they leave the answers as they are.
MARK_READS = frozenset({"markDiscussionRead", "markNotificationsRead"})

# What events in a group a list of groups does not show leave as it is: nothing a list filters
# or orders on but the latest activity, which posts and discussions move.
_ACTIVITY = frozenset(kind.value for kind in EventKind
                      if kind.startswith(("POST_", "DISCUSSION_")))
_UNLISTED = frozenset({EventKind.FOLLOWING_CHANGED.value})
LEAVE_LISTS_AS_THEY_ARE = {GroupOrder.NEWEST: _ACTIVITY | _UNLISTED,
                           GroupOrder.MOST_MEMBERS: _ACTIVITY | _UNLISTED,
                           GroupOrder.MOST_ACTIVE: _UNLISTED}


@dataclass(frozen=True, slots=True)
class Scope:
    """What an answer shows: the groups its root fields resolved to (None: it may show any),
    and, if it lists groups, the kinds of event in other groups that leave its list as it is
    (None: it lists none)."""

    groups: frozenset[str] | None = frozenset()
    lists_unmoved_by: frozenset[str] | None = None

    def concerned(self, change: "Change") -> bool:
        """Whether `change` (an event's group and kind; None for anything) may alter it."""
        group_id, kind = change
        if self.groups is None or group_id is None or group_id in self.groups:
            return True
        return self.lists_unmoved_by is not None and kind not in self.lists_unmoved_by

    def __or__(self, other: "Scope") -> "Scope":
        groups = (None if self.groups is None or other.groups is None
                  else self.groups | other.groups)
        unmoved = (other.lists_unmoved_by if self.lists_unmoved_by is None
                   else self.lists_unmoved_by if other.lists_unmoved_by is None
                   else self.lists_unmoved_by & other.lists_unmoved_by)
        return Scope(groups, unmoved)


ANY_GROUP = Scope(groups=None)
Change = tuple[str | None, str | None]  # an event's group and kind
EVERYTHING: Change = (None, None)


def _change_of(event: EventDoc) -> Change:
    return event.get("group_id"), event.get("kind")


def _group_shown(value: Any, args: Mapping[str, Any]) -> Scope:
    """`group(id:)`: the group, or if it is hidden or absent, the one it names (an event of
    its would be what shows it)."""
    if isinstance(value, Group):
        return Scope(frozenset({value.id}))
    asked = args.get("id")
    try:
        named = asked if isinstance(asked, GlobalID) else GlobalID.from_id(str(asked))
    except GlobalIDValueError:
        return Scope()  # null whatever happens
    return Scope(frozenset({named.node_id}) if named.type_name == "Group" else frozenset())


def _discussion_shown(value: Any, _: Mapping[str, Any]) -> Scope:
    """`discussion(id:)`: its group; hidden or absent, which group it would be in is unknown."""
    if isinstance(value, Discussion):
        return Scope(frozenset({str(value.doc["group_id"])}))
    return ANY_GROUP


def _groups_shown(value: Any, args: Mapping[str, Any]) -> Scope:
    """`groups`: those listed, and what moves the list in its order."""
    if value is None:
        return ANY_GROUP
    try:
        order = GroupOrder(str(args.get("orderBy", GroupOrder.NEWEST)))
    except ValueError:
        order = GroupOrder.MOST_ACTIVE  # moved by the most
    return Scope(frozenset(edge.node.id for edge in value.edges),
                 LEAVE_LISTS_AS_THEY_ARE[order])


# What each root of `ROOTS` shows, from the value it resolved to and its arguments.
SHOWN_BY_ROOT: dict[str, Callable[[Any, Mapping[str, Any]], Scope]] = {
    "group": _group_shown, "discussion": _discussion_shown, "groups": _groups_shown}
assert SHOWN_BY_ROOT.keys() == ROOTS

# The scopes of the root fields of the answer this task is computing, while it is kept.
_SHOWN: ContextVar[list[Scope] | None] = ContextVar("shown", default=None)
# The changes the mutation this task is running appended to the log.
_APPENDED: ContextVar[list[Change] | None] = ContextVar("appended", default=None)


@contextmanager
def _collecting[T](into: ContextVar[list[T] | None]) -> Iterator[list[T]]:
    """A list that `into` holds for this task meanwhile."""
    collected: list[T] = []
    token = into.set(collected)
    try:
        yield collected
    finally:
        into.reset(token)


def record_what_roots_show(schema: GraphQLSchema) -> None:
    """Have the resolvers of `ROOTS` note what their answer shows, while one is being kept."""
    assert schema.query_type is not None
    for name, shown_by in SHOWN_BY_ROOT.items():
        field = schema.query_type.fields[name]
        field.resolve = _noting(field.resolve, shown_by)


def _noting(resolve: Any, shown_by: Callable[[Any, Mapping[str, Any]], Scope]) -> Any:
    def resolved(root: Any, info: Any, **args: Any) -> Any:
        value = resolve(root, info, **args)
        shown = _SHOWN.get()
        if shown is None:
            return value
        if isawaitable(value):
            return _noted(value, shown, shown_by, args)
        shown.append(shown_by(value, args))
        return value

    return resolved


async def _noted(value: Awaitable[Any], shown: list[Scope],
                 shown_by: Callable[[Any, Mapping[str, Any]], Scope],
                 args: Mapping[str, Any]) -> Any:
    found = await value  # an error is never kept: what it shows does not matter
    shown.append(shown_by(found, args))
    return found


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
        self._answers: OrderedDict[Key, tuple[float, ExecutionResult, int, Scope]] = (
            OrderedDict())
        self._bytes = 0
        self._computing: dict[Key, asyncio.Future[ExecutionResult | None]] = {}
        self._plans: OrderedDict[tuple[int, str | None], tuple[Any, bool]] = OrderedDict()
        self._local: OrderedDict[int, None] = OrderedDict()  # seqs appended here
        self.generation = 0  # moves with every change: see `put`
        self._changes: deque[Change] = deque(maxlen=REMEMBERED_CHANGES)
        self.hits = self.misses = 0

    def drop(self, change: Change = EVERYTHING) -> None:
        """Forget the answers `change` concerns: by default, every answer."""
        self.generation += 1
        self._changes.append(change)
        if change == EVERYTHING:
            self._answers.clear()
            self._bytes = 0
            return
        for key in [key for key, (*_, scope) in self._answers.items()
                    if scope.concerned(change)]:
            self._forget(key)

    def appended_here(self, seq: int, event: EventDoc) -> None:
        self._local[seq] = None
        if len(self._local) > REMEMBERED_APPENDS:
            self._local.popitem(last=False)
        change = _change_of(event)
        appended = _APPENDED.get()
        if appended is not None:
            appended.append(change)
        self.drop(change)

    def read_from_log(self, event: EventDoc) -> None:
        """An event the log follower read: dropped for already if it was appended here."""
        if self._local.pop(seq_of(event), "absent") == "absent":
            self.drop(_change_of(event))

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
        chosen = _operation(document, operation_name)
        fragments = {node.name.value: node for node in document.definitions
                     if isinstance(node, FragmentDefinitionNode)}
        decision = chosen is not None and cacheable(schema, chosen, fragments)
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

    def put(self, key: Key, result: ExecutionResult, generation: int,
            scope: Scope = ANY_GROUP) -> None:
        """Keep `result`, which shows `scope`, unless a change concerning it came after
        `generation`, when it began; the least recently asked go when there are too many,
        or too many bytes."""
        if self._changed_since(generation, scope):
            return
        size = len(orjson.dumps(result.data, default=str))
        if size > self.capacity_bytes // 16:
            return  # one answer may not take a large share
        self._forget(key)
        self._answers[key] = (self._clock(), result, size, scope)
        self._bytes += size
        while len(self._answers) > self.capacity or self._bytes > self.capacity_bytes:
            self._forget(next(iter(self._answers)))

    def _changed_since(self, generation: int, scope: Scope) -> bool:
        since = self.generation - generation
        if since > len(self._changes):
            return True  # too long ago to tell
        return any(scope.concerned(self._changes[-n]) for n in range(1, since + 1))

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
            result: Any, scope: Scope = ANY_GROUP) -> None:
        """Keep `result`, which shows `scope`, if it may be kept, and hand it to those who
        waited for it."""
        generation, computing = begun
        answered = (result if isinstance(result, ExecutionResult) and not result.errors
                    and result.data is not None
                    and not self._changed_since(generation, scope) else None)
        if answered is not None:
            self.put(key, answered, generation, scope)
        if self._computing.get(key) is computing:
            del self._computing[key]
            if not computing.done():
                computing.set_result(answered)


def _operation(document: DocumentNode, operation_name: str | None
               ) -> OperationDefinitionNode | None:
    """The operation of `document` that `operation_name` names; None unless exactly one."""
    chosen = [node for node in document.definitions
              if isinstance(node, OperationDefinitionNode) and (
                  operation_name is None
                  or (node.name is not None and node.name.value == operation_name))]
    return chosen[0] if len(chosen) == 1 else None


def _only_marks_reads(document: DocumentNode | None, operation_name: str | None) -> bool:
    """Whether the mutation of `document` asks for nothing but fields of `MARK_READS`."""
    chosen = None if document is None else _operation(document, operation_name)
    return chosen is not None and all(
        isinstance(selected, FieldNode) and selected.name.value in MARK_READS
        for selected in chosen.selection_set.selections)


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
            with _collecting(_APPENDED) as appended:
                yield
            if not appended and not _only_marks_reads(run.graphql_document,
                                                      run.operation_name):
                self.cache.drop()  # it told nothing of what it changed
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
        with _collecting(_SHOWN) as shown:
            try:
                yield
            finally:
                cache.end(key, begun, run.result,
                          functools.reduce(operator.or_, shown, Scope()))


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
        self._cache.read_from_log(event)

    def away(self) -> None:
        """What changes meanwhile cannot be read: keep nothing until the log can be."""
        self._cache.drop()
