"""Reports, the moderation log and the inactivity watch, against the embedded server."""

import asyncio
from datetime import timedelta

import pytest

from resolvers import (
    discussions,
    groups,
    membership,
    moderation,
    moderation_log,
    oversight,
    reports,
)
from resolvers.domain.actors import Role
from resolvers.domain.errors import Forbidden, InvalidTransition, ValidationFailed
from resolvers.domain.groups import GroupAction
from resolvers.domain.inactivity import InactivityRule
from resolvers.domain.membership import GroupRole
from resolvers.domain.paging import PageRequest
from resolvers.domain.rate_limits import RateLimits
from resolvers.domain.reports import ReportAction, ReportReason, ReportStatus
from resolvers.store.moderation_log import ModerationLogStore
from tests.conftest import actor
from tests.support import active_group

OWNER = actor("olga", country="ES")
MEMBER = actor("mia", country="ES")
TROLL = actor("troll", country="ES")
CSS = actor("carla", Role.CSS, country=None)
NSS_ES = actor("nuria", Role.NSS, country="ES")
NSS_FR = actor("francois", Role.NSS, country="FR")
LIMITS = RateLimits({})
PAGE = PageRequest(first=100, after=None, default_size=20, max_size=100)


@pytest.fixture
async def thread(store, clock):
    """An active group with a member and a troll, a discussion, and the troll's post."""
    group = await active_group(store, clock(), OWNER)
    gid = str(group["_id"])
    for person in (MEMBER, TROLL):
        await membership.join_group(store=store, actor=person, group_id=gid, now=clock())
    discussion = await discussions.start_discussion(
        store=store, actor=MEMBER, group_id=gid, title="Homework ideas", body="Ideas?",
        now=clock(), limits=LIMITS)
    post = await discussions.add_post(
        store=store, actor=TROLL, discussion_id=str(discussion["_id"]), body="Buy my course!",
        reply_to_id=None, client_mutation_id=None, now=clock(), limits=LIMITS)
    return group, discussion, post


async def report(store, clock, post, who=MEMBER, reason=ReportReason.COMMERCIAL):
    return await reports.report_post(store=store, actor=who, post_id=str(post["_id"]),
                                        reason=reason, note="Advertising", now=clock(),
                                        limits=LIMITS)


async def reports_for(store, who, **criteria):
    page = await reports.list_reports(store=store, actor=who, status=criteria.get("status"),
                                         group_id=criteria.get("group_id"), page=PAGE)
    return [doc["reason"] for doc in page.items]


async def test_one_open_report_per_user_and_post(store, clock, thread):
    _, _, post = thread
    await report(store, clock, post)
    with pytest.raises(ValidationFailed):
        await report(store, clock, post, reason=ReportReason.SPAM)
    await report(store, clock, post, who=OWNER, reason=ReportReason.SPAM)


async def test_reports_are_scoped_to_what_the_caller_moderates(store, clock, thread):
    _, _, post = thread
    await report(store, clock, post)
    assert await reports_for(store, OWNER) == ["COMMERCIAL"]
    assert await reports_for(store, CSS) == ["COMMERCIAL"]
    assert await reports_for(store, NSS_ES) == ["COMMERCIAL"]
    assert await reports_for(store, NSS_FR) == []
    assert await reports_for(store, MEMBER) == []
    assert await reports_for(store, CSS, status=ReportStatus.RESOLVED) == []


async def test_resolving_by_hiding_the_post(store, clock, thread):
    *_, post = thread
    filed = await report(store, clock, post)
    with pytest.raises(Forbidden):
        await reports.resolve_report(store=store, actor=MEMBER, report_id=str(filed["_id"]),
                                        action=ReportAction.HIDE_POST, note=None, now=clock())
    resolved = await reports.resolve_report(
        store=store, actor=NSS_ES, report_id=str(filed["_id"]), action=ReportAction.HIDE_POST,
        note="Advertising is not allowed", now=clock())
    assert resolved["status"] == "RESOLVED"
    assert resolved["resolution"]["action"] == "HIDE_POST"
    hidden = await store.posts.get(post_id=str(post["_id"]))
    assert hidden["hidden"]["by_id"] == "nuria"
    with pytest.raises(InvalidTransition):
        await reports.resolve_report(store=store, actor=CSS, report_id=str(filed["_id"]),
                                        action=ReportAction.DISMISS, note=None, now=clock())


