"""Limits on the shape of a GraphQL document, checked in one cheap pass before validation.

Validation itself can be made expensive (overlapping-field checks are quadratic in repeated
fields), so a document over a limit is refused before it runs, with one clear error. The
token limit is the parser's own (`LimitedParsing`, as Strawberry's `MaxTokensLimiter` sets
it), which has the parser stop. Strawberry's
`QueryDepthLimiter` and `MaxAliasesLimiter` would hold the depth and alias limits, but they are
validation rules: a document over them is refused only after graphql-core's validation has
walked it whole, which for a document of repeated fields or aliases costs far more than
this walk (`bench.limiters`; the figures are in bench/RESULTS.md). Strawberry has no limiter
for repeated fields or for the objects nested pages may return.

Besides its shape, a document is weighed by the objects it may return: every field taking
`first` (or `last`) returns a page of that many (the default page size if not given) for
each object it hangs from, so pages nested in pages multiply. A hundred groups with a
hundred discussions of a hundred posts each is a million objects, within every other limit.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.validation import ASTValidationRule
from starlette.websockets import WebSocket
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from resolvers.domain.rate_limits import QueryBudget
from schema.errors import RATE_LIMITED
from schema.selections import field_of, fields_of

# How deep a selection of introspection types may go: graphql-core's standard introspection
# query goes 15 levels deep; other tools nest `ofType` a few times more.
INTROSPECTION_DEPTH = 20


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int = 12
    max_tokens: int = 5_000
    max_aliases: int = 30
    max_directives_per_field: int = 4
    max_repeated_fields: int = 10  # the same response key in one selection set
    max_fields: int = 2_000  # field selections in the whole document, fragments expanded
    max_nodes: int = 10_000  # objects the pages of one document may return, all told
    default_page_size: int = 20  # a page's size when `first` is not given


# The arguments that size a page: a field taking one returns a page.
PAGE_SIZES = frozenset({"first", "last"})


class LimitExceeded(Exception):
    pass


class _Walk:
    def __init__(self, document: DocumentNode, limits: QueryLimits, schema: GraphQLSchema,
                 variables: dict[str, Any]) -> None:
        self.limits = limits
        self.schema = schema
        self.variables = variables
        self.fragments = {
            node.name.value: node
            for node in document.definitions
            if isinstance(node, FragmentDefinitionNode)
        }
        self.aliases = 0
        self.fields = 0
        self.nodes = 0

    def selection_set(self, selections: SelectionSetNode | None, depth: int,
                      seen: frozenset[str], parent: GraphQLNamedType | None,
                      copies: int) -> None:
        """Walk `selections` of `parent`, which the response holds `copies` of."""
        if selections is None:
            return
        deepest = self.limits.max_depth
        if parent is not None and parent.name.startswith("__"):
            # Introspection answers from memory, and the standard query that GraphiQL,
            # code generators and fuzzers send nests `ofType` past the usual limit.
            deepest = max(deepest, INTROSPECTION_DEPTH)
        if depth > deepest:
            raise LimitExceeded(f"the query is deeper than {deepest} levels")
        keys: dict[str, int] = {}
        for field, field_parent, fragment_seen in fields_of(selections, parent, self.schema,
                                                            self.fragments, seen):
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
            child, field_copies = self._child(field_parent, field, copies)
            self.selection_set(field.selection_set, depth + 1, fragment_seen, child,
                               field_copies)

    def _child(self, parent: GraphQLNamedType | None, field: FieldNode,
               copies: int) -> tuple[GraphQLNamedType | None, int]:
        """The field's type, and how many of its objects the response may hold."""
        definition = field_of(parent, field)
        if definition is None:  # unknown fields are left to validation
            return None, copies
        if PAGE_SIZES & definition.args.keys():
            copies *= self._page_size(field)
            self.nodes += copies
            if self.nodes > self.limits.max_nodes:
                raise LimitExceeded(
                    f"the query may return more than {self.limits.max_nodes:,} objects "
                    "(pages nested in pages multiply); ask for smaller pages")
        return get_named_type(definition.type), copies

    def _page_size(self, field: FieldNode) -> int:
        for argument in field.arguments or ():
            if argument.name.value not in PAGE_SIZES:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                return given if isinstance(given, int) and given > 0 else (
                    self.limits.default_page_size)
            if isinstance(value, IntValueNode):
                return max(int(value.value), 1)
        return self.limits.default_page_size


