"""Advisors, exemptions from the inactivity watch and candidates for featuring, against the
embedded server."""

from datetime import timedelta

import pytest

from resolvers import groups, membership, moderation, moderation_log, oversight
from resolvers.domain.actors import Role
from resolvers.domain.errors import Forbidden, InvalidTransition, ValidationFailed
from resolvers.domain.groups import GroupAction
from resolvers.domain.membership import GroupRole
from resolvers.domain.oversight import FeaturingStatus, current_exemption
from resolvers.domain.paging import PageRequest
from tests.conftest import actor
from tests.support import active_group

OWNER = actor("olga", country="ES")
MEMBER = actor("mia", country="ES")
CSS = actor("carla", Role.CSS, country=None)
ADVISOR = actor("ada", Role.CSS, country=None)
NSS_ES = actor("nuria", Role.NSS, country="ES")
NSS_FR = actor("francois", Role.NSS, country="FR")
PAGE = PageRequest(first=100, after=None, default_size=20, max_size=100)


@pytest.fixture
async def group(store, clock):
    for person in (OWNER, MEMBER, CSS, ADVISOR, NSS_ES):
        await store.users.record(actor=person, now=clock())
    return await active_group(store, clock(), OWNER)


async def _kinds(store) -> list[str]:
    return [event["kind"] for event in await store.events.read_after(0, limit=1000)]


async def _log(store, group) -> list[tuple[str, str | None]]:
    page = await moderation_log.entries(store=store, actor=CSS, viewer_role=None, group=group,
                                        page=PAGE)
    return [(entry["action"], entry["reason"]) for entry in page.items]


async def _due_titles(store, clock, **options) -> list[str]:
    page = await moderation.inactive_groups(store=store, page=PAGE, now=clock(), **options)
    return [item.group["title"] for item in page.items]


async def test_the_nss_of_the_country_exempts_and_ends_the_exemption(store, clock, group):
    gid = str(group["_id"])
    clock.advance(days=70)
    assert await _due_titles(store, clock, actor=CSS) == [group["title"]]
    exempt = await oversight.exempt_from_inactivity(
        store=store, actor=NSS_ES, group_id=gid, until=clock() + timedelta(days=30),
        reason="Summer break", now=clock())
    assert current_exemption(exempt, clock()) == {
        "until": clock() + timedelta(days=30), "reason": "Summer break", "by_id": "nuria",
        "by_name": "Nuria", "at": clock()}
    assert await _due_titles(store, clock, actor=CSS) == []
    ended = await oversight.end_inactivity_exemption(store=store, actor=CSS, group_id=gid,
                                                     reason="Back to school", now=clock())
    assert current_exemption(ended, clock()) is None
    assert await _due_titles(store, clock, actor=CSS) == [group["title"]]
    assert (await _kinds(store))[-2:] == ["INACTIVITY_EXEMPTION_GRANTED",
                                          "INACTIVITY_EXEMPTION_ENDED"]
    assert (await _log(store, group))[:2] == [
        ("END_INACTIVITY_EXEMPTION", "Back to school"),
        ("EXEMPT_FROM_INACTIVITY", f"until {(clock() + timedelta(days=30)).date()}: "
                                   "Summer break")]


async def test_only_the_groups_overseers_exempt_active_groups(store, clock, group):
    gid = str(group["_id"])
    until = clock() + timedelta(days=3)
    for outsider in (NSS_FR, OWNER, MEMBER):
        with pytest.raises(Forbidden):
            await oversight.exempt_from_inactivity(store=store, actor=outsider, group_id=gid,
                                                   until=until, reason="Please", now=clock())
    with pytest.raises(ValidationFailed):
        await oversight.exempt_from_inactivity(store=store, actor=CSS, group_id=gid,
                                               until=clock() - timedelta(days=3),
                                               reason="Past", now=clock())
    with pytest.raises(InvalidTransition):  # there is none to end
        await oversight.end_inactivity_exemption(store=store, actor=CSS, group_id=gid,
                                                 reason="Done", now=clock())
    await groups.transition_group(store=store, actor=OWNER, group_id=gid,
                                  action=GroupAction.CLOSE, message="Done", now=clock())
    with pytest.raises(InvalidTransition):
        await oversight.exempt_from_inactivity(store=store, actor=CSS, group_id=gid,
                                               until=until, reason="Please", now=clock())


async def test_an_advisor_follows_the_groups_they_advise(store, clock, group):
    gid = str(group["_id"])
    other = await active_group(store, clock(), OWNER, title="Another quiet group")
    changed = await oversight.assign_advisor(store=store, actor=CSS, group_id=gid,
                                             advisor_id="ada", now=clock())
    assert changed["advisor_id"] == "ada"
    advised = await oversight.advised_groups(store=store, actor=ADVISOR, page=PAGE)
    assert [doc["_id"] for doc in advised.items] == [group["_id"]]
    clock.advance(days=70)
    assert await _due_titles(store, clock, actor=ADVISOR, advised_only=True) == [group["title"]]
    assert len(await _due_titles(store, clock, actor=ADVISOR)) == 2
    await oversight.assign_advisor(store=store, actor=CSS, group_id=str(other["_id"]),
                                   advisor_id="ada", now=clock())
    await oversight.assign_advisor(store=store, actor=CSS, group_id=gid, advisor_id="carla",
                                   now=clock())
    assert await _due_titles(store, clock, actor=ADVISOR, advised_only=True) == [
        "Another quiet group"]
    assert (await _log(store, group))[0] == ("ASSIGN_ADVISOR", "advisor: Carla")
    assert (await _kinds(store)).count("ADVISOR_ASSIGNED") == 3


