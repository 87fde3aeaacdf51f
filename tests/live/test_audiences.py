"""Every field a live event reaches says whom its answer depends on (`schema.declared`), and
the declarations are right: rendered for viewers of every standing, a field declared to
depend on nothing but the event answers alike for all who may see the event as it is seen
(readers, or moderators), and one declared to depend on the viewer's standing answers alike
for viewers of the same standing. A wrong declaration would let one viewer's answer reach
another through a shared rendering."""

import asyncio
import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLLeafType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLUnionType,
    get_named_type,
)

from resolvers import content, discussions, membership, moderation, reports
from resolvers.domain.content import PageKind
from resolvers.domain.membership import GroupRole, Standing
from resolvers.domain.reports import ReportReason
from schema import build_schema
from schema.declared import Audience, audience_of
from subscriptions.stream import event_cursor
from tests.conftest import actor
from tests.live.world import CSS, LIMITS, MAX, MIA, NSS_ES, OLGA, TOM, listen

pytestmark = pytest.mark.e2e

SCHEMA = build_schema()._schema
EVENT = SCHEMA.get_type("Event")
assert isinstance(EVENT, GraphQLObjectType)
BEA, ANA, ZOE = actor("bea"), actor("ana"), actor("zoe")

# Everyone who follows the open group, with their standing in it.
GROUP_ACTIVITY = {
    OLGA: Standing(role=GroupRole.OWNER, oversees=False, owns=True),
    MAX: Standing(role=GroupRole.MODERATOR, oversees=False, owns=False),
    MIA: Standing(role=GroupRole.MEMBER, oversees=False, owns=False),
    BEA: Standing(role=GroupRole.MEMBER, oversees=False, owns=False),
    CSS: Standing(role=None, oversees=True, owns=False),
    NSS_ES: Standing(role=None, oversees=True, owns=False),
}
# Readers who follow its posts without being members, and members alongside them.
POST_ADDED = {
    TOM: Standing(role=None, oversees=False, owns=False),
    ANA: Standing(role=None, oversees=False, owns=False),
    MIA: GROUP_ACTIVITY[MIA],
}


def _objects(named: GraphQLNamedType) -> list[GraphQLObjectType]:
    if isinstance(named, GraphQLUnionType):
        return list(named.types)
    if isinstance(named, GraphQLInterfaceType):
        return list(SCHEMA.get_possible_types(named))
    return [named] if isinstance(named, GraphQLObjectType) else []


def selection(root: GraphQLObjectType, subject: str) -> str:
    """A selection of every field reachable from `root`, each executed at least once: an
    object type's fields are all selected under the field where it is first met (breadth
    first), and elsewhere only those that hold a value; lists two long. Of the event's
    subject, only the fields of type `subject`: fields of its other types may share names and
    differ in type, which one selection may not ask for."""
    home: dict[str, tuple[str, str]] = {}  # where each type's fields are selected
    queue, seen = [root], {root.name}
    while queue:
        named = queue.pop(0)
        for name, field in named.fields.items():
            for inner in _objects(get_named_type(field.type)):
                if inner.name not in seen:
                    seen.add(inner.name)
                    home[inner.name] = (named.name, name)
                    queue.append(inner)

    def render(named: GraphQLObjectType, *, leaves_only: bool = False,
               taken: dict[str, str] | None = None) -> str:
        """`named`'s fields; of those a sibling in a union's spread selected (`taken`), only
        the ones of the same type (a field of another type is selected at its home)."""
        parts = ["__typename"]
        for name, field in named.fields.items():
            inner = get_named_type(field.type)
            arguments = "(first: 2)" if "first" in field.args else ""
            if isinstance(inner, GraphQLLeafType):
                if taken is not None and taken.setdefault(name, str(field.type)) != str(
                        field.type):
                    continue
                parts.append(f"{name}{arguments}")
            elif not leaves_only:
                members = [member for member in _objects(inner)
                           if named is not root or name != "subject" or member.name == subject]
                siblings: dict[str, str] = {}
                spread = " ".join(
                    f"... on {member.name} {{ {render(member, leaves_only=(
                        home.get(member.name) != (named.name, name)), taken=siblings)} }}"
                    for member in members)
                parts.append(f"{name}{arguments} {{ __typename {spread} }}")
        return " ".join(parts)

    return render(root)


def leaves(value: Any, parent: GraphQLNamedType, path: tuple[str, ...] = (),
           audience: Audience = Audience.EVERYONE) -> dict[tuple[str, ...], tuple[Any, Audience]]:
    """Every scalar (or null) of an event's data by its path, with the widest audience along
    the path."""
    found: dict[tuple[str, ...], tuple[Any, Audience]] = {}
    for name, item in value.items():
        field: GraphQLField | None = getattr(parent, "fields", {}).get(name)
        widest = max(audience, audience_of(parent, name))
        below = get_named_type(field.type) if field is not None else None
        for index, one in (enumerate(item) if isinstance(item, list) else [(None, item)]):
            at = (*path, name) if index is None else (*path, name, str(index))
            if isinstance(one, dict):
                concrete = SCHEMA.get_type(one["__typename"]) if "__typename" in one else below
                found.update(leaves(one, concrete, at, widest))
            else:
                found[at] = (one, widest)
    return found


async def until(client: Any, last: str) -> dict[str, dict[str, Any]]:
    """The events `client` receives up to the one at cursor `last`, by cursor."""
    received: dict[str, dict[str, Any]] = {}
    while last not in received:
        (event,) = await client.events(1)
        received[event["cursor"]] = event
    return received


SUBJECTS = [member.name for member in _objects(get_named_type(EVENT.fields["subject"].type))]


