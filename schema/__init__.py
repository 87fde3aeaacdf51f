"""The one Schema, composed from per-aggregate Query and Mutation mixins."""

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from graphql.validation import NoSchemaIntrospectionCustomRule
from pymongo.errors import ConnectionFailure
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from resolvers.domain.rate_limits import QueryBudget
from schema.content import ContentMutation
from schema.context import FreshLoaders
from schema.discussions import DiscussionMutation, DiscussionQuery
from schema.enums import ENUMS
from schema.errors import ERROR_TYPES, EXCEPTION_HANDLERS
from schema.fastpath import switch_on
from schema.groups import GroupMutation, GroupQuery
from schema.limits import GuardedValidation, LimitedParsing, QueryLimits
from schema.membership import MembershipMutation
from schema.netiquette import NetiquetteMutation, NetiquetteQuery
from schema.notifications import NotificationMutation, NotificationQuery
from schema.oversight import OversightMutation, OversightQuery
from schema.search import SearchQuery
from schema.subscriptions import Subscription
from schema.types.discussion import Discussion, Post, Report
from schema.types.group import Group
from schema.types.membership import Invitation
from schema.types.oversight import FeaturingCandidate
from schema.types.page import Page
from schema.types.user import User
from schema.users import UserQuery
from subscriptions.follower import FollowerFactory

Query = merge_types(
    "Query", (UserQuery, GroupQuery, DiscussionQuery, OversightQuery, NetiquetteQuery,
              NotificationQuery, SearchQuery),
)
Mutation = merge_types(
    "Mutation",
    (GroupMutation, MembershipMutation, ContentMutation, DiscussionMutation, OversightMutation,
     NetiquetteMutation, NotificationMutation),
)


def _is_unexpected(error: GraphQLError) -> bool:
    """Only exceptions raised while resolving (they have a `path`) that are not typed
    GraphQL errors are masked; a client's own mistakes (parse, validation, variables, typed
    query errors) are shown."""
    original = error.original_error
    return (
        error.path is not None
        and original is not None
        and not isinstance(original, GraphQLError)
        and not error.extensions
    )


log = logging.getLogger("agora.graphql")
def _client_code(error: GraphQLError) -> str:
    """The code of a client's mistake that carries none of its own."""
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if error.path is not None or _BAD_VALUE.search(error.message):
        return "BAD_USER_INPUT"  # a value the schema refuses: a malformed ID, say
    return "GRAPHQL_VALIDATION_FAILED"


def _coded(error: GraphQLError, code: str) -> None:
    """Give `error` an `extensions.code` if it has none: clients and fuzzers read an error
    without one as the server's fault."""
    if not (error.extensions or {}).get("code"):
        error.extensions = {**(error.extensions or {}), "code": code}


# How graphql-core words a value its type refuses, in a literal or in a variable.
_BAD_VALUE = re.compile(r"cannot represent|got invalid value|Expected value of type|"
                        r"Expected type|of required type|was not provided")
UNEXPECTED = "Unexpected error."
DATABASE_UNAVAILABLE = "The database is unavailable; try again shortly."
DEFAULT_LIMITS = QueryLimits()


# Set on an error once `AgoraSchema.process_errors` has logged (and masked) it.
PROCESSED = "_agora_processed"


class AgoraSchema(strawberry.Schema):
    """Strawberry's schema, logging errors as Agora wants them and, with `mask_errors`,
    masking the unexpected ones.

    Every result's errors pass through `process_errors` once, before the result is sent
    (queries, mutations, and each message of a subscription alike), so masking happens there,
    after logging. Strawberry's MaskErrors extension does the same, but its hook for live
    messages is rebuilt for every message of every subscription, a large share of a big
    fan-out's CPU (bench.live; bench/RESULTS.md).
    """

    extensions_runner_class: type[SchemaExtensionsRunner] = SchemaExtensionsRunner
    # How often live events were rendered and shared, where they are (`schema.fastpath`).
    renderings: Any = None
    # The answers kept per viewer until an event (`schema.fastpath.responses`), on the fast
    # path; and the followers of the log its work needs, which the lifespan starts.
    responses: Any = None
    log_followers: Sequence[FollowerFactory] = ()

    def __init__(self, *args: Any, mask_errors: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mask_errors = mask_errors

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return self.extensions_runner_class(execution_context, extensions)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Client mistakes are logged briefly, without the query (a flood of bad queries must
        not flood the logs); a database that does not answer in one line, and the error
        becomes DATABASE_UNAVAILABLE (every request says so while it is away); unexpected
        errors with their traceback, then masked in place.
        Each error once: a live event rendered once for many subscribers brings the same
        errors to each of them, and one failure must not become a line per subscriber."""
        for index, error in enumerate(errors):
            if getattr(error, PROCESSED, False):
                continue
            original = error.original_error
            if original is None or isinstance(original, GraphQLError) or error.extensions:
                log.info("client error: %s", error.message[:200])
                _coded(error, _client_code(error))
            elif isinstance(original, ConnectionFailure):
                log.warning("database unavailable in %s: %s", error.path, str(original)[:200])
                error = errors[index] = GraphQLError(
                    DATABASE_UNAVAILABLE, nodes=error.nodes, source=error.source,
                    positions=error.positions, path=error.path,
                    extensions={"code": "DATABASE_UNAVAILABLE"})
            else:
                log.error("unexpected error in %s", error.path, exc_info=original)
                if self.mask_errors and _is_unexpected(error):
                    error = errors[index] = GraphQLError(
                        UNEXPECTED, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path)
                _coded(error, "INTERNAL_SERVER_ERROR")
            setattr(error, PROCESSED, True)


def schema_extensions(
    *, introspection: bool, limits: QueryLimits = DEFAULT_LIMITS,
    budget: QueryBudget | None = None,
) -> list[Callable[[], SchemaExtension]]:
    rules = () if introspection else (NoSchemaIntrospectionCustomRule,)
    return [
        lambda: LimitedParsing(limits.max_tokens),
        lambda: GuardedValidation(limits, budget, rules=rules),
        FreshLoaders,
    ]


def build_schema(
    *, mask_errors: bool = False, introspection: bool = True, suggestions: bool = True,
    limits: QueryLimits = DEFAULT_LIMITS, budget: QueryBudget | None = None,
    observers: Sequence[Callable[[], SchemaExtension]] = (), fast_path: bool = True,
    response_seconds: float = 0,
) -> AgoraSchema:
    """The schema; production masks unexpected errors, and turns introspection and field
    suggestions off. `budget`, if given, is what each caller may read per window. With
    `fast_path`, it runs on `schema.fastpath` (keeping answers for `response_seconds`);
    without, on Strawberry as it comes."""
    extensions = [*observers, *schema_extensions(
        introspection=introspection, limits=limits, budget=budget
    )]
    schema = AgoraSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[*ERROR_TYPES, *ENUMS, Discussion, FeaturingCandidate, Group, Invitation, Page,
               Post, Report, User],
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True, disable_field_suggestions=not suggestions),
        exception_handlers=EXCEPTION_HANDLERS,
        mask_errors=mask_errors,
    )
    if fast_path:
        switch_on(schema, response_seconds=response_seconds)
    return schema


def export_sdl() -> str:
    return build_schema().as_str() + "\n"