async def test_resolving_a_report_answers_every_open_report_on_the_post(store, clock, thread):
    *_, post = thread
    first = await report(store, clock, post)
    second = await report(store, clock, post, who=OWNER, reason=ReportReason.SPAM)
    await reports.resolve_report(store=store, actor=CSS, report_id=str(first["_id"]),
                                    action=ReportAction.HIDE_POST, note="Advertising",
                                    now=clock())
    assert await reports_for(store, CSS, status=ReportStatus.OPEN) == []
    other = await store.reports.get(report_id=str(second["_id"]))
    assert other["status"] == "RESOLVED"
    assert other["resolution"]["action"] == "HIDE_POST"
    assert other["resolution"]["with_report_id"] == str(first["_id"])
    resolved = [event["subject"]["_id"] for event in await store.events.read_after(0, limit=100)
                if event["kind"] == "REPORT_RESOLVED"]
    assert resolved == [first["_id"], second["_id"]]


async def test_resolving_by_removing_the_author(store, clock, thread):
    group, _, post = thread
    filed = await report(store, clock, post)
    await reports.resolve_report(store=store, actor=OWNER, report_id=str(filed["_id"]),
                                    action=ReportAction.REMOVE_AUTHOR, note="Spammer",
                                    now=clock())
    assert await store.memberships.get(group_id=str(group["_id"]), user_id="troll") is None
    log = await moderation_log.entries(store=store, actor=OWNER, viewer_role=GroupRole.OWNER,
                                       group=group, page=PAGE)
    assert [entry["action"] for entry in log.items][:2] == ["RESOLVE_REPORT", "REMOVE_MEMBER"]


async def test_every_moderation_and_review_action_is_logged(store, clock, thread):
    group, discussion, post = thread
    gid = str(group["_id"])
    await moderation.hide_post(store=store, actor=OWNER, post_id=str(post["_id"]),
                               reason="Spam", now=clock())
    await moderation.restore_post(store=store, actor=CSS, post_id=str(post["_id"]),
                                  reason="Appeal", now=clock())
    await moderation.flag_discussion(store=store, actor=OWNER,
                                     discussion_id=str(discussion["_id"]), flag="locked",
                                     value=True, reason="Cooling off", now=clock())
    await moderation.flag_discussion(store=store, actor=OWNER,
                                     discussion_id=str(discussion["_id"]), flag="pinned",
                                     value=True, reason=None, now=clock())
    await membership.remove_member(store=store, actor=OWNER, group_id=gid, user_id="troll",
                                   reason="Spam", now=clock())
    await membership.set_member_role(store=store, actor=OWNER, group_id=gid, user_id="mia",
                                     role=GroupRole.MODERATOR, now=clock())
    await membership.set_group_featured(store=store, actor=CSS, group_id=gid, featured=True,
                                        now=clock(), keep_moderators=["mia"])
    with pytest.raises(Forbidden):
        await moderation_log.entries(store=store, actor=MEMBER, viewer_role=GroupRole.MEMBER,
                                     group=group, page=PAGE)
    log = await moderation_log.entries(store=store, actor=NSS_ES, viewer_role=None,
                                       group=group, page=PAGE)
    entries = [entry for entry in log.items]
    assert [entry["action"] for entry in entries] == [
        "FEATURE_GROUP", "SET_MEMBER_ROLE", "REMOVE_MEMBER", "PIN_DISCUSSION", "LOCK_DISCUSSION",
        "RESTORE_POST", "HIDE_POST", "APPROVE_GROUP",
    ]
    assert entries[1]["target_id"] == "mia" and entries[1]["reason"] == "MEMBER to MODERATOR"
    assert entries[2]["actor_id"] == "olga" and entries[2]["reason"] == "Spam"
    assert entries[2]["target_kind"] == "User" and entries[2]["target_id"] == "troll"


async def test_the_moderation_log_cannot_be_edited_or_deleted(store, clock, thread):
    *_, post = thread
    await moderation.hide_post(store=store, actor=OWNER, post_id=str(post["_id"]),
                               reason="Spam", now=clock())
    before = await store.db["moderation_log"].find().sort("_id", 1).to_list()
    # The store offers appending and reading only...
    public = {name for name in dir(ModerationLogStore) if not name.startswith("_")}
    assert public == {"append", "page", "ensure_indexes"}
    # ...and no mutation of the schema reaches the log except by appending.
    from schema import build_schema

    mutation_names = set(build_schema().as_str().split("type Mutation {")[1].split("}")[0]
                         .split())
    assert not {word for word in mutation_names if "log" in word.lower()}
    await moderation.restore_post(store=store, actor=OWNER, post_id=str(post["_id"]),
                                  reason="Fine", now=clock())
    after = await store.db["moderation_log"].find().sort("_id", 1).to_list()
    assert after[: len(before)] == before and len(after) == len(before) + 1


