"""Group use cases against the embedded server."""

import asyncio

import pytest

from resolvers import groups
from resolvers.domain.actors import Role
from resolvers.domain.errors import (
    Forbidden,
    InvalidTransition,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from resolvers.domain.forms import FormChanges
from resolvers.domain.groups import GroupAction, GroupStatus
from resolvers.domain.paging import PageRequest
from resolvers.store.groups import GroupFilter
from tests.conftest import actor
from tests.support import SPANISH_OBJECTIVES, group_form

OWNER = actor("olga", country="ES")
TEACHER = actor("tom", country="ES")
CSS = actor("carla", Role.CSS, country=None)
NSS_ES = actor("nuria", Role.NSS, country="ES")
NSS_FR = actor("francois", Role.NSS, country="FR")
PAGE = PageRequest(first=None, after=None, default_size=20, max_size=100)


async def propose(store, clock, who=OWNER, **changes):
    return await groups.create_group(
        store=store, actor=who, form=group_form(**changes), now=clock(), similar_recorded=5
    )


async def step(store, clock, group, action, who=CSS, message="Looks good", **kwargs):
    return await groups.transition_group(
        store=store, actor=who, group_id=str(group["_id"]), action=action, message=message,
        now=clock(), **kwargs,
    )


async def test_a_proposal_is_pending_and_owned_by_its_creator(store, clock):
    group = await propose(store, clock)
    assert group["status"] == "PENDING"
    membership = await store.memberships.get(group_id=str(group["_id"]), user_id="olga")
    assert membership["role"] == "OWNER"
    assert group["review"]["history"][0]["action"] == "SUBMIT"


async def test_a_refused_proposal_writes_nothing(store, clock):
    with pytest.raises(ValidationFailed):
        await propose(store, clock, objectives=SPANISH_OBJECTIVES)
    page = await groups.list_groups(store=store, actor=CSS, criteria=GroupFilter(), page=PAGE)
    assert page.items == []


async def test_anonymous_callers_cannot_propose(store, clock):
    with pytest.raises(Unauthenticated):
        await groups.create_group(
            store=store, actor=None, form=group_form(), now=clock(), similar_recorded=0
        )


async def test_the_whole_workflow_is_recorded(store, clock):
    group = await propose(store, clock)
    clock.advance(days=1)
    group = await step(store, clock, group, GroupAction.REQUEST_INFO, message="Which ages?")
    assert group["status"] == "INFO_REQUESTED"
    clock.advance(days=1)
    group = await step(
        store, clock, group, GroupAction.ANSWER_INFO_REQUEST, who=OWNER, message="Ages 8 to 10",
        changes=FormChanges(description="Maths games for pupils aged 8 to 10."),
    )
    assert group["status"] == "PENDING"
    assert group["description"] == "Maths games for pupils aged 8 to 10."
    group = await step(store, clock, group, GroupAction.APPROVE, message=None)
    assert group["status"] == "ACTIVE"
    history = group["review"]["history"]
    assert [(e["action"], e["actor_id"], e["to_status"]) for e in history] == [
        ("SUBMIT", "olga", "PENDING"),
        ("REQUEST_INFO", "carla", "INFO_REQUESTED"),
        ("ANSWER_INFO_REQUEST", "olga", "PENDING"),
        ("APPROVE", "carla", "ACTIVE"),
    ]
    assert history[1]["message"] == "Which ages?"
    assert history[2]["at"] > history[1]["at"] > history[0]["at"]


async def test_a_forbidden_review_changes_nothing(store, clock):
    group = await propose(store, clock)
    for who in (OWNER, TEACHER, NSS_ES):
        with pytest.raises(Forbidden):
            await step(store, clock, group, GroupAction.APPROVE, who=who)
    after = await store.groups.get(group_id=str(group["_id"]))
    assert after == group


async def test_racing_approve_and_reject_leave_exactly_one_winner(store, clock):
    for _ in range(5):
        group = await propose(store, clock)
        outcomes = await asyncio.gather(
            step(store, clock, group, GroupAction.APPROVE),
            step(store, clock, group, GroupAction.REJECT, message="Off topic"),
            return_exceptions=True,
        )
        winners = [o for o in outcomes if isinstance(o, dict)]
        losers = [o for o in outcomes if isinstance(o, InvalidTransition)]
        assert len(winners) == 1 and len(losers) == 1
        stored = await store.groups.get(group_id=str(group["_id"]))
        assert stored["status"] == winners[0]["status"]
        assert len(stored["review"]["history"]) == 2


async def test_an_invalid_transition_names_the_current_status(store, clock):
    group = await propose(store, clock)
    group = await step(store, clock, group, GroupAction.APPROVE)
    with pytest.raises(InvalidTransition) as caught:
        await step(store, clock, group, GroupAction.REJECT, message="Too late")
    assert caught.value.status == "ACTIVE"


async def test_review_messages_are_required(store, clock):
    group = await propose(store, clock)
    with pytest.raises(ValidationFailed) as caught:
        await step(store, clock, group, GroupAction.REJECT, message="  ", message_field="reason")
    assert caught.value.field == "reason"


async def test_unknown_groups_are_not_found(store, clock):
    with pytest.raises(NotFound):
        await groups.transition_group(
            store=store, actor=CSS, group_id="nope", action=GroupAction.APPROVE, message=None,
            now=clock(),
        )


async def test_lists_show_only_what_the_caller_may_see(store, clock):
    mine = await propose(store, clock, title="Olga's pending group")
    french = await propose(store, clock, who=actor("fred", country="FR"), title="Fred's group")
    active = await propose(store, clock, title="An active group")
    await step(store, clock, active, GroupAction.APPROVE)

    async def titles(who, **criteria):
        page = await groups.list_groups(
            store=store, actor=who, criteria=GroupFilter(**criteria), page=PAGE
        )
        return [doc["title"] for doc in page.items]

    assert await titles(TEACHER) == ["An active group"]
    assert await titles(OWNER) == ["An active group", "Olga's pending group"]
    assert await titles(NSS_FR) == ["An active group", "Fred's group"]
    assert await titles(CSS) == ["An active group", "Fred's group", "Olga's pending group"]
    assert await titles(CSS, status=GroupStatus.PENDING) == ["Fred's group", "Olga's pending group"]
    assert mine["status"] == french["status"] == "PENDING"


async def test_filters_and_text_search(store, clock):
    await propose(store, clock, title="Robots in class", topics=("robotics",), languages=("fr",))
    await propose(store, clock, title="Maths through games")

    async def titles(**criteria):
        page = await groups.list_groups(
            store=store, actor=CSS, criteria=GroupFilter(**criteria), page=PAGE
        )
        return [doc["title"] for doc in page.items]

    assert await titles(topic="robotics") == ["Robots in class"]
    assert await titles(language="fr") == ["Robots in class"]
    assert await titles(search_terms=tuple(groups.search_terms("robot"))) == ["Robots in class"]
    assert await titles(search_terms=tuple(groups.search_terms("GAMES maths"))) == [
        "Maths through games"
    ]
    assert await titles(featured=True) == []


async def test_pages_follow_cursors_without_gaps_or_repeats(store, clock):
    for n in range(7):
        await propose(store, clock, title=f"Group number {n}")
    seen, after = [], None
    while True:
        page = await groups.list_groups(
            store=store, actor=CSS, criteria=GroupFilter(),
            page=PageRequest(first=3, after=after, default_size=20, max_size=100),
        )
        seen += [doc["title"] for doc in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == [f"Group number {n}" for n in reversed(range(7))]


async def test_page_size_is_bounded(store, clock):
    with pytest.raises(ValidationFailed) as caught:
        await groups.list_groups(
            store=store, actor=CSS, criteria=GroupFilter(),
            page=PageRequest(first=101, after=None, default_size=20, max_size=100),
        )
    assert caught.value.field == "first"


async def test_review_queue_is_oldest_first_and_scoped(store, clock):
    first = await propose(store, clock, title="First proposal")
    clock.advance(hours=1)
    await propose(store, clock, who=actor("fred", country="FR"), title="French proposal")
    clock.advance(hours=1)
    approved = await propose(store, clock, title="Already approved")
    await step(store, clock, approved, GroupAction.APPROVE)

    async def queue(who):
        page = await groups.review_queue(store=store, actor=who, page=PAGE)
        return [doc["title"] for doc in page.items]

    assert await queue(CSS) == ["First proposal", "French proposal"]
    assert await queue(NSS_FR) == ["French proposal"]
    with pytest.raises(Forbidden):
        await queue(TEACHER)
    assert first["status"] == "PENDING"


async def test_owner_updates_the_form_with_the_same_validation(store, clock):
    group = await propose(store, clock)
    updated = await groups.update_group(
        store=store, actor=OWNER, group_id=str(group["_id"]),
        changes=FormChanges(title="Maths with board games"), now=clock(),
    )
    assert updated["title"] == "Maths with board games"
    with pytest.raises(ValidationFailed):
        await groups.update_group(
            store=store, actor=OWNER, group_id=str(group["_id"]),
            changes=FormChanges(objectives=SPANISH_OBJECTIVES), now=clock(),
        )
    with pytest.raises(NotFound):
        await groups.update_group(
            store=store, actor=TEACHER, group_id=str(group["_id"]),
            changes=FormChanges(title="Hijacked title"), now=clock(),
        )
    stored = await store.groups.get(group_id=str(group["_id"]))
    assert stored["title"] == "Maths with board games"


async def test_creating_indexes_again_is_harmless(store, clock):
    await propose(store, clock)
    await store.ensure_indexes()
    await store.ensure_indexes()
    page = await groups.list_groups(store=store, actor=CSS, criteria=GroupFilter(), page=PAGE)
    assert len(page.items) == 1


async def test_the_owner_withdraws_a_proposal_before_the_decision(store, clock):
    """Pending or asked about, a proposal its owner withdraws leaves the review queue and the
    similar-group pool, with the step in its history and the moderation log; an active group
    is closed instead, and only the owner withdraws."""
    pending = await propose(store, clock)
    asked = await propose(store, clock, title="Asked about")
    asked = await step(store, clock, asked, GroupAction.REQUEST_INFO, message="Ages?")
    with pytest.raises(Forbidden):
        await step(store, clock, pending, GroupAction.WITHDRAW, who=CSS, message=None)
    for group in (pending, asked):
        withdrawn = await step(store, clock, group, GroupAction.WITHDRAW, who=OWNER,
                               message="I joined a similar group")
        assert withdrawn["status"] == GroupStatus.WITHDRAWN
        assert withdrawn["review"]["history"][-1]["action"] == GroupAction.WITHDRAW
    queue = await groups.review_queue(store=store, actor=CSS, page=PAGE)
    assert queue.items == []
    similar = await groups.similar_groups(
        store=store, actor=OWNER, proposal=groups.similarity.profile_of(
            title=pending["title"], description=pending["description"],
            objectives=pending["objectives"], topics=pending["topics"],
            languages=pending["languages"]), first=5, max_size=100)
    assert similar == []
    logged = await store.db["moderation_log"].count_documents({"action": "WITHDRAW_GROUP"})
    assert logged == 2
    active = await step(store, clock, await propose(store, clock, title="Live group"),
                        GroupAction.APPROVE)
    with pytest.raises(InvalidTransition):
        await step(store, clock, active, GroupAction.WITHDRAW, who=OWNER, message=None)


async def test_groups_are_listed_by_members_or_latest_activity_page_by_page(store, clock):
    from resolvers import membership
    from resolvers.domain.groups import GroupOrder
    from resolvers.domain.paging import encode_cursor
    from tests.support import active_group

    made = [await active_group(store, clock(), OWNER, title=f"Ordered group {n}")
            for n in range(5)]
    for n, group in enumerate([made[0]] * 3 + [made[2]]):  # joins are activity too
        clock.advance(minutes=1)
        await membership.join_group(store=store, actor=actor(f"joiner{n}"),
                                    group_id=str(group["_id"]), now=clock())
    titles = {str(group["_id"]): group["title"] for group in made}

    async def listed(order, size=2):
        found, after = [], None
        while True:
            page = await groups.list_groups(
                store=store, actor=TEACHER, criteria=GroupFilter(status=GroupStatus.ACTIVE),
                order=order, page=PageRequest(first=size, after=after, default_size=20,
                                              max_size=100))
            found += [titles[str(item["_id"])] for item in page.items]
            if not page.has_next_page:
                return found
            after = encode_cursor(page.position(page.items[-1]))

    by_members = await listed(GroupOrder.MOST_MEMBERS)
    assert by_members == [f"Ordered group {n}" for n in (0, 2, 4, 3, 1)]
    assert await listed(GroupOrder.MOST_ACTIVE) == [f"Ordered group {n}"
                                                    for n in (2, 0, 4, 3, 1)]
    assert await listed(GroupOrder.NEWEST, size=3) == [f"Ordered group {n}"
                                                       for n in (4, 3, 2, 1, 0)]
    newest = await groups.list_groups(store=store, actor=TEACHER, criteria=GroupFilter(),
                                      page=PAGE)
    with pytest.raises(ValidationFailed):  # a cursor of another order
        await groups.list_groups(
            store=store, actor=TEACHER, criteria=GroupFilter(), order=GroupOrder.MOST_MEMBERS,
            page=PageRequest(first=2, after=encode_cursor(newest.position(newest.items[0])),
                             default_size=20, max_size=100))


async def test_the_nss_closes_groups_of_their_country_and_the_css_reopens_them(store, clock):
    """Closing and reopening (issue 21, item 4): the same compare-and-set, history and log as
    the other steps. Reopening restarts the inactivity clock and keeps the approval date."""
    group = await step(store, clock, await propose(store, clock), GroupAction.APPROVE)
    approved_at = group["approved_at"]
    with pytest.raises(Forbidden):
        await step(store, clock, group, GroupAction.CLOSE, who=NSS_FR, message="Not mine")
    closed = await step(store, clock, group, GroupAction.CLOSE, who=NSS_ES, message="Spam")
    assert closed["status"] == GroupStatus.CLOSED
    for who in (OWNER, NSS_ES):
        with pytest.raises(Forbidden):
            await step(store, clock, closed, GroupAction.REOPEN, who=who, message="Please")
    clock.advance(days=30)
    reopened = await step(store, clock, closed, GroupAction.REOPEN, message="Cleaned up")
    assert reopened["status"] == GroupStatus.ACTIVE
    assert reopened["approved_at"] == approved_at and reopened["last_activity_at"] == clock()
    assert [entry["action"] for entry in reopened["review"]["history"]][-2:] == [
        GroupAction.CLOSE, GroupAction.REOPEN]
    logged = await store.db["moderation_log"].distinct("action")
    assert {"CLOSE_GROUP", "REOPEN_GROUP"} <= set(logged)
    with pytest.raises(InvalidTransition):
        await step(store, clock, reopened, GroupAction.REOPEN, message="Again")
