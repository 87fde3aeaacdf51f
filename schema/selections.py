"""The fields a selection set selects: fragments expanded, each with the type it is selected
on. The limits (before validation) and the planning of shared live renderings walk documents
this way."""

from collections.abc import Iterator, Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    SelectionSetNode,
)

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