async def test_inactive_groups_follow_the_clock(store, clock):
    fresh = await active_group(store, clock(), OWNER, title="New and quiet")
    veteran = await active_group(store, clock() - timedelta(days=400), OWNER,
                                 title="Old and quiet")
    await store.groups.update_fields(group_id=veteran["_id"],
                                     fields={"last_activity_at": clock() - timedelta(days=40)})

    async def due():
        page = await moderation.inactive_groups(store=store, actor=CSS, page=PAGE, now=clock())
        return {item.group["title"]: (item.verdict.rule, item.verdict.days_inactive)
                for item in page.items}

    assert await due() == {}
    clock.advance(days=55)
    assert await due() == {"Old and quiet": (InactivityRule.EXISTING_GROUP, 95)}
    clock.advance(days=10)
    assert await due() == {"New and quiet": (InactivityRule.NEW_GROUP, 65),
                           "Old and quiet": (InactivityRule.EXISTING_GROUP, 105)}
    await oversight.exempt_from_inactivity(store=store, actor=CSS, group_id=str(fresh["_id"]),
                                           until=clock() + timedelta(days=30),
                                           reason="Summer break", now=clock())
    assert list(await due()) == ["Old and quiet"]
    page = await moderation.inactive_groups(store=store, actor=NSS_FR, page=PAGE, now=clock())
    assert page.items == []
    with pytest.raises(Forbidden):
        await moderation.inactive_groups(store=store, actor=MEMBER, page=PAGE, now=clock())


async def test_activity_resets_the_inactivity_clock(store, clock):
    group = await active_group(store, clock(), OWNER)
    clock.advance(days=59)
    await membership.join_group(store=store, actor=MEMBER, group_id=str(group["_id"]),
                                now=clock())
    clock.advance(days=30)
    page = await moderation.inactive_groups(store=store, actor=CSS, page=PAGE, now=clock())
    assert page.items == []


async def test_concurrent_sweeps_flag_each_group_once_per_period(store, clock):
    for n in range(5):
        await active_group(store, clock(), actor(f"owner{n}"), title=f"Quiet group {n}")
    clock.advance(days=70)
    reports = await asyncio.gather(*(
        moderation.sweep_inactivity(store=store, now=clock(), batch=2) for _ in range(3)
    ))
    assert all(report.due == 5 for report in reports)
    assert sum(report.flagged for report in reports) == 5
    again = await moderation.sweep_inactivity(store=store, now=clock())
    assert (again.due, again.flagged) == (5, 0)
    clock.advance(days=7)
    next_week = await moderation.sweep_inactivity(store=store, now=clock())
    assert next_week.flagged == 5
    flags = await store.db["moderation_log"].count_documents({"action": "FLAG_INACTIVE"})
    assert flags == 10


async def test_closing_is_logged_with_its_reason(store, clock):
    group = await active_group(store, clock(), OWNER)
    await groups.transition_group(store=store, actor=OWNER, group_id=str(group["_id"]),
                                  action=GroupAction.CLOSE, message="Project over",
                                  now=clock())
    log = await moderation_log.entries(store=store, actor=CSS, viewer_role=None, group=group,
                                       page=PAGE)
    newest = log.items[0]
    assert (newest["action"], newest["reason"]) == ("CLOSE_GROUP", "Project over")


async def test_racing_resolutions_have_exactly_one_effect(store, clock, thread):
    group, _, post = thread
    filed = await report(store, clock, post)
    outcomes = await asyncio.gather(*(
        reports.resolve_report(store=store, actor=CSS, report_id=str(filed["_id"]),
                                  action=action, note=None, now=clock())
        for action in (ReportAction.DISMISS, ReportAction.HIDE_POST, ReportAction.REMOVE_AUTHOR)
    ), return_exceptions=True)
    won = [outcome for outcome in outcomes if isinstance(outcome, dict)]
    assert len(won) == 1
    assert all(isinstance(outcome, InvalidTransition) for outcome in outcomes if outcome
               not in won)
    action = won[0]["resolution"]["action"]
    stored = await store.posts.get(post_id=str(post["_id"]))
    troll_role = await membership.role_of(store, group, TROLL.id)
    assert (stored["hidden"] is not None) == (action == "HIDE_POST")
    assert (troll_role is None) == (action == "REMOVE_AUTHOR")
