"""What a field declares about its answer, where the field is defined.

    @strawberry.field(metadata=declare(Audience.STANDING, ahead=first_discussions))

- Its audience: whom the answer depends on. Whatever sends one answer to several viewers (a
  live event rendered once for many subscribers, a cache) reads it here.
- What it loads ahead: for many parents at once, what its resolver will ask the request's
  loaders for, so that each parent's resolver then finds it loaded. Only an executor that
  completes a list of parents together can use it; the resolver is right without it.

A plain attribute of an object (no resolver) depends on the object alone. A resolver that
declares nothing is taken to depend on the viewer: never shared, which is safe but slow.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from enum import IntEnum
from typing import Any

from graphql import GraphQLField, GraphQLNamedType
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from schema.context import Context


class Audience(IntEnum):
    """Whom an answer may be shared with; a selection takes its widest field's value."""

    EVERYONE = 0  # it depends on the object (an event, public data) alone
    STANDING = 1  # on the viewer's standing in the object's group: role, oversight, ownership
    VIEWER = 2  # on the viewer themselves, or on other groups: never shared


# Loads, for `parents` (the objects the field is selected on) and the field's arguments (by
# their GraphQL names), what the field's resolver will ask the context's loaders for.
LoadAhead = Callable[[Context, Sequence[Any], Mapping[str, Any]], Awaitable[object]]

AUDIENCE = "agora.audience"
AHEAD = "agora.ahead"
TIMELY = "agora.timely"


def declare(audience: Audience, *, ahead: LoadAhead | None = None,
            timely: bool = False) -> dict[str, object]:
    """A field's `metadata`, declaring its audience, what it loads ahead, and whether its
    answer changes with time alone (days since a date, say): then it is never kept."""
    metadata: dict[str, object] = {AUDIENCE: audience}
    if ahead is not None:
        metadata[AHEAD] = ahead
    if timely:
        metadata[TIMELY] = True
    return metadata


def definition_of(field: GraphQLField) -> StrawberryField | None:
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return definition if isinstance(definition, StrawberryField) else None


def audience_of(parent: GraphQLNamedType | None, field_name: str) -> Audience:
    """Whom the answer of `parent`'s field `field_name` depends on, as declared."""
    if field_name in ("__typename", "id"):  # global ids carry no viewer
        return Audience.EVERYONE
    field: GraphQLField | None = getattr(parent, "fields", {}).get(field_name)
    definition = None if field is None else definition_of(field)
    if definition is None:
        return Audience.VIEWER
    declared = definition.metadata.get(AUDIENCE)
    if isinstance(declared, Audience):
        return declared
    if definition.base_resolver is None:
        return Audience.EVERYONE  # an attribute of the object
    return Audience.VIEWER


def is_timely(parent: GraphQLNamedType | None, field_name: str) -> bool:
    """Whether `parent`'s field `field_name` declares that its answer changes with time."""
    field: GraphQLField | None = getattr(parent, "fields", {}).get(field_name)
    definition = None if field is None else definition_of(field)
    return definition is not None and bool(definition.metadata.get(TIMELY))


def ahead_of(field: GraphQLField) -> LoadAhead | None:
    """What `field` loads ahead for many parents, if it says."""
    definition = definition_of(field)
    return None if definition is None else definition.metadata.get(AHEAD)
