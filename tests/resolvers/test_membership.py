"""Membership use cases against the embedded server."""

import asyncio

import pytest

from resolvers import groups, membership
from resolvers.domain.actors import Actor, Role
from resolvers.domain.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from resolvers.domain.groups import Participation
from resolvers.domain.membership import GroupRole
from resolvers.domain.paging import PageRequest
from resolvers.store.groups import GroupFilter
from tests.conftest import actor
from tests.support import active_group, group_form

OWNER = actor("olga")
TEACHER = actor("tom")
CSS = actor("carla", Role.CSS, country=None)
PAGE = PageRequest(first=100, after=None, default_size=20, max_size=100)


async def known(store, clock, *people: Actor) -> None:
    for person in people:
        await store.users.record(actor=person, now=clock())


async def group_id_of(store, clock, **changes) -> str:
    return str((await active_group(store, clock(), OWNER, **changes))["_id"])


async def member_count(store, group_id: str) -> int:
    return (await store.groups.get(group_id=group_id))["member_count"]


async def role(store, group_id: str, user_id: str):
    doc = await store.memberships.get(group_id=group_id, user_id=user_id)
    return doc and doc["role"]


async def test_joining_an_open_group_twice_counts_once(store, clock):
    gid = await group_id_of(store, clock)
    for _ in range(2):
        group = await membership.join_group(store=store, actor=TEACHER, group_id=gid,
                                            now=clock())
    assert group["member_count"] == 2
    assert await role(store, gid, "tom") == "MEMBER"


async def test_fifty_concurrent_joins_and_leaves_keep_the_count_exact(store, clock):
    gid = await group_id_of(store, clock)
    teachers = [actor(f"teacher{n}") for n in range(50)]
    await asyncio.gather(*(
        membership.join_group(store=store, actor=t, group_id=gid, now=clock())
        for t in teachers for _ in range(2)
    ))
    assert await member_count(store, gid) == 51
    await asyncio.gather(*(
        membership.leave_group(store=store, actor=t, group_id=gid, now=clock())
        for t in teachers[:20] for _ in range(2)
    ))
    assert await member_count(store, gid) == 31
    assert await store.memberships.count(group_id=gid) == 31


async def test_invite_only_groups_need_an_invitation(store, clock):
    gid = await group_id_of(store, clock, participation=Participation.INVITE_ONLY)
    await known(store, clock, TEACHER)
    with pytest.raises(Forbidden):
        await membership.join_group(store=store, actor=TEACHER, group_id=gid, now=clock())
    invitation = await membership.invite_member(
        store=store, actor=OWNER, group_id=gid, user_id="tom", now=clock()
    )
    pending = await membership.my_invitations(store=store, actor=TEACHER, page=PAGE)
    assert [doc["_id"] for doc in pending.items] == [invitation["_id"]]
    accepted = await membership.respond_to_invitation(
        store=store, actor=TEACHER, invitation_id=invitation["_id"], accept=True, now=clock()
    )
    assert accepted["status"] == "ACCEPTED"
    assert await role(store, gid, "tom") == "MEMBER"
    assert (await membership.my_invitations(store=store, actor=TEACHER, page=PAGE)).items == []
    with pytest.raises(InvalidTransition):
        await membership.respond_to_invitation(
            store=store, actor=TEACHER, invitation_id=invitation["_id"], accept=False,
            now=clock(),
        )


async def test_a_removed_member_needs_a_new_invitation(store, clock):
    gid = await group_id_of(store, clock, participation=Participation.INVITE_ONLY)
    await known(store, clock, TEACHER)
    invitation = await membership.invite_member(
        store=store, actor=OWNER, group_id=gid, user_id="tom", now=clock()
    )
    await membership.respond_to_invitation(
        store=store, actor=TEACHER, invitation_id=invitation["_id"], accept=True, now=clock()
    )
    await membership.remove_member(store=store, actor=OWNER, group_id=gid, user_id="tom",
                                   reason="Spam", now=clock())
    assert await role(store, gid, "tom") is None
    with pytest.raises(Forbidden):
        await membership.join_group(store=store, actor=TEACHER, group_id=gid, now=clock())
    await membership.invite_member(store=store, actor=OWNER, group_id=gid, user_id="tom",
                                   now=clock())
    await membership.join_group(store=store, actor=TEACHER, group_id=gid, now=clock())
    assert await role(store, gid, "tom") == "MEMBER"


async def test_a_declined_invitation_adds_nobody(store, clock):
    gid = await group_id_of(store, clock, participation=Participation.INVITE_ONLY)
    await known(store, clock, TEACHER)
    invitation = await membership.invite_member(
        store=store, actor=OWNER, group_id=gid, user_id="tom", now=clock()
    )
    declined = await membership.respond_to_invitation(
        store=store, actor=TEACHER, invitation_id=invitation["_id"], accept=False, now=clock()
    )
    assert declined["status"] == "DECLINED"
    assert await role(store, gid, "tom") is None
    assert await member_count(store, gid) == 1


