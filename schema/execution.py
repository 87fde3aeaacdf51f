"""Plain fields completed without graphql-core's per-field round.

Most fields of a page are plain: they read an attribute of the object their parent
resolved (`Group.title`, `Discussion.postCount`) and return a scalar, an enum or a list of
them. graphql-core treats each like any other field: a path, a resolve-info object, the
resolver, a check for an awaitable, then completion type by type. Here such a field is read
and serialised in one step. Anything unusual (a missing value where one is required, a value
its scalar refuses, an exception) is left to graphql-core, which reads the field again and
reports it exactly as it would have: reading an attribute has no side effects.
"""

from collections.abc import Awaitable, Callable
from typing import Any, cast, overload

import strawberry
from graphql import (
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from resolvers.loaders import Soon

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


class Attribute:
    """The resolver of a field that reads its parent's attribute, knowing how to complete it."""

    __slots__ = ("_is_default", "complete", "name")

    def __init__(self, name: str, output: GraphQLOutputType) -> None:
        self.name = name
        self.complete = completer(output)
        self._is_default = True  # what Strawberry's own extensions look for

    def __call__(self, source: Any, info: Any, **arguments: Any) -> Any:
        return getattr(source, self.name)


def read_attributes_directly(schema: strawberry.Schema) -> None:
    """Give every field that Strawberry resolves by reading an attribute (no resolver, no
    extension, no permission) an `Attribute` resolver; none if the schema reads fields some
    other way than `getattr`."""
    if schema.config.default_resolver is not getattr:
        return
    for named in schema._schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for field in named.fields.values():
            definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if getattr(field.resolve, "_is_default", False) and isinstance(
                definition, StrawberryField
            ) and definition.is_basic_field:
                field.resolve = Attribute(definition.python_name, field.type)


class PlainFieldsExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, completing plain fields of scalars and enums in one step."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        middleware = self.middleware_manager
        if middleware is not None and middleware.middlewares:  # they see every field
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        fields = parent_type.fields
        plain: dict[str, Any] = {}
        rest: GroupedFieldSet = {}
        for key, details in grouped_field_set.items():
            resolve = getattr(fields.get(details[0].node.name.value), "resolve", None)
            if type(resolve) is Attribute and resolve.complete is not None:
                try:
                    value = resolve.complete(getattr(source_value, resolve.name))
                except Exception:
                    value = UNUSUAL
                if value is not UNUSUAL:
                    plain[key] = value
                    continue
            rest[key] = details
        if not rest:
            return plain
        others = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if not plain:
            return others
        if isinstance(others, dict):
            return _in_order(grouped_field_set, plain, others)
        return self._await_in_order(grouped_field_set, plain, others)

    @staticmethod
    async def _await_in_order(
        grouped_field_set: GroupedFieldSet, plain: dict[str, Any],
        others: Awaitable[dict[str, Any]],
    ) -> dict[str, Any]:
        return _in_order(grouped_field_set, plain, await others)


def _in_order(
    grouped_field_set: GroupedFieldSet, plain: dict[str, Any], others: dict[str, Any]
) -> dict[str, Any]:
    """Both parts of an object's fields, in the order the query asked for them."""
    return {
        key: plain[key] if key in plain else others[key]
        for key in grouped_field_set
        if key in plain or key in others
    }


@overload
def resolved[T](value: Awaitable[T]) -> T: ...
@overload
def resolved[T](value: Soon[T]) -> T: ...
def resolved[T](value: Soon[T]) -> T:
    """`value` as a resolver's declared result. A resolver may return an awaitable of what it
    declares: graphql-core awaits it, and Strawberry allows it of a plain `def` resolver. Such a
    resolver answers at once when its data is at hand (see `resolvers.loaders.then`)."""
    return cast(T, value)