async def follow(servers: list[str], tokens: Any, people: dict[Any, Standing], field: str,
                 group_id: str, after: str) -> dict[tuple[Any, str], Any]:
    """A subscription to `field` for each of `people` and each type of subject, from the
    event after cursor `after`."""
    return {(person, subject): await listen(
        servers, tokens, person, f"subscription($g: ID!, $a: String) {{ {field}(groupId: $g, "
        f"after: $a) {{ {selection(EVENT, subject)} }} }}", g=group_id, a=after)
        for person in people for subject in SUBJECTS}


async def received(clients: dict[tuple[Any, str], Any], last: str
                   ) -> dict[str, dict[Any, dict[str, dict[str, Any]]]]:
    """What each subscription received, by subject type, person and cursor."""
    found = await asyncio.gather(*(until(client, last) for client in clients.values()))
    by_subject: dict[str, dict[Any, dict[str, dict[str, Any]]]] = {}
    for (person, subject), events in zip(clients, found, strict=True):
        by_subject.setdefault(subject, {})[person] = events
    for client in clients.values():
        await client.close()
    return by_subject


def differences(
    seen: dict[Any, dict[str, dict[str, Any]]], standings: dict[Any, Standing]
) -> list[str]:
    """Where two viewers got different answers from a field declared not to depend on what
    makes them different."""
    found = []
    for one, other in itertools.combinations(seen, 2):
        same_standing = standings[one] == standings[other]
        if standings[one].moderates != standings[other].moderates:
            continue  # moderators see an event as it happened, readers as it stands
        for cursor in seen[one].keys() & seen[other].keys():
            mine = leaves(seen[one][cursor], EVENT)
            theirs = leaves(seen[other][cursor], EVENT)
            for path in mine.keys() | theirs.keys():
                value, audience = mine.get(path, ("<absent>", Audience.EVERYONE))
                other_value, other_audience = theirs.get(path, ("<absent>", Audience.EVERYONE))
                shared = max(audience, other_audience) is Audience.EVERYONE or (
                    same_standing and max(audience, other_audience) is Audience.STANDING)
                if shared and value != other_value:
                    found.append(f"{'.'.join(path)}: {one.id} got {value!r}, "
                                 f"{other.id} {other_value!r}")
    return found


async def cursor_of_last(store: Any) -> str:
    return event_cursor((await store.events.read_after(await store.events.head() - 1,
                                                       limit=1))[0])


async def test_every_field_an_event_reaches_answers_as_its_audience_says(
    servers, tokens, world, live_store
):
    store, now = live_store, datetime.now(UTC)
    gid = str(world.open["_id"])
    for person in (BEA, ANA, ZOE):
        await store.users.record(actor=person, now=now)
    await membership.join_group(store=store, actor=BEA, group_id=gid, now=now)
    start = await cursor_of_last(store)

    # Something of every kind a member may see, and a report for the moderators.
    post = await world.post(world.open_thread, "Hello", who=MIA)
    await discussions.edit_post(store=store, actor=MIA, post_id=str(post["_id"]),
                                body="Hello, edited", now=now, limits=LIMITS)
    hidden = await world.post(world.open_thread, "Off topic", who=MIA)
    await moderation.hide_post(store=store, actor=MAX, post_id=str(hidden["_id"]),
                               reason="Off topic", now=now)
    await reports.report_post(store=store, actor=TOM, post_id=str(post["_id"]),
                                 reason=ReportReason.SPAM, note=None, now=now, limits=LIMITS)
    await content.add_page(store=store, actor=OLGA, group_id=gid, title="Plan", body="Weeks",
                           kind=PageKind.WORK_PLAN, position=None, now=now)
    await content.set_welcome_message(store=store, actor=OLGA, group_id=gid,
                                      message="Welcome!", now=now)
    await membership.join_group(store=store, actor=ZOE, group_id=gid, now=now)
    await moderation.flag_discussion(store=store, actor=MAX,
                                     discussion_id=str(world.open_thread["_id"]), flag="pinned",
                                     value=True, reason=None, now=now)
    await discussions.start_discussion(store=store, actor=MIA, group_id=gid, title="Ideas",
                                       body="Share yours", now=now, limits=LIMITS)
    await world.post(world.open_thread, "That is all")
    last = await cursor_of_last(store)

    # Every event is shown as its subject stands at delivery, so the viewers are compared on
    # one state: they subscribe after the writes, from before them. (Subscribed during the
    # writes, two viewers could be shown one event before and after a later write.)
    members = await follow(servers, tokens, GROUP_ACTIVITY, "groupActivity",
                           world.gid(world.open), start)
    readers = await follow(servers, tokens, POST_ADDED, "postAdded", world.gid(world.open),
                           start)
    followed = await received(members, last)
    read_posts = await received(readers, last)
    kinds = {event["kind"] for event in followed["Post"][OLGA].values()}
    assert {"POST_ADDED", "POST_EDITED", "POST_HIDDEN", "REPORT_FILED", "PAGE_ADDED",
            "GROUP_UPDATED", "MEMBER_JOINED", "DISCUSSION_PINNED",
            "DISCUSSION_STARTED"} <= kinds
    # The review record is the owner's and the overseers': events of the group carry it for
    # them as it stands, and for nobody else.
    reviews = {person.id: [event["subject"]["review"] for event in events.values()
                           if event["subject"]["__typename"] == "Group"]
               for person, events in followed["Group"].items()}
    assert all(review["history"] for person in ("olga", "carla", "nuria")
               for review in reviews[person]) and reviews["olga"]
    assert set(map(str, reviews["mia"] + reviews["max"])) == {"None"}
    for subject in SUBJECTS:
        assert differences(followed[subject], GROUP_ACTIVITY) == [], subject
        assert differences(read_posts[subject], POST_ADDED) == [], subject