def weigh(document: DocumentNode, limits: QueryLimits, schema: GraphQLSchema,
          variables: dict[str, Any] | None) -> int:
    """The objects `document`'s pages may return; LimitExceeded if it breaks a limit."""
    walk = _Walk(document, limits, schema, variables or {})
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            root = schema.get_root_type(definition.operation)
            walk.selection_set(definition.selection_set, 1, frozenset(), root, 1)
    return walk.nodes


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


class LimitedParsing(ParserCache):
    """Parse each text once (the parser's answers are kept), refusing documents of more than
    `max_tokens` tokens as the parser meets them. Strawberry's MaxTokensLimiter does the
    same from `on_operation`, a hook each subscription holds open as long as it lives."""

    def __init__(self, max_tokens: int, maxsize: int = 1_000) -> None:
        super().__init__(maxsize=maxsize)
        self.max_tokens = max_tokens

    def on_parse(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.max_tokens
        yield from super().on_parse()


class GuardedValidation(ValidationCache):
    """Refuse documents over `limits` (but tokens, which the parser counts) or over their
    caller's `budget` before validating them, and cache validation of the others, so a
    repeated query is validated once; with `rules` besides GraphQL's own (as Strawberry's
    AddValidationRules adds them, but without holding an `on_operation` hook open for each
    subscription)."""

    def __init__(
        self, limits: QueryLimits, budget: QueryBudget | None = None, maxsize: int = 1_000,
        rules: Sequence[type[ASTValidationRule]] = (),
    ) -> None:
        super().__init__(maxsize=maxsize)
        self.limits = limits
        self.budget = budget
        self.rules = tuple(rules)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = (*context.validation_rules, *self.rules)
        error = self._refusal(context)
        if error is None:
            yield from super().on_validate()
            return
        # Set before validation would run: Strawberry then skips it.
        self.execution_context.pre_execution_errors = [error]
        yield

    def _refusal(self, context: ExecutionContext) -> GraphQLError | None:
        document = context.graphql_document
        if document is None:
            return None
        if (error := _transport_error(context)) is not None:
            return error
        try:
            nodes = weigh(document, self.limits, context.schema._schema, context.variables)
        except LimitExceeded as exceeded:
            return GraphQLError(f"Query refused: {exceeded}",
                                extensions={"code": "QUERY_TOO_COMPLEX"})
        return None if self.budget is None else _spend(self.budget, context, 1 + nodes)


def _spend(budget: QueryBudget, context: ExecutionContext, cost: int) -> GraphQLError | None:
    """Charge `cost` to the caller: the signed-in user, or else the client's address."""
    agora = context.context
    viewer = getattr(agora, "viewer", None)
    client = getattr(getattr(agora, "request", None), "client", None)
    caller = f"user:{viewer.id}" if viewer is not None else (
        f"address:{client.host if client else 'unknown'}")
    retry_after = budget.spend(caller, cost, agora.now())
    if retry_after is None:
        return None
    item = budget.item
    period = item.GRANULARITY.name
    if item.multiples > 1:
        period = f"{item.multiples} {period}s"
    return GraphQLError(
        f"Too many queries: the allowance of {item.amount:,} objects per {period} is spent; "
        f"try again in {retry_after} seconds",
        extensions={"code": RATE_LIMITED, "retryAfterSeconds": retry_after},
    )
