"""The netiquette: published by the CSS, accepted on joining or on its own, asked for before
a post."""

import pytest

from resolvers import discussions, membership, netiquette
from resolvers.domain.actors import Role
from resolvers.domain.errors import Forbidden, ValidationFailed
from resolvers.domain.groups import Participation
from resolvers.domain.netiquette import NetiquetteNotAccepted
from resolvers.domain.rate_limits import RateLimits
from resolvers.store.memberships import membership_id
from tests.conftest import actor
from tests.support import active_group

OWNER = actor("olga", country="ES")
MEMBER = actor("mia", country="ES")
NEWCOMER = actor("nico", country="ES")
CSS = actor("carla", Role.CSS, country=None)
LIMITS = RateLimits({})


@pytest.fixture
async def thread(store, clock):
    """An active group Mia joined before any netiquette, and a discussion in it."""
    for person in (OWNER, MEMBER, NEWCOMER, CSS):
        await store.users.record(actor=person, now=clock())
    group = await active_group(store, clock(), OWNER)
    await membership.join_group(store=store, actor=MEMBER, group_id=str(group["_id"]),
                                now=clock())
    return group, await discussions.start_discussion(
        store=store, actor=MEMBER, group_id=str(group["_id"]), title="Ideas", body="Hello",
        now=clock(), limits=LIMITS)


async def _post(store, clock, thread, who):
    _, discussion = thread
    return await discussions.add_post(
        store=store, actor=who, discussion_id=str(discussion["_id"]), body="Hi",
        reply_to_id=None, client_mutation_id=None, now=clock(), limits=LIMITS)


async def _publish(store, clock, text="Be kind."):
    return await netiquette.publish(store=store, actor=CSS, text=text, now=clock())


async def test_a_member_accepts_a_new_version_before_their_next_post(store, clock, thread):
    assert (await _publish(store, clock))["_id"] == 1
    with pytest.raises(NetiquetteNotAccepted) as refused:
        await _post(store, clock, thread, MEMBER)
    assert refused.value.current_version == 1
    with pytest.raises(ValidationFailed):  # not the version in force
        await netiquette.accept(store=store, actor=MEMBER, version=2)
    await netiquette.accept(store=store, actor=MEMBER, version=1)
    await _post(store, clock, thread, MEMBER)
    await _publish(store, clock, "Be kind, and cite your sources.")
    with pytest.raises(NetiquetteNotAccepted):
        await _post(store, clock, thread, MEMBER)


async def test_joining_accepts_the_current_version(store, clock, thread):
    group, _ = thread
    gid = str(group["_id"])
    await _publish(store, clock)
    with pytest.raises(ValidationFailed):  # the client showed an older version
        await membership.join_group(store=store, actor=NEWCOMER, group_id=gid, now=clock(),
                                    netiquette_version=0)
    assert await membership.role_of(store, group, NEWCOMER.id) is None
    await membership.join_group(store=store, actor=NEWCOMER, group_id=gid, now=clock(),
                                netiquette_version=1)
    joined = await store.memberships.get(group_id=gid, user_id=NEWCOMER.id)
    assert joined["netiquette_version"] == 1
    await _post(store, clock, thread, NEWCOMER)


async def test_accepting_an_invitation_accepts_the_current_version(store, clock):
    for person in (OWNER, NEWCOMER):
        await store.users.record(actor=person, now=clock())
    group = await active_group(store, clock(), OWNER, participation=Participation.INVITE_ONLY)
    gid = str(group["_id"])
    await _publish(store, clock)
    await membership.invite_member(store=store, actor=OWNER, group_id=gid,
                                   user_id=NEWCOMER.id, now=clock())
    await membership.respond_to_invitation(store=store, actor=NEWCOMER,
                                           invitation_id=membership_id(gid, NEWCOMER.id),
                                           accept=True, now=clock())
    assert await netiquette.accepted_by(store, NEWCOMER) == 1


async def test_only_the_css_publishes(store, clock):
    with pytest.raises(Forbidden):
        await netiquette.publish(store=store, actor=OWNER, text="My rules", now=clock())
    with pytest.raises(ValidationFailed):
        await netiquette.publish(store=store, actor=CSS, text="   ", now=clock())
    assert await netiquette.current(store) is None
