"""Which live selections may be rendered once for many subscribers, and what makes two
subscriptions alike (see `schema.fastpath.sharing`)."""

import pytest
from graphql import FieldNode, GraphQLObjectType, GraphQLUnionType, get_named_type, parse

from schema import build_schema
from schema.declared import AUDIENCE, Audience
from schema.fastpath.sharing import Plan, plan

SCHEMA = build_schema()._schema


def plan_of(document: str) -> Plan:
    parsed = parse(document)
    operations = [d for d in parsed.definitions if d.kind == "operation_definition"]
    fragments = {d.name.value: d for d in parsed.definitions
                 if d.kind == "fragment_definition"}
    (field,) = operations[0].selection_set.selections
    assert isinstance(field, FieldNode)
    return plan(SCHEMA, field, fragments)


@pytest.mark.parametrize(("selection", "audience"), [
    ("cursor kind at", Audience.EVERYONE),
    ("subject { ... on Post { id body author { name } } }", Audience.EVERYONE),
    ("subject { __typename ... on MembershipChange { role user { name } } }",
     Audience.EVERYONE),
    ("subject { ... on Post { hidden { reason } } }", Audience.STANDING),
    ("subject { ... on Group { title viewerRole } }", Audience.STANDING),
    ("subject { ... on Discussion { posts { nodes { body } } } }", Audience.STANDING),
    ("subject { ... on Group { review { similarGroups { group { viewerRole } } } } }",
     Audience.VIEWER),
])
def test_a_selection_is_shared_as_widely_as_its_fields_allow(selection, audience):
    assert plan_of(f"subscription {{ groupActivity(groupId: \"x\") {{ {selection} }} }}"
                   ).audience is audience


def test_the_subscription_fields_own_arguments_do_not_separate_subscribers():
    one = plan_of('subscription($g: ID!, $a: String) { postAdded(groupId: $g, after: $a) '
                  '{ cursor } }')
    other = plan_of('subscription { postAdded(discussionId: "d") { cursor } }')
    assert (one.shape, one.variables) == (other.shape, other.variables) == (
        "postAdded {\n  cursor\n}", ())


def test_variables_and_fragments_used_below_it_do():
    found = plan_of("""subscription($n: Int, $g: ID!) { groupActivity(groupId: $g) {
      subject { ...D } } }
      fragment D on Discussion { posts(first: $n) { nodes { body } } }""")
    assert found.variables == ("n",)
    assert "fragment D on Discussion" in found.shape
    assert found.audience is Audience.STANDING  # fragments count like any selection


def test_every_resolver_an_event_reaches_says_whom_its_answer_may_be_shared_with():
    """A new field with a resolver must declare its audience (undeclared ones are never
    shared, which is safe but slow)."""
    unlisted, seen = [], set()

    def walk(graphql_type) -> None:
        named = get_named_type(graphql_type)
        if named.name in seen:
            return
        seen.add(named.name)
        if isinstance(named, GraphQLUnionType):
            for member in named.types:
                walk(member)
        if not isinstance(named, GraphQLObjectType):
            return
        for name, field in named.fields.items():
            definition = field.extensions["strawberry-definition"]
            if definition.base_resolver is not None and name != "id" and (
                AUDIENCE not in definition.metadata
            ):
                unlisted.append(f"{named.name}.{name}")
            walk(field.type)

    walk(SCHEMA.subscription_type.fields["groupActivity"].type)
    assert unlisted == []
