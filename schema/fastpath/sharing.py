"""Live events rendered once per audience, not once per subscriber.

When one event reaches thousands of subscribers, most of them asked for the same thing: the
same selection, from the same standing in the event's group. Executing and serialising that
selection once, and sending the same text to each of them, is what makes a large fan-out
cheap. Two subscriptions share a rendering of an event when

- their selections below the subscription field print the same, and the variables used there
  have the same values (the subscription field's own arguments only choose the events);
- and, if the selection reads anything that depends on who is asking, their standing in the
  event's group (role, oversight, ownership) is the same: that is all the permission rules
  ask of a viewer within one group.

A selection reaching any field that looks further at the viewer (or at other groups) is
rendered for each subscriber. Each field declares its audience where it is defined
(`schema.declared`).
"""

import asyncio
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLNamedType,
    GraphQLSchema,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    print_ast,
    visit,
)
from graphql.language import Visitor

from resolvers.loaders import Loaders
from schema.context import Context
from schema.declared import Audience, audience_of
from schema.fastpath.execution import PlainFieldsExecutor
from schema.selections import field_of, fields_of
from schema.serialized import Serialized
from schema.types.event import Event
from subscriptions.log import seq_of


@dataclass(frozen=True, slots=True)
class Plan:
    """How one subscription's events are rendered: for whom, and what makes two alike."""

    audience: Audience
    shape: str  # the selection below the subscription field, printed
    variables: tuple[str, ...]  # those used in it


def plan(schema: GraphQLSchema, field: FieldNode,
         fragments: dict[str, FragmentDefinitionNode]) -> Plan:
    """Plan the rendering of the subscription `field`'s selection."""
    subscription = schema.subscription_type
    assert subscription is not None
    audience = Audience.EVERYONE
    used: set[str] = set()

    def walk(selections: SelectionSetNode | None, parent: GraphQLNamedType | None,
             seen: frozenset[str]) -> None:
        nonlocal audience
        if selections is None:
            return
        for selected, selected_on, expanded in fields_of(selections, parent, schema, fragments,
                                                          seen):
            used.update(expanded)
            audience = max(audience, audience_of(selected_on, selected.name.value))
            definition = field_of(selected_on, selected)
            if definition is not None:
                walk(selected.selection_set, get_named_type(definition.type), expanded)

    walk(field.selection_set, get_named_type(subscription.fields[field.name.value].type),
         frozenset())
    below = FieldNode(alias=field.alias, name=field.name, arguments=(),
                      directives=field.directives, selection_set=field.selection_set)
    nodes: list[Node] = [below, *(fragments[name] for name in sorted(used))]
    return Plan(audience=audience, shape="\n".join(print_ast(node) for node in nodes),
                variables=tuple(sorted({name for node in nodes for name in _variables(node)})))


def _variables(node: Node) -> set[str]:
    found: set[str] = set()

    class Collect(Visitor):
        def enter_variable(self, variable: VariableNode, *_: Any) -> None:
            found.add(variable.name.value)

    visit(node, Collect())
    return found


type Rendering = ExecutionResult | asyncio.Task[ExecutionResult]


class Renders:
    """The renderings of recent events in this process, each made once and used by all who
    share it. Most renderings need no database and are made synchronously, so every
    subscriber sends the event in the same turn of the loop; one that must wait (for an
    author, say) runs in its own task, which a subscriber leaving does not cancel.

    It also keeps the plans of recent subscription documents: thousands of clients send the
    same document (which the parser cache makes one object), and planning prints it."""

    def __init__(self, capacity: int = 2048) -> None:
        self._capacity = capacity
        self._made: OrderedDict[Hashable, Rendering] = OrderedDict()
        self.made = 0  # renderings made
        self.reused = 0  # renderings asked for and found made
        # By the operation's identity; the operation is kept, so that identity stays its own.
        self._plans: OrderedDict[int, tuple[OperationDefinitionNode, Plan]] = OrderedDict()

    def plan_of(self, operation: OperationDefinitionNode, make: Callable[[], Plan]) -> Plan:
        """The plan of `operation`'s subscription, made by `make` once."""
        kept = self._plans.get(id(operation))
        if kept is not None and kept[0] is operation:
            self._plans.move_to_end(id(operation))
            return kept[1]
        made = make()
        self._plans[id(operation)] = (operation, made)
        if len(self._plans) > self._capacity:
            self._plans.popitem(last=False)
        return made

    def get(
        self, key: Hashable, render: Callable[[], ExecutionResult | Awaitable[ExecutionResult]]
    ) -> ExecutionResult | Awaitable[ExecutionResult]:
        made = self._made.get(key)
        if made is not None:
            self.reused += 1
        else:
            self.made += 1
            result = render()
            made = result if isinstance(result, ExecutionResult) else asyncio.ensure_future(
                result)
            self._made[key] = made
            if len(self._made) > self._capacity:
                self._made.popitem(last=False)
        if isinstance(made, ExecutionResult):
            return _own_copy(made)
        return _awaited(made)