async def test_only_the_css_assigns_and_only_css_users_advise(store, clock, group):
    gid = str(group["_id"])
    for outsider in (NSS_ES, OWNER):
        with pytest.raises(Forbidden):
            await oversight.assign_advisor(store=store, actor=outsider, group_id=gid,
                                           advisor_id="ada", now=clock())
    for not_css in ("nuria", "mia", "nobody"):
        with pytest.raises(ValidationFailed):
            await oversight.assign_advisor(store=store, actor=CSS, group_id=gid,
                                           advisor_id=not_css, now=clock())
    with pytest.raises(Forbidden):
        await oversight.advised_groups(store=store, actor=NSS_ES, page=PAGE)


async def test_the_nss_propose_and_the_css_accepts(store, clock, group):
    gid = str(group["_id"])
    await membership.join_group(store=store, actor=MEMBER, group_id=gid, now=clock())
    await membership.set_member_role(store=store, actor=OWNER, group_id=gid, user_id="mia",
                                     role=GroupRole.MODERATOR, now=clock())
    candidate = await oversight.propose_for_featuring(
        store=store, actor=NSS_ES, group_id=gid, reason="200 active members", now=clock())
    assert candidate["status"] == FeaturingStatus.PROPOSED
    with pytest.raises(InvalidTransition):  # one proposal awaits the CSS at a time
        await oversight.propose_for_featuring(store=store, actor=NSS_ES, group_id=gid,
                                              reason="Again", now=clock())
    listed = await oversight.featuring_candidates(store=store, actor=NSS_ES, status=None,
                                                  page=PAGE)
    assert [doc["_id"] for doc in listed.items] == [candidate["_id"]]
    assert (await oversight.featuring_candidates(store=store, actor=NSS_FR, status=None,
                                                 page=PAGE)).items == []
    decided = await oversight.decide_featuring(
        store=store, actor=CSS, candidate_id=str(candidate["_id"]), accept=True,
        note="A fine group", keep_moderators=["mia"], now=clock())
    assert decided["status"] == FeaturingStatus.ACCEPTED
    assert decided["decision"]["note"] == "A fine group"
    featured = await groups.existing_group(store, gid)
    assert featured["featured"] is True
    assert await membership.role_of(store, featured, "mia") is GroupRole.MODERATOR
    with pytest.raises(InvalidTransition):
        await oversight.decide_featuring(store=store, actor=CSS,
                                         candidate_id=str(candidate["_id"]), accept=False,
                                         note=None, keep_moderators=[], now=clock())
    assert "FEATURING_PROPOSED" in await _kinds(store)
    assert "FEATURING_DECIDED" in await _kinds(store)


async def test_a_declined_candidate_may_be_proposed_again(store, clock, group):
    gid = str(group["_id"])
    candidate = await oversight.propose_for_featuring(
        store=store, actor=NSS_ES, group_id=gid, reason="Lively", now=clock())
    declined = await oversight.decide_featuring(
        store=store, actor=CSS, candidate_id=str(candidate["_id"]), accept=False,
        note="Not yet", keep_moderators=[], now=clock())
    assert declined["status"] == FeaturingStatus.DECLINED
    assert not (await groups.existing_group(store, gid)).get("featured")
    again = await oversight.propose_for_featuring(store=store, actor=NSS_ES, group_id=gid,
                                                  reason="Livelier", now=clock())
    assert again["status"] == FeaturingStatus.PROPOSED


async def test_bad_decisions_change_nothing(store, clock, group):
    gid = str(group["_id"])
    for outsider in (NSS_FR, CSS, OWNER):
        with pytest.raises(Forbidden):
            await oversight.propose_for_featuring(store=store, actor=outsider, group_id=gid,
                                                  reason="Lively", now=clock())
    candidate = await oversight.propose_for_featuring(
        store=store, actor=NSS_ES, group_id=gid, reason="Lively", now=clock())
    with pytest.raises(Forbidden):
        await oversight.decide_featuring(store=store, actor=NSS_ES,
                                         candidate_id=str(candidate["_id"]), accept=True,
                                         note=None, keep_moderators=[], now=clock())
    with pytest.raises(ValidationFailed):  # not a moderator of the group
        await oversight.decide_featuring(store=store, actor=CSS,
                                         candidate_id=str(candidate["_id"]), accept=True,
                                         note=None, keep_moderators=["mia"], now=clock())
    listed = await oversight.featuring_candidates(
        store=store, actor=CSS, status=FeaturingStatus.PROPOSED, page=PAGE)
    assert [doc["_id"] for doc in listed.items] == [candidate["_id"]]
    assert not (await groups.existing_group(store, gid)).get("featured")


async def test_an_end_without_a_time_zone_is_taken_as_utc(store, clock, group):
    until = (clock() + timedelta(days=3)).replace(tzinfo=None)
    exempt = await oversight.exempt_from_inactivity(store=store, actor=CSS,
                                                    group_id=str(group["_id"]), until=until,
                                                    reason="Exams", now=clock())
    assert current_exemption(exempt, clock())["until"] == clock() + timedelta(days=3)
