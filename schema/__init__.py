"""The one Schema, composed from per-aggregate Query and Mutation mixins."""

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaskErrors, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.errors import ERROR_TYPES
from schema.groups import GroupMutation, GroupQuery
from schema.types.group import Group
from schema.types.user import User
from schema.users import UserQuery

Query = merge_types("Query", (UserQuery, GroupQuery))
Mutation = merge_types("Mutation", (GroupMutation,))


def _is_expected(error: Exception) -> bool:
    """Errors a client caused (bad input, typed query errors) are shown; others are masked."""
    original = getattr(error, "original_error", None)
    return original is None or bool(getattr(error, "extensions", None))


def build_schema(*, mask_errors: bool = False, introspection: bool = True) -> strawberry.Schema:
    """The schema; production masks unexpected errors and turns introspection off."""
    extensions: list[SchemaExtension] = []
    if mask_errors:
        extensions.append(MaskErrors(should_mask_error=lambda error: not _is_expected(error)))
    if not introspection:
        extensions.append(AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[*ERROR_TYPES, Group, User],
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )


def export_sdl() -> str:
    return build_schema().as_str() + "\n"
