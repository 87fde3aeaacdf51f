"""Plain fields completed without graphql-core's per-field round.

Most fields of a page are plain: they read an attribute of the object their parent
resolved (`Group.title`, `Discussion.postCount`, `Connection.edges`, `Edge.node`) and return a
scalar, an enum, an object, or a list of them. graphql-core treats each like any other field:
a path, a resolve-info object, the resolver, a check for an awaitable, then completion type by
type. Here a scalar or an enum is read and serialised in one step, and an object's own fields
are executed at once. Anything unusual (a missing value where one is required, a value its
type refuses, an exception while reading) is left to graphql-core, which reads the field again
and reports it exactly as it would have: reading an attribute has no side effects. Errors
raised below an object are handled as graphql-core handles them, at the same paths.

Fields a method of the parent computes (`Group.owner`, `Post.body`) are called directly when
Strawberry would only pass the parent, the resolve info and scalar arguments through to them:
no per-call argument conversion, no extension chain.
"""

import asyncio
import inspect
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import CoroutineType
from typing import Any, cast

import strawberry
from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.field import StrawberryField

from schema.declared import LoadAhead, ahead_of
from schema.fastpath.eager import started

# A completer's answer when the value is not plain: graphql-core must complete the field.
UNUSUAL = object()

Completer = Callable[[Any], Any]


def _leaf(leaf: GraphQLLeafType) -> Completer:
    coerce = leaf.coerce_output_value

    def complete(value: Any) -> Any:
        if value is None:
            return None
        coerced = coerce(value)
        return UNUSUAL if coerced is None or coerced is Undefined else coerced

    return complete


def _non_null(inner: Completer) -> Completer:
    def complete(value: Any) -> Any:
        completed = inner(value)
        return UNUSUAL if completed is None else completed

    return complete