async def test_invitations_belong_to_their_invitee(store, clock):
    gid = await group_id_of(store, clock)
    await known(store, clock, TEACHER)
    invitation = await membership.invite_member(
        store=store, actor=OWNER, group_id=gid, user_id="tom", now=clock()
    )
    with pytest.raises(NotFound):
        await membership.respond_to_invitation(
            store=store, actor=actor("mallory"), invitation_id=invitation["_id"], accept=True,
            now=clock(),
        )
    with pytest.raises(ValidationFailed, match="never signed in"):
        await membership.invite_member(store=store, actor=OWNER, group_id=gid,
                                       user_id="nobody", now=clock())
    with pytest.raises(ValidationFailed):
        await membership.invite_member(store=store, actor=OWNER, group_id=gid,
                                       user_id="olga", now=clock())


async def test_the_last_owner_hands_the_role_on_before_leaving(store, clock):
    gid = await group_id_of(store, clock)
    await membership.join_group(store=store, actor=TEACHER, group_id=gid, now=clock())
    with pytest.raises(Forbidden):
        await membership.leave_group(store=store, actor=OWNER, group_id=gid, now=clock())
    await membership.set_member_role(store=store, actor=OWNER, group_id=gid, user_id="tom",
                                     role=GroupRole.OWNER, now=clock())
    await membership.leave_group(store=store, actor=OWNER, group_id=gid, now=clock())
    assert await role(store, gid, "olga") is None
    assert await member_count(store, gid) == 1


async def two_owners(store, clock) -> str:
    gid = await group_id_of(store, clock)
    await membership.join_group(store=store, actor=TEACHER, group_id=gid, now=clock())
    await membership.set_member_role(store=store, actor=OWNER, group_id=gid, user_id="tom",
                                     role=GroupRole.OWNER, now=clock())
    return gid


async def test_two_owners_leaving_at_once_leave_one_owner(store, clock):
    """Each checks that another owner remains, then leaves: one at a time per group, or both
    would pass the check and the group would have no owner."""
    for _ in range(5):
        gid = await two_owners(store, clock)
        outcomes = await asyncio.gather(*(
            membership.leave_group(store=store, actor=person, group_id=gid, now=clock())
            for person in (OWNER, TEACHER)
        ), return_exceptions=True)
        refused = [o for o in outcomes if isinstance(o, Forbidden | InvalidTransition)]
        assert len(refused) == 1, outcomes
        assert await store.memberships.count(group_id=gid, role=GroupRole.OWNER) == 1


async def test_an_owner_demoting_the_other_while_leaving_keeps_an_owner(store, clock):
    for _ in range(5):
        gid = await two_owners(store, clock)
        outcomes = await asyncio.gather(
            membership.leave_group(store=store, actor=OWNER, group_id=gid, now=clock()),
            membership.set_member_role(store=store, actor=OWNER, group_id=gid, user_id="tom",
                                       role=GroupRole.MEMBER, now=clock()),
            return_exceptions=True,
        )
        assert any(isinstance(o, Forbidden | InvalidTransition) for o in outcomes), outcomes
        assert await store.memberships.count(group_id=gid, role=GroupRole.OWNER) == 1


async def test_a_change_of_owners_left_unfinished_holds_the_group_only_for_a_while(
    store, clock
):
    """A process that died while changing owners leaves its lease; it lapses."""
    gid = await two_owners(store, clock)
    group = await store.groups.get(group_id=gid)
    assert await store.groups.hold(group_id=group["_id"], holder="dead process", now=clock(),
                                   until=clock() + membership.OWNERS_LEASE)
    with pytest.raises(InvalidTransition, match="under way"):
        await membership.leave_group(store=store, actor=TEACHER, group_id=gid, now=clock())
    await membership.join_group(store=store, actor=CSS, group_id=gid, now=clock())  # others go on
    clock.advance(seconds=membership.OWNERS_LEASE.total_seconds() + 1)
    await membership.leave_group(store=store, actor=TEACHER, group_id=gid, now=clock())
    assert await role(store, gid, "tom") is None


async def test_only_the_css_designates_moderators_of_featured_groups(store, clock):
    featured = await groups.create_group(
        store=store, actor=CSS, form=group_form(title="A featured group"), now=clock(),
        similar_recorded=0, featured=True,
    )
    assert featured["status"] == "ACTIVE"
    gid = str(featured["_id"])
    await membership.join_group(store=store, actor=TEACHER, group_id=gid, now=clock())
    await membership.set_member_role(store=store, actor=CSS, group_id=gid, user_id="tom",
                                     role=GroupRole.OWNER, now=clock())
    await membership.join_group(store=store, actor=OWNER, group_id=gid, now=clock())
    with pytest.raises(Forbidden):
        await membership.set_member_role(store=store, actor=TEACHER, group_id=gid,
                                         user_id="olga", role=GroupRole.MODERATOR, now=clock())
    assert await role(store, gid, "olga") == "MEMBER"
    await membership.set_member_role(store=store, actor=CSS, group_id=gid, user_id="olga",
                                     role=GroupRole.MODERATOR, now=clock())
    assert await role(store, gid, "olga") == "MODERATOR"


