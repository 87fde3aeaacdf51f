"""Mutation payloads: the changed object, or any of the `Error` types.

Every payload admits every error type, so a use case that learns a new way to fail can never
produce a payload the schema refuses; clients select `... on Error { message }`.
"""

from typing import TYPE_CHECKING, Annotated, Any, Union

import strawberry

from schema.errors import ERROR_TYPES, Error
from schema.types.group import Group


def payload_union(name: str, node: type, description: str | None = None) -> Any:
    members = Union[node, *ERROR_TYPES]  # type: ignore[valid-type]
    return Annotated[members, strawberry.union(name, description=description)]


if TYPE_CHECKING:
    CreateGroupPayload = Group | Error
    UpdateGroupPayload = Group | Error
    ReviewGroupPayload = Group | Error
else:
    CreateGroupPayload = payload_union("CreateGroupPayload", Group)
    UpdateGroupPayload = payload_union("UpdateGroupPayload", Group)
    ReviewGroupPayload = payload_union(
        "ReviewGroupPayload", Group,
        "The result of a step of the approval workflow, or of closing a group.",
    )
