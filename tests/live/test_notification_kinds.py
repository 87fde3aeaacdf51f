"""Every kind of notification, over two API processes on one database: each reaches its
recipient live through one process, and is stored once, read through the other."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from resolvers import discussions, groups, membership, moderation, notifications, oversight
from resolvers import reports as report_cases
from resolvers.domain.groups import GroupAction
from resolvers.domain.membership import GroupRole
from resolvers.domain.notifications import NotificationKind
from resolvers.domain.reports import ReportAction, ReportReason
from tests.conftest import actor
from tests.live.test_notifications import _ask
from tests.live.world import CSS, LIMITS, MAX, MIA, OLGA, listen
from tests.support import group_form

pytestmark = pytest.mark.e2e

ADDED = "subscription { notificationAdded { kind } }"
STORED = "{ notifications(first: 50) { edges { node { id kind } } } }"
PAULA, ROSA, INES = actor("paula"), actor("rosa"), actor("ines")
IVAN, REMO, FIONA = actor("ivan"), actor("remo"), actor("fiona")

# Who is told what, by the end of the story below.
EXPECTED = {
    PAULA: {NotificationKind.PROPOSAL_APPROVED, NotificationKind.GROUP_FLAGGED_INACTIVE,
            NotificationKind.GROUP_EXEMPTED},
    ROSA: {NotificationKind.PROPOSAL_REJECTED},
    INES: {NotificationKind.PROPOSAL_INFO_REQUESTED},
    IVAN: {NotificationKind.INVITED, NotificationKind.ROLE_CHANGED},
    OLGA: {NotificationKind.INVITATION_ANSWERED},
    REMO: {NotificationKind.REMOVED_FROM_GROUP},
    MIA: {NotificationKind.REPLY, NotificationKind.REPORT_RESOLVED},
    MAX: {NotificationKind.MENTION},
    FIONA: {NotificationKind.NEW_POST},
}


async def _story(store: Any, world: Any) -> None:
    now = datetime.now(UTC)
    gid, thread = str(world.open["_id"]), str(world.open_thread["_id"])
    # Proposals decided.
    decided = {}
    for proposer, action in ((PAULA, GroupAction.APPROVE), (ROSA, GroupAction.REJECT),
                             (INES, GroupAction.REQUEST_INFO)):
        proposal = await groups.create_group(
            store=store, actor=proposer, form=group_form(title=f"The group of {proposer.name}"),
            now=now, similar_recorded=0)
        decided[proposer] = str(proposal["_id"])
        await groups.transition_group(store=store, actor=CSS, group_id=decided[proposer],
                                      action=action, message="Decided", now=now)
    # Paula's group flagged inactive a year on, then exempted.
    await moderation.sweep_inactivity(store=store, now=now + timedelta(days=365))
    await oversight.exempt_from_inactivity(
        store=store, actor=CSS, group_id=decided[PAULA], until=now + timedelta(days=400),
        reason="A sabbatical year", now=now)
    # Ivan invited, answering; then a moderator. Remo joins and is removed.
    invitation = await membership.invite_member(store=store, actor=OLGA, group_id=gid,
                                                user_id=IVAN.id, now=now)
    await membership.respond_to_invitation(store=store, actor=IVAN,
                                           invitation_id=invitation["_id"], accept=True, now=now)
    await membership.set_member_role(store=store, actor=OLGA, group_id=gid, user_id=IVAN.id,
                                     role=GroupRole.MODERATOR, now=now)
    await membership.join_group(store=store, actor=REMO, group_id=gid, now=now)
    await membership.remove_member(store=store, actor=OLGA, group_id=gid, user_id=REMO.id,
                                   reason="Spam", now=now)
    # A reply to Mia, a mention of Max, a new post for Fiona who follows.
    await notifications.follow_discussion(store=store, actor=FIONA, discussion_id=thread,
                                          muted=False, now=now)
    mine = await world.post(world.open_thread, "My idea", who=MIA)
    await discussions.add_post(store=store, actor=OLGA, discussion_id=thread,
                               body="Agreed, @max what do you think?",
                               reply_to_id=str(mine["_id"]), client_mutation_id=None, now=now,
                               limits=LIMITS)
    # Mia's report, dismissed.
    report = await report_cases.report_post(store=store, actor=MIA, post_id=str(mine["_id"]),
                                            reason=ReportReason.SPAM, note=None, now=now,
                                            limits=LIMITS)
    await report_cases.resolve_report(store=store, actor=MAX, report_id=str(report["_id"]),
                                      action=ReportAction.DISMISS, note="Fine", now=now)


async def test_every_kind_arrives_live_and_stored_once(servers, tokens, world):
    store = world.store
    for person in EXPECTED:
        await store.users.record(actor=person, now=datetime.now(UTC))
    listeners = {person: await listen(servers, tokens, person, ADDED) for person in EXPECTED}
    await _story(store, world)

    async def received(person: Any) -> set[str]:
        kinds: set[str] = set()
        while not EXPECTED[person] <= kinds:
            try:
                (event,) = await listeners[person].events(1)
            except TimeoutError:
                raise AssertionError(f"{person.id} was told only {kinds} live") from None
            kinds.add(event["kind"])
        return kinds

    live = await asyncio.gather(*(received(person) for person in EXPECTED))
    for person, kinds in zip(EXPECTED, live, strict=True):
        assert EXPECTED[person] <= kinds, person.id
        token = tokens(person.id, *sorted(person.roles), country=person.country)
        for _ in range(200):  # the notifiers store what the fanout delivered: a poll or two
            stored = [edge["node"] for edge in _ask(servers[1], token, STORED)[
                "notifications"]["edges"]]
            if EXPECTED[person] <= {node["kind"] for node in stored}:
                break
            await asyncio.sleep(0.05)
        assert EXPECTED[person] <= {node["kind"] for node in stored}, person.id
        assert len({node["id"] for node in stored}) == len(stored)  # one per (event, user)
    for listener in listeners.values():
        await listener.close()
