"""What the support services decide reaches, live, those who may see it: an advisor's feed,
a group's owner, and the services between themselves."""

from datetime import UTC, datetime, timedelta

import pytest

from resolvers import groups, moderation, oversight, reports
from resolvers.domain.actors import Role
from resolvers.domain.reports import ReportReason, ReportTarget
from tests.conftest import actor
from tests.live.world import CSS, LIMITS, MAX, MIA, NSS_ES, NSS_FR, OLGA, TOM, listen
from tests.support import group_form

pytestmark = pytest.mark.e2e

ADA = actor("ada", Role.CSS, country=None)
FEED = """subscription($advised: Boolean!) { moderationFeed(advisedOnly: $advised) {
  kind message subject { ... on Group { title inactivityExemption { reason } } } } }"""
ACTIVITY = """subscription($g: ID!) { groupActivity(groupId: $g) {
  kind subject { ... on Group { inactivityExemption { reason } } ... on Post { body } } } }"""


def _seen(events):
    return [(event["kind"], event["subject"].get("title") or event["message"])
            for event in events]


async def test_an_advisor_follows_their_groups_and_the_owner_sees_exemptions(
    servers, tokens, world
):
    now = datetime.now(UTC)
    await world.store.users.record(actor=ADA, now=now)
    await oversight.assign_advisor(store=world.store, actor=CSS,
                                   group_id=str(world.open["_id"]), advisor_id="ada", now=now)
    ada = await listen(servers, tokens, ADA, FEED, advised=True)
    olga = await listen(servers, tokens, OLGA, ACTIVITY, g=world.gid(world.open))
    mia = await listen(servers, tokens, MIA, ACTIVITY, g=world.gid(world.open))
    for group in (world.closed, world.open):
        await oversight.exempt_from_inactivity(
            store=world.store, actor=NSS_ES, group_id=str(group["_id"]),
            until=now + timedelta(days=30), reason=f"Summer for {group['title']}", now=now)
    await world.post(world.open_thread, "Sentinel")

    assert _seen(await ada.events(1)) == [("INACTIVITY_EXEMPTION_GRANTED", "Open group")]
    assert [(e["kind"], e["subject"]) for e in await olga.events(2)] == [
        ("INACTIVITY_EXEMPTION_GRANTED",
         {"inactivityExemption": {"reason": "Summer for Open group"}}),
        ("POST_ADDED", {"body": "Sentinel"})]
    assert [e["kind"] for e in await mia.events(1)] == ["POST_ADDED"]
    for client in (ada, olga, mia):
        await client.silence(0.3)
        await client.close()


async def test_featuring_proposals_stay_between_the_support_services(servers, tokens, world):
    feeds = {person.id: await listen(servers, tokens, person, FEED, advised=False)
             for person in (CSS, NSS_ES, NSS_FR, MAX)}
    now = datetime.now(UTC)
    candidate = await oversight.propose_for_featuring(
        store=world.store, actor=NSS_ES, group_id=str(world.open["_id"]),
        reason="Lively", now=now)
    await oversight.decide_featuring(store=world.store, actor=CSS,
                                     candidate_id=str(candidate["_id"]), accept=False,
                                     note="Not yet", keep_moderators=[], now=now)
    rude = await world.post(world.open_thread, "Rude words", who=MIA)
    await moderation.hide_post(store=world.store, actor=OLGA, post_id=str(rude["_id"]),
                               reason="Rude", now=now)
    await groups.create_group(store=world.store, actor=actor("fred", country="FR"),
                              form=group_form(title="Groupe français"), now=now,
                              similar_recorded=0)

    decided = [("FEATURING_PROPOSED", "Open group"), ("FEATURING_DECIDED", "Open group"),
               ("POST_HIDDEN", None)]
    assert _seen(await feeds["carla"].events(4)) == [
        *decided, ("GROUP_STATUS_CHANGED", "Groupe français")]
    assert _seen(await feeds["nuria"].events(3)) == decided
    assert _seen(await feeds["francois"].events(1)) == [
        ("GROUP_STATUS_CHANGED", "Groupe français")]
    assert _seen(await feeds["max"].events(1)) == [("POST_HIDDEN", None)]
    for feed in feeds.values():
        await feed.silence(0.3)
        await feed.close()


async def test_a_report_on_a_group_reaches_the_support_services_not_its_leaders(
    servers, tokens, world
):
    feeds = {person.id: await listen(servers, tokens, person, FEED, advised=False)
             for person in (NSS_ES, OLGA)}
    now = datetime.now(UTC)
    await reports.file_report(store=world.store, actor=TOM, target=ReportTarget.GROUP,
                              target_id=str(world.open["_id"]), reason=ReportReason.SPAM,
                              note=None, now=now, limits=LIMITS)
    post = await world.post(world.open_thread, "Cheap pills", who=MIA)
    await reports.report_post(store=world.store, actor=TOM, post_id=str(post["_id"]),
                              reason=ReportReason.SPAM, note=None, now=now, limits=LIMITS)

    assert [e["kind"] for e in await feeds["nuria"].events(2)] == ["REPORT_FILED"] * 2
    assert [e["kind"] for e in await feeds["olga"].events(1)] == ["REPORT_FILED"]
    for feed in feeds.values():
        await feed.silence(0.3)
        await feed.close()