async def test_only_the_css_features_groups(store, clock):
    gid = await group_id_of(store, clock)
    with pytest.raises(Forbidden):
        await membership.set_group_featured(store=store, actor=OWNER, group_id=gid,
                                            featured=True, now=clock())
    with pytest.raises(Forbidden):
        await groups.create_group(store=store, actor=OWNER, form=group_form(), now=clock(),
                                  similar_recorded=0, featured=True)
    await membership.set_group_featured(store=store, actor=CSS, group_id=gid, featured=True,
                                        now=clock())
    page = await groups.list_groups(store=store, actor=TEACHER,
                                    criteria=GroupFilter(featured=True), page=PAGE)
    assert [str(doc["_id"]) for doc in page.items] == [gid]


async def test_members_page_in_joining_order_and_filter_by_role(store, clock):
    gid = await group_id_of(store, clock)
    group = await store.groups.get(group_id=gid)
    for n in range(5):
        await membership.join_group(store=store, actor=actor(f"t{n}"), group_id=gid,
                                    now=clock())
    seen, after = [], None
    while True:
        page = await membership.list_members(
            store=store, actor=TEACHER, viewer_role=None, group=group, role=None,
            page=PageRequest(first=2, after=after, default_size=20, max_size=100),
        )
        seen += [doc["user_id"] for doc in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == ["olga", "t0", "t1", "t2", "t3", "t4"]
    owners = await membership.list_members(
        store=store, actor=TEACHER, viewer_role=None, group=group, role=GroupRole.OWNER,
        page=PAGE,
    )
    assert [doc["user_id"] for doc in owners.items] == ["olga"]


async def test_in_a_featured_group_only_the_css_grants_owner(store, clock):
    gid = await group_id_of(store, clock)
    await membership.join_group(store=store, actor=TEACHER, group_id=gid, now=clock())
    await membership.set_group_featured(store=store, actor=CSS, group_id=gid, featured=True,
                                        now=clock())
    with pytest.raises(Forbidden):
        await membership.set_member_role(store=store, actor=OWNER, group_id=gid, user_id="tom",
                                         role=GroupRole.OWNER, now=clock())
    assert await role(store, gid, "tom") == "MEMBER"


async def test_featuring_keeps_only_the_moderators_the_css_confirms(store, clock):
    from resolvers import moderation_log

    gid = await group_id_of(store, clock)
    for person in ("mia", "max", "tom"):
        await membership.join_group(store=store, actor=actor(person), group_id=gid, now=clock())
    for person in ("mia", "max"):
        await membership.set_member_role(store=store, actor=OWNER, group_id=gid, user_id=person,
                                         role=GroupRole.MODERATOR, now=clock())
    with pytest.raises(ValidationFailed):  # tom is no moderator: nothing changes
        await membership.set_group_featured(store=store, actor=CSS, group_id=gid,
                                            featured=True, now=clock(), keep_moderators=["tom"])
    assert (await role(store, gid, "max"), await role(store, gid, "mia")) == (
        "MODERATOR", "MODERATOR")
    await membership.set_group_featured(store=store, actor=CSS, group_id=gid, featured=True,
                                        now=clock(), keep_moderators=["mia"])
    assert [await role(store, gid, who) for who in ("mia", "max", "olga")] == [
        "MODERATOR", "MEMBER", "OWNER"]
    group = await store.groups.get(group_id=gid)
    log = await moderation_log.entries(store=store, actor=CSS, viewer_role=None, group=group,
                                       page=PAGE)
    assert any(entry["target_id"] == "max" and "not confirmed" in entry["reason"]
               for entry in log.items)


async def test_a_pending_group_cannot_be_featured(store, clock):
    pending = await groups.create_group(store=store, actor=OWNER, form=group_form(),
                                        now=clock(), similar_recorded=0)
    with pytest.raises(InvalidTransition):
        await membership.set_group_featured(store=store, actor=CSS,
                                            group_id=str(pending["_id"]), featured=True,
                                            now=clock())


async def test_a_css_member_does_not_review_their_own_proposal(store, clock):
    from resolvers.domain.groups import GroupAction

    own = await groups.create_group(store=store, actor=CSS, form=group_form(), now=clock(),
                                    similar_recorded=0)
    with pytest.raises(Forbidden):
        await groups.transition_group(store=store, actor=CSS, group_id=str(own["_id"]),
                                      action=GroupAction.APPROVE, message=None, now=clock())
    other = actor("cesar", Role.CSS, country=None)
    approved = await groups.transition_group(store=store, actor=other, group_id=str(own["_id"]),
                                             action=GroupAction.APPROVE, message=None,
                                             now=clock())
    assert approved["status"] == "ACTIVE"
