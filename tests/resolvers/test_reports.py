"""Reports on discussions, pages and groups: the same reasons and resolution flow as posts."""

import pytest

from resolvers import content, discussions, groups, membership, reports
from resolvers.domain.actors import Role
from resolvers.domain.content import PageKind
from resolvers.domain.errors import Forbidden, NotFound, ValidationFailed
from resolvers.domain.groups import Participation
from resolvers.domain.membership import GroupRole
from resolvers.domain.paging import PageRequest
from resolvers.domain.rate_limits import RateLimits
from resolvers.domain.reports import ReportAction, ReportReason, ReportTarget
from tests.conftest import actor
from tests.support import active_group

OWNER = actor("olga", country="ES")
MEMBER = actor("mia", country="ES")
TROLL = actor("troll", country="ES")
STRANGER = actor("tom", country="ES")
CSS = actor("carla", Role.CSS, country=None)
NSS_ES = actor("nuria", Role.NSS, country="ES")
LIMITS = RateLimits({})
PAGE = PageRequest(first=100, after=None, default_size=20, max_size=100)


@pytest.fixture
async def group(store, clock):
    """An active group with a member and a troll."""
    group = await active_group(store, clock(), OWNER)
    gid = str(group["_id"])
    for person in (MEMBER, TROLL):
        await membership.join_group(store=store, actor=person, group_id=gid, now=clock())
    return group


async def _file(store, clock, target, target_id, who=MEMBER, reason=ReportReason.OFFENSIVE):
    return await reports.file_report(store=store, actor=who, target=target,
                                     target_id=str(target_id), reason=reason, note=None,
                                     now=clock(), limits=LIMITS)


async def _resolve(store, clock, report, action, who=CSS):
    return await reports.resolve_report(store=store, actor=who, report_id=str(report["_id"]),
                                        action=action, note="Against the netiquette",
                                        now=clock())


async def _listed(store, who):
    page = await reports.list_reports(store=store, actor=who, status=None, group_id=None,
                                      page=PAGE)
    return [doc["target_kind"] for doc in page.items]


async def test_a_discussion_report_locks_it_and_answers_the_others(store, clock, group):
    thread = await discussions.start_discussion(
        store=store, actor=TROLL, group_id=str(group["_id"]), title="Flame war", body="!!",
        now=clock(), limits=LIMITS)
    first = await _file(store, clock, ReportTarget.DISCUSSION, thread["_id"])
    second = await _file(store, clock, ReportTarget.DISCUSSION, thread["_id"], who=OWNER)
    with pytest.raises(ValidationFailed):  # one open report per user and object
        await _file(store, clock, ReportTarget.DISCUSSION, thread["_id"])
    with pytest.raises(ValidationFailed):  # posts are hidden; discussions locked
        await _resolve(store, clock, first, ReportAction.HIDE_POST, who=OWNER)
    await _resolve(store, clock, first, ReportAction.LOCK_DISCUSSION, who=OWNER)
    assert (await store.discussions.get(discussion_id=str(thread["_id"])))["locked"] is True
    other = await store.reports.get(report_id=str(second["_id"]))
    assert other["status"] == "RESOLVED"


async def test_a_page_report_removes_the_page_or_its_author(store, clock, group):
    gid = str(group["_id"])
    await membership.set_member_role(store=store, actor=OWNER, group_id=gid, user_id="troll",
                                     role=GroupRole.MODERATOR, now=clock())
    page = await content.add_page(store=store, actor=TROLL, group_id=gid, title="Ads",
                                  body="Buy", kind=PageKind.PAGE, position=None, now=clock())
    report = await _file(store, clock, ReportTarget.PAGE, page.doc["_id"])
    assert report["target_author_id"] == "troll"
    await _resolve(store, clock, report, ReportAction.REMOVE_PAGE, who=NSS_ES)
    assert await store.pages.get(page_id=str(page.doc["_id"])) is None
    again = await content.add_page(store=store, actor=TROLL, group_id=gid, title="More ads",
                                   body="Buy", kind=PageKind.PAGE, position=None, now=clock())
    report = await _file(store, clock, ReportTarget.PAGE, again.doc["_id"])
    await _resolve(store, clock, report, ReportAction.REMOVE_AUTHOR)
    assert await membership.role_of(store, group, "troll") is None


async def test_a_group_report_goes_to_the_support_services_alone(store, clock, group):
    gid = str(group["_id"])
    report = await _file(store, clock, ReportTarget.GROUP, gid, who=STRANGER,
                         reason=ReportReason.COMMERCIAL)
    assert report["target_author_id"] is None
    assert await _listed(store, OWNER) == []
    assert await _listed(store, NSS_ES) == ["Group"]
    with pytest.raises(Forbidden):
        await _resolve(store, clock, report, ReportAction.DISMISS, who=OWNER)
    with pytest.raises(ValidationFailed):
        await _resolve(store, clock, report, ReportAction.REMOVE_AUTHOR, who=NSS_ES)
    await _resolve(store, clock, report, ReportAction.CLOSE_GROUP, who=NSS_ES)
    closed = await groups.existing_group(store, gid)
    assert (closed["status"], closed["review"]["history"][-1]["message"]) == (
        "CLOSED", "Against the netiquette")


async def test_only_what_the_reporter_may_see_can_be_reported(store, clock):
    hidden = await active_group(store, clock(), OWNER, title="A private group",
                                participation=Participation.INVITE_ONLY)
    page = await content.add_page(store=store, actor=OWNER, group_id=str(hidden["_id"]),
                                  title="Plan", body="", kind=PageKind.WORK_PLAN,
                                  position=None, now=clock())
    for target, ident in ((ReportTarget.PAGE, page.doc["_id"]),
                          (ReportTarget.DISCUSSION, "0" * 24), (ReportTarget.GROUP, "nope")):
        with pytest.raises(NotFound):
            await _file(store, clock, target, ident, who=STRANGER)
    assert await _listed(store, CSS) == []
