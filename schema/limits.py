"""Limits on the shape of a GraphQL document, checked in one cheap pass before validation.

Validation itself can be made expensive (overlapping-field checks are quadratic in repeated
fields), so a document over a limit is refused before it runs, with one clear error.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from starlette.websockets import WebSocket
from strawberry.extensions import ValidationCache
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int = 12
    max_tokens: int = 5_000
    max_aliases: int = 30
    max_directives_per_field: int = 4
    max_repeated_fields: int = 10  # the same response key in one selection set
    max_fields: int = 2_000  # field selections in the whole document, fragments expanded


class LimitExceeded(Exception):
    pass


class _Walk:
    def __init__(self, document: DocumentNode, limits: QueryLimits) -> None:
        self.limits = limits
        self.fragments = {
            node.name.value: node
            for node in document.definitions
            if isinstance(node, FragmentDefinitionNode)
        }
        self.aliases = 0
        self.fields = 0

    def selection_set(self, selections: SelectionSetNode | None, depth: int,
                      seen: frozenset[str]) -> None:
        if selections is None:
            return
        if depth > self.limits.max_depth:
            raise LimitExceeded(f"the query is deeper than {self.limits.max_depth} levels")
        keys: dict[str, int] = {}
        for node in self._flatten(selections, seen):
            field, fragment_seen = node
            self.fields += 1
            if self.fields > self.limits.max_fields:
                raise LimitExceeded(f"the query selects more than {self.limits.max_fields} fields")
            if field.alias is not None:
                self.aliases += 1
                if self.aliases > self.limits.max_aliases:
                    raise LimitExceeded(f"the query uses more than {self.limits.max_aliases} "
                                        "aliases")
            if len(field.directives or ()) > self.limits.max_directives_per_field:
                raise LimitExceeded(f"a field carries more than "
                                    f"{self.limits.max_directives_per_field} directives")
            key = (field.alias or field.name).value
            keys[key] = keys.get(key, 0) + 1
            if keys[key] > self.limits.max_repeated_fields:
                raise LimitExceeded(f"'{key}' is selected more than "
                                    f"{self.limits.max_repeated_fields} times in one place")
            self.selection_set(field.selection_set, depth + 1, fragment_seen)

    def _flatten(
        self, selections: SelectionSetNode, seen: frozenset[str]
    ) -> Iterator[tuple[FieldNode, frozenset[str]]]:
        """The fields of a selection set, with fragments expanded (each once per path)."""
        for node in selections.selections:
            if isinstance(node, FieldNode):
                yield node, seen
            elif isinstance(node, InlineFragmentNode):
                yield from self._flatten(node.selection_set, seen)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:  # cycles are left to validation
                    yield from self._flatten(fragment.selection_set, seen | {name})


def check_shape(document: DocumentNode, limits: QueryLimits) -> GraphQLError | None:
    walk = _Walk(document, limits)
    try:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                walk.selection_set(definition.selection_set, 1, frozenset())
    except LimitExceeded as exceeded:
        return GraphQLError(f"Query refused: {exceeded}",
                            extensions={"code": "QUERY_TOO_COMPLEX"})
    return None


def _transport_error(context: ExecutionContext) -> GraphQLError | None:
    """Subscriptions run over WebSocket only."""
    try:
        is_subscription = context.operation_type is OperationType.SUBSCRIPTION
    except RuntimeError:  # no single operation: validation will say so
        return None
    if is_subscription and not isinstance(getattr(context.context, "request", None), WebSocket):
        return GraphQLError("Subscriptions run over WebSocket (graphql-transport-ws) on "
                            "/graphql", extensions={"code": "BAD_REQUEST"})
    return None


class GuardedValidation(ValidationCache):
    """Refuse documents over `limits` (tokens while parsing, the rest before validating), and
    cache validation of the others, so a repeated query is validated once."""

    def __init__(self, limits: QueryLimits, maxsize: int = 1_000) -> None:
        super().__init__(maxsize=maxsize)
        self.limits = limits

    def on_parse(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.limits.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        error = None if document is None else (
            _transport_error(self.execution_context) or check_shape(document, self.limits)
        )
        if error is None:
            yield from super().on_validate()
            return
        # Set before validation would run: Strawberry then skips it.
        self.execution_context.pre_execution_errors = [error]
        yield