def _list(inner: Completer) -> Completer:
    def complete(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is not list and type(value) is not tuple:
            return UNUSUAL
        items = [inner(item) for item in value]
        return UNUSUAL if any(item is UNUSUAL for item in items) else items

    return complete


def completer(output: GraphQLOutputType) -> Completer | None:
    """How to complete a value of type `output` in one step; None when it has a selection of
    its own (an object, an interface, a union)."""
    if isinstance(output, GraphQLNonNull):
        inner = completer(output.of_type)
        return None if inner is None else _non_null(inner)
    if isinstance(output, GraphQLList):
        inner = completer(output.of_type)
        return None if inner is None else _list(inner)
    if isinstance(output, GraphQLLeafType):
        return _leaf(output)
    return None


@dataclass(frozen=True, slots=True)
class Objects:
    """How to complete an attribute holding an object, or a list of objects, of one type."""

    output: GraphQLOutputType  # the field's type
    object_type: GraphQLObjectType
    non_null: bool
    item_type: GraphQLOutputType | None  # for a list: its items' type
    items_non_null: bool

    def holds(self, value: Any) -> bool:
        """Whether `value` (not None) completes as these objects without an error of its own:
        an object of the type, or a list of them with null only where the items may be."""
        if self.item_type is None:
            return self._is_one(value)
        return (type(value) is list or type(value) is tuple) and all(
            self._is_one(item) if item is not None else not self.items_non_null
            for item in value
        )

    def _is_one(self, value: Any) -> bool:
        """The type's own test, as graphql-core applies it: Strawberry's needs no resolve
        info."""
        is_type_of = self.object_type.is_type_of
        return is_type_of is None or bool(is_type_of(value, None))  # type: ignore[arg-type]  # no info needed


def objects(output: GraphQLOutputType) -> Objects | None:
    """How to complete a value of type `output` holding objects; None unless it is an object
    type or a list of one, whose membership test (if any) is Strawberry's own."""
    non_null = isinstance(output, GraphQLNonNull)
    inner = output.of_type if isinstance(output, GraphQLNonNull) else output
    item_type = inner.of_type if isinstance(inner, GraphQLList) else None
    named = inner if item_type is None else item_type
    items_non_null = isinstance(named, GraphQLNonNull)
    if isinstance(named, GraphQLNonNull):
        named = named.of_type
    if not isinstance(named, GraphQLObjectType):
        return None
    definition = named.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is None or getattr(definition, "is_type_of", None) is not None:
        return None  # a test of its own, which may need the resolve info
    return Objects(output, named, non_null, item_type, items_non_null)


class Attribute:
    """The resolver of a field that reads its parent's attribute, knowing how to complete it."""

    __slots__ = ("_is_default", "complete", "name", "objects")

    def __init__(self, name: str, output: GraphQLOutputType) -> None:
        self.name = name
        self.complete = completer(output)
        self.objects = objects(output) if self.complete is None else None
        self._is_default = True  # what Strawberry's own extensions look for

    def __call__(self, source: Any, info: Any, **arguments: Any) -> Any:
        return getattr(source, self.name)


class Method:
    """The resolver of a field that a method of its parent computes from the parent, the
    resolve info and plain scalar arguments: called directly, where Strawberry makes each call
    convert arguments that need no converting and chain extensions there are none of."""

    __slots__ = ("_field", "_func", "_info", "_info_class", "_names", "_takes_self")

    def __init__(self, field: StrawberryField, info_class: type[strawberry.Info],
                 names: dict[str, str]) -> None:
        resolver = field.base_resolver
        assert resolver is not None
        self._field = field
        self._func = cast(Callable[..., Any], resolver.wrapped_func)  # callable: checked
        self._takes_self = resolver.self_parameter is not None
        self._info = resolver.info_parameter.name if resolver.info_parameter else None
        self._info_class = info_class
        self._names = names  # GraphQL argument names to Python's, where they differ

    def __call__(self, source: Any, info: Any, **arguments: Any) -> Any:
        named = {self._names.get(name, name): value for name, value in arguments.items()}
        if self._info is not None:
            named[self._info] = self._info_class(_raw_info=info, _field=self._field)
        result = self._func(source, **named) if self._takes_self else self._func(**named)
        return started(result) if type(result) is CoroutineType else result


# Arguments graphql-core hands over as Strawberry would pass them on, unconverted.
PLAIN_ARGUMENTS = (int, str, bool, float)


def _plain_argument(argument: StrawberryArgument) -> bool:
    kind = argument.type
    if isinstance(kind, StrawberryOptional) and not isinstance(kind, StrawberryMaybe):
        kind = kind.of_type
    return kind in PLAIN_ARGUMENTS and not argument.directives


def _is_plain_method(definition: StrawberryField) -> bool:
    """Whether Strawberry calls `definition`'s resolver with its parent, the resolve info and
    arguments it leaves as they are: no extensions (nor permissions), no other reserved
    parameter, scalar arguments only."""
    resolver = definition.base_resolver
    return (
        resolver is not None and not definition.extensions and not definition.is_subscription
        and all(map(_plain_argument, definition.arguments)) and callable(resolver.wrapped_func)
        and resolver.root_parameter is None and resolver.parent_parameter is None
        and not inspect.isasyncgenfunction(resolver.wrapped_func)
        and not inspect.isgeneratorfunction(resolver.wrapped_func)
    )


def resolve_directly(schema: strawberry.Schema) -> None:
    """Give every field that Strawberry resolves by reading an attribute (no resolver, no
    extension, no permission) an `Attribute` resolver, unless the schema reads fields some
    other way than `getattr`; and every field computed by a plain method (`_is_plain_method`)
    a `Method` resolver, unless the schema's exception handlers apply to it (a mutation's
    payload, say)."""
    attributes = schema.config.default_resolver is getattr
    converter = schema.schema_converter
    for named in schema._schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for field in named.fields.values():
            definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(definition, StrawberryField):
                continue
            if attributes and getattr(field.resolve, "_is_default", False) and (
                definition.is_basic_field
            ):
                field.resolve = Attribute(definition.python_name, field.type)
            elif _is_plain_method(definition) and not (
                converter._get_field_exception_handlers(definition)
            ):
                names = {name: argument.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
                         .python_name for name, argument in field.args.items()}
                field.resolve = Method(definition, schema.config.info_class, {
                    name: python for name, python in names.items() if name != python})


def _weakly[**P, R](method: Callable[P, R]) -> Callable[P, R]:
    """`method`, holding its object only weakly."""
    bound = weakref.WeakMethod(method)

    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        found = bound()
        if found is None:
            raise RuntimeError("the execution has ended")
        return found(*args, **kwargs)

    return call


class PlainFieldsExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, completing plain fields in one step."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """graphql-core's, with the helpers it gives resolvers holding the executor weakly.
        Bound to it, they made a cycle (the executor holds them) that kept everything a request
        reads and builds alive until the garbage collector's next pass, rather than freed as
        the request ends."""
        super().__init__(*args, **kwargs)
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=_weakly(self.gather_async_work), track=_weakly(self.track_async_work))

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's, field by field in the same order, with plain fields completed here."""
        middleware = self.middleware_manager
        if middleware is not None and middleware.middlewares:  # they see every field
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        fields = parent_type.fields
        is_awaitable = self.is_awaitable
        results: dict[str, Any] = {}
        waiting: list[str] = []
        try:
            for key, details in grouped_field_set.items():
                resolve = getattr(fields.get(details[0].node.name.value), "resolve", None)
                if type(resolve) is Attribute:
                    if resolve.complete is not None:
                        try:
                            result = resolve.complete(getattr(source_value, resolve.name))
                        except Exception:
                            result = UNUSUAL
                        if result is not UNUSUAL:
                            results[key] = result
                            continue
                    elif resolve.objects is not None and position_context is None:
                        result = self._complete_objects(resolve, resolve.objects, parent_type,
                                                        source_value, path, key, details)
                        if result is not UNUSUAL:
                            results[key] = result
                            if is_awaitable(result):
                                waiting.append(key)
                            continue
                result = self.execute_field(parent_type, source_value, details,
                                            Path(path, key, parent_type.name), position_context)
                if result is not Undefined:
                    results[key] = result
                    if is_awaitable(result):
                        waiting.append(key)
        except Exception:
            if waiting:  # settle what other fields started: they may fail too
                self.settle_in_background([results[key] for key in waiting])
            raise
        if not waiting:
            return results
        return self._awaited(results, waiting)

    def _complete_objects(
        self, attribute: Attribute, plan: Objects, parent_type: GraphQLObjectType, source: Any,
        path: Path | None, key: str, details: FieldDetailsList,
    ) -> Any:
        """An attribute holding an object or a list of objects, its fields executed here; or
        UNUSUAL, decided before anything is executed, for graphql-core to complete it."""
        if details[0].node.directives:  # @stream, say: graphql-core's to apply
            return UNUSUAL
        try:
            value = getattr(source, attribute.name)
        except Exception:
            return UNUSUAL
        if value is None:
            return UNUSUAL if plan.non_null else None
        if not plan.holds(value):
            return UNUSUAL
        grouped, deferred, _ = self.collect_subfields(plan.object_type, details)
        if deferred:
            return UNUSUAL
        field_path = Path(path, key, parent_type.name)
        if plan.item_type is None:
            return self._object(plan.object_type, value, grouped, plan.output, details,
                                field_path)
        loads = self._loads_ahead(plan.object_type, value, grouped)
        if loads:
            return self._list_loaded(loads, plan, value, grouped, details, field_path)
        return self._list(plan, value, grouped, details, field_path)

    def _list(
        self, plan: Objects, items: Sequence[Any], grouped: GroupedFieldSet,
        details: FieldDetailsList, path: Path,
    ) -> Any:
        assert plan.item_type is not None
        try:
            listed = self._objects(plan.object_type, items, grouped, plan.item_type, details,
                                   path)
        except Exception as error:
            self.handle_field_error(error, plan.output, details, path)
            return None
        if self.is_awaitable(listed):
            return self._handled_later(listed, plan.output, details, path)
        return listed

    async def _list_loaded(
        self, loads: list[Awaitable[object]], plan: Objects, items: Sequence[Any],
        grouped: GroupedFieldSet, details: FieldDetailsList, path: Path,
    ) -> Any:
        """`_list`, once what its items' fields load ahead has loaded. A load that fails
        fails again in the resolver that needs it, which reports it at its own path."""
        await asyncio.gather(*loads, return_exceptions=True)
        listed = self._list(plan, items, grouped, details, path)
        return await listed if self.is_awaitable(listed) else listed

    def _loads_ahead(
        self, object_type: GraphQLObjectType, items: Sequence[Any], grouped: GroupedFieldSet,
    ) -> list[Awaitable[object]]:
        """What the fields selected on `items` (objects of `object_type`) load ahead for all
        of them at once (`schema.declared`), and the fields of the object each item holds in
        a plain attribute (an edge's `node`), and so on down."""
        loads: list[Awaitable[object]] = []
        for details in grouped.values():
            node = details[0].node
            field = object_type.fields.get(node.name.value)
            if field is None or node.directives:
                continue
            ahead = ahead_of(field)
            if ahead is not None:
                loads.extend(self._load_ahead(ahead, field, node, items))
                continue
            resolve = field.resolve
            if type(resolve) is not Attribute or resolve.objects is None or (
                resolve.objects.item_type is not None
            ):
                continue
            try:
                held = [getattr(item, resolve.name) for item in items if item is not None]
            except Exception:
                continue
            inner, _, _ = self.collect_subfields(resolve.objects.object_type, details)
            loads.extend(self._loads_ahead(resolve.objects.object_type,
                                           [item for item in held if item is not None], inner))
        return loads

    def _load_ahead(
        self, ahead: LoadAhead, field: GraphQLField, node: FieldNode, items: Sequence[Any]
    ) -> list[Awaitable[object]]:
        try:
            arguments = get_argument_values(field, node, self.variable_values)
        except Exception:
            return []  # for the resolver to report
        return [ahead(self.context_value, items, arguments)]

    def _objects(
        self, object_type: GraphQLObjectType, items: Sequence[Any], grouped: GroupedFieldSet,
        item_type: GraphQLOutputType, details: FieldDetailsList, path: Path,
    ) -> Any:
        """A list of objects completed item by item, as graphql-core completes one."""
        completed: list[Any] = []
        waiting: list[int] = []
        try:
            for index, item in enumerate(items):
                if item is None:
                    completed.append(None)
                    continue
                result = self._object(object_type, item, grouped, item_type, details,
                                      path.add_key(index, None))
                if self.is_awaitable(result):
                    waiting.append(index)
                completed.append(result)
        except Exception:
            if waiting:
                self.settle_in_background([completed[index] for index in waiting])
            raise
        if not waiting:
            return completed
        return self._awaited(completed, waiting)

    def _object(
        self, object_type: GraphQLObjectType, value: Any, grouped: GroupedFieldSet,
        return_type: GraphQLOutputType, details: FieldDetailsList, path: Path,
    ) -> Any:
        """An object's fields executed, with their errors handled as graphql-core handles a
        field's: null and recorded where `return_type` allows null, raised otherwise. The list
        branch of `_complete_objects` handles its errors the same way, written out: one helper
        taking the call and its arguments slowed every object measurably (bench.engine)."""
        try:
            completed = self.execute_fields(object_type, value, path, grouped, None)
        except Exception as error:
            self.handle_field_error(error, return_type, details, path)
            return None
        if self.is_awaitable(completed):
            return self._handled_later(completed, return_type, details, path)
        return completed

    async def _handled_later(
        self, completed: Awaitable[Any], return_type: GraphQLOutputType,
        details: FieldDetailsList, path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as error:
            self.handle_field_error(error, return_type, details, path)
            return None

    @staticmethod
    async def _awaited(results: Any, waiting: list[Any]) -> Any:
        """`results` (an object's fields or a list's items) with the awaitables at `waiting`
        replaced by what they give, awaited together as graphql-core awaits them."""
        if len(waiting) == 1:
            results[waiting[0]] = await results[waiting[0]]
        else:
            settled = await gather_with_cancel(*(results[at] for at in waiting))
            for at, value in zip(waiting, settled, strict=True):
                results[at] = value
        return results