async def _awaited(task: asyncio.Task[ExecutionResult]) -> ExecutionResult:
    return _own_copy(await asyncio.shield(task))


def _own_copy(result: ExecutionResult) -> ExecutionResult:
    """The shared data; but each subscriber's errors go through their own masking."""
    return ExecutionResult(result.data, list(result.errors) if result.errors else None,
                           result.extensions)


class _SharedEvent:
    """Stands for a per-event executor: its result is the shared rendering."""

    __slots__ = ("_result",)

    def __init__(self, result: ExecutionResult | Awaitable[ExecutionResult]) -> None:
        self._result = result

    def execute_operation(
        self, serially: bool | None = None
    ) -> ExecutionResult | Awaitable[ExecutionResult]:
        return self._result


class SharingExecutor(PlainFieldsExecutor):
    """Agora's executor, rendering live events once per audience, in `renders` (one per
    schema: `schema.fastpath.switch_on`)."""

    renders: Renders

    # What makes this subscription's renderings alike another's: its plan's audience, and
    # its shape with the values of the variables used in it. Worked out at the first event.
    _likeness: tuple[Audience, str] | None = None

    def build_per_event_executor(self, payload: Any) -> Any:
        context = self.context_value
        if not isinstance(payload, Event) or not isinstance(context, Context):
            return super().build_per_event_executor(payload)
        audience, likeness = self._likeness or self._liken()
        if audience is Audience.VIEWER:
            return super().build_per_event_executor(payload)
        # Moderators see an event as it happened, others as it stands (`seen_by`).
        key = (seq_of(payload.doc), payload.standing.moderates, likeness,
               payload.standing if audience is Audience.STANDING else None)
        return _SharedEvent(self.renders.get(key, lambda: self._render(payload, context)))

    def _liken(self) -> tuple[Audience, str]:
        (field,) = [selection for selection in self.operation.selection_set.selections
                    if isinstance(selection, FieldNode)]
        found = self.renders.plan_of(
            self.operation, lambda: plan(self.schema, field, self.fragment_definitions))
        values = self.variable_values.coerced
        used = json.dumps([values.get(name) for name in found.variables], default=str)
        self._likeness = (found.audience, f"{found.shape}\n{used}")
        return self._likeness

    def _render(
        self, event: Event, context: Context
    ) -> ExecutionResult | Awaitable[ExecutionResult]:
        """Execute the selection for `event` as any subscriber of its audience would see it:
        with loaders of its own, and the standing it was planned for."""
        loaders = Loaders(context.store, context.viewer)
        loaders.viewer_roles.prime(event.doc["group_id"], event.standing.role)
        executor = super().build_per_event_executor(event)
        executor.context_value = replace(context, given_loaders=loaders)
        result = executor.execute_operation(False)
        if self.is_awaitable(result):
            return _rendered_later(result)
        return _rendered(result)


async def _rendered_later(result: Awaitable[Any]) -> ExecutionResult:
    return _rendered(await result)


def _rendered(result: Any) -> ExecutionResult:
    assert isinstance(result, ExecutionResult)
    data = Serialized(result.data) if result.data is not None else None
    return ExecutionResult(data, result.errors, result.extensions)
