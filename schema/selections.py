"""The fields a selection set selects: fragments expanded, each with the type it is selected
on. The limits (before validation), the planning of shared live renderings and loading ahead
for a page's nodes walk documents this way."""

from collections.abc import Iterator, Mapping
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values

Selected = tuple[FieldNode, GraphQLNamedType | None, frozenset[str]]


def fields_of(
    selections: SelectionSetNode, parent: GraphQLNamedType | None, schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode], seen: frozenset[str] = frozenset(),
) -> Iterator[Selected]:
    """Each field of `selections` (of type `parent`; None if unknown), with the type it is
    selected on and the fragments expanded on the way to it. A fragment is expanded once per
    path, so cycles end here (validation reports them)."""
    for node in selections.selections:
        if isinstance(node, FieldNode):
            yield node, parent, seen
        elif isinstance(node, InlineFragmentNode):
            yield from fields_of(node.selection_set, _narrowed(schema, node.type_condition, parent),
                                 schema, fragments, seen)
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                yield from fields_of(
                    fragment.selection_set,
                    _narrowed(schema, fragment.type_condition, parent), schema, fragments,
                    seen | {name},
                )


def field_of(parent: GraphQLNamedType | None, field: FieldNode) -> GraphQLField | None:
    """The definition of `field` on `parent`, if it has one."""
    fields: Mapping[str, GraphQLField] = getattr(parent, "fields", {})
    return fields.get(field.name.value)


def _narrowed(schema: GraphQLSchema, condition: NamedTypeNode | None,
              parent: GraphQLNamedType | None) -> GraphQLNamedType | None:
    if condition is None:
        return parent
    return schema.get_type(condition.name.value) or parent


def node_fields(info: strawberry.Info[Any, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The fields selected on the nodes of the connection `info`'s field returns (under
    `edges { node }` and `nodes`), by name, with their arguments. `@skip` and `@include` are not
    applied: a field may be listed that will not be resolved, so what loads ahead by this list
    may load one thing too many, never answer wrongly. Fields whose arguments do not coerce
    are left out, for their resolver to report."""
    raw = info._raw_info  # graphql-core's: the document, its fragments and variables
    schema, fragments = raw.schema, raw.fragments
    variables = raw.variable_values
    if isinstance(variables, dict):  # as Strawberry's executor hands them to resolvers
        variables = VariableValues(sources={}, coerced=variables)
    for connection in raw.field_nodes:
        for field, definition in _selected(connection, raw.return_type, schema, fragments):
            nodes: list[tuple[FieldNode, GraphQLField]] = []
            if field.name.value == "nodes":
                nodes = [(field, definition)]
            elif field.name.value == "edges":
                nodes = [(node, node_definition) for node, node_definition
                         in _selected(field, definition.type, schema, fragments)
                         if node.name.value == "node"]
            for node, node_definition in nodes:
                for selected, selected_definition in _selected(node, node_definition.type,
                                                               schema, fragments):
                    try:
                        arguments = get_argument_values(selected_definition, selected,
                                                        variables)
                    except GraphQLError:
                        continue
                    yield selected.name.value, arguments


def _selected(
    field: FieldNode, field_type: GraphQLOutputType, schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> Iterator[tuple[FieldNode, GraphQLField]]:
    """The fields `field` (of type `field_type`) selects, each with its definition."""
    if field.selection_set is None:
        return
    for selected, parent, _ in fields_of(field.selection_set, get_named_type(field_type), schema,
                                         fragments):
        definition = field_of(parent, selected)
        if definition is not None:
            yield selected, definition
