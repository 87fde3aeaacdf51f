"""Notifications made from the log's events: once each, to whom they concern, shown as the
reader may see them now."""

import asyncio

from resolvers import discussions, groups, membership, moderation, notifications
from resolvers.domain.actors import Role
from resolvers.domain.groups import GroupAction
from resolvers.domain.membership import GroupRole
from resolvers.domain.notifications import (
    NotificationKind,
    NotifyLevel,
    notification_of,
    notified_event,
    position_of,
)
from resolvers.domain.paging import PageRequest
from resolvers.domain.rate_limits import RateLimits
from tests.conftest import actor
from tests.support import active_group, group_form

OLGA, MIA = actor("olga", country="ES"), actor("mia", country="ES")
CSS = actor("carla", Role.CSS, country=None)
LIMITS = RateLimits({})
PAGE = PageRequest(first=50, after=None, default_size=20, max_size=100)


async def _notify_all(store, *, again: bool = False) -> int:
    """What the notifier does: each event since its place (or all, `again`), once."""
    after = 0 if again else (await store.positions.get("notifier") or 0)
    events = await store.events.read_after(after, limit=1000)
    made = sum([await notifications.notify(store, event) for event in events])
    if events:
        await store.positions.advance("notifier", seq=int(events[-1]["_id"]))
    return made


async def _kinds(store, who, unread_only=False):
    page = await notifications.list_notifications(store=store, actor=who,
                                                  unread_only=unread_only, page=PAGE)
    return [item.doc["kind"] for item in page.items]


async def test_a_proposer_hears_of_the_decision_once(store, clock):
    proposal = await groups.create_group(store=store, actor=OLGA, form=group_form(),
                                         now=clock(), similar_recorded=0)
    await groups.transition_group(store=store, actor=CSS, group_id=str(proposal["_id"]),
                                  action=GroupAction.APPROVE, message="Welcome", now=clock())
    assert await _notify_all(store) == 1
    assert await _notify_all(store, again=True) == 0  # however often the log is read again
    assert await _kinds(store, OLGA) == ["PROPOSAL_APPROVED"]
    assert await _kinds(store, CSS) == []


async def test_a_reply_and_a_role_reach_their_member_and_read_marks_them(store, clock):
    group = await active_group(store, clock(), OLGA)
    gid = str(group["_id"])
    await membership.join_group(store=store, actor=MIA, group_id=gid, now=clock())
    thread = await discussions.start_discussion(store=store, actor=MIA, group_id=gid,
                                                title="Ideas", body="Mine", now=clock(),
                                                limits=LIMITS)
    first = await discussions.add_post(
        store=store, actor=MIA, discussion_id=str(thread["_id"]), body="More of mine",
        reply_to_id=None, client_mutation_id=None, now=clock(), limits=LIMITS)
    await discussions.add_post(store=store, actor=OLGA, discussion_id=str(thread["_id"]),
                               body="A reply", reply_to_id=str(first["_id"]),
                               client_mutation_id=None, now=clock(), limits=LIMITS)
    await membership.set_member_role(store=store, actor=OLGA, group_id=gid, user_id="mia",
                                     role=GroupRole.MODERATOR, now=clock())
    await _notify_all(store)
    assert await _kinds(store, MIA) == ["ROLE_CHANGED", "REPLY"]
    assert await notifications.unread_count(store=store, actor=MIA) == 2
    page = await notifications.list_notifications(store=store, actor=MIA, unread_only=True,
                                                  page=PAGE)
    assert page.items[1].event["subject"]["body"] == "A reply"
    older = position_of(page.items[1].doc)
    assert await notifications.mark_read(store=store, actor=MIA, up_to=older, ids=None) == 1
    assert await _kinds(store, MIA, unread_only=True) == ["ROLE_CHANGED"]
    assert await notifications.mark_read(store=store, actor=MIA, up_to=None,
                                         ids=[page.items[0].doc["_id"]]) == 1
    assert await notifications.unread_count(store=store, actor=MIA) == 0


async def test_a_reply_hidden_since_shows_nothing(store, clock):
    group = await active_group(store, clock(), OLGA)
    gid = str(group["_id"])
    await membership.join_group(store=store, actor=MIA, group_id=gid, now=clock())
    thread = await discussions.start_discussion(store=store, actor=MIA, group_id=gid,
                                                title="Ideas", body="Mine", now=clock(),
                                                limits=LIMITS)
    first = await discussions.add_post(
        store=store, actor=MIA, discussion_id=str(thread["_id"]), body="More of mine",
        reply_to_id=None, client_mutation_id=None, now=clock(), limits=LIMITS)
    reply = await discussions.add_post(
        store=store, actor=OLGA, discussion_id=str(thread["_id"]), body="Rude words",
        reply_to_id=str(first["_id"]), client_mutation_id=None, now=clock(), limits=LIMITS)
    await _notify_all(store)
    await moderation.hide_post(store=store, actor=CSS, post_id=str(reply["_id"]),
                               reason="Rude", now=clock())
    page = await notifications.list_notifications(store=store, actor=MIA, unread_only=False,
                                                  page=PAGE)
    (shown,) = page.items
    assert shown.doc["kind"] == "REPLY"
    assert shown.event is None


async def test_an_invitation_and_its_answer_notify_invitee_and_inviter(store, clock):
    group = await active_group(store, clock(), OLGA)
    await store.users.record(actor=MIA, now=clock())
    invitation = await membership.invite_member(store=store, actor=OLGA,
                                                group_id=str(group["_id"]), user_id="mia",
                                                now=clock())
    await membership.respond_to_invitation(store=store, actor=MIA,
                                           invitation_id=invitation["_id"], accept=False,
                                           now=clock())
    await _notify_all(store)
    assert await _kinds(store, MIA) == ["INVITED"]
    page = await notifications.list_notifications(store=store, actor=OLGA, unread_only=False,
                                                  page=PAGE)
    answered, approved = page.items  # newest first
    assert (answered.doc["kind"], approved.doc["kind"]) == ("INVITATION_ANSWERED",
                                                            "PROPOSAL_APPROVED")
    assert answered.event["to_status"] == "DECLINED"


async def test_followers_and_watchers_hear_of_new_posts_and_muters_do_not(store, clock):
    group = await active_group(store, clock(), OLGA)
    gid = str(group["_id"])
    tom, ana, zoe = actor("tom"), actor("ana"), actor("zoe")
    for person in (MIA, tom, ana, zoe):
        await membership.join_group(store=store, actor=person, group_id=gid, now=clock())
    await notifications.set_notify_level(store=store, actor=tom, group_id=gid,
                                         level=NotifyLevel.ALL, now=clock())
    await notifications.set_notify_level(store=store, actor=zoe, group_id=gid,
                                         level=NotifyLevel.NONE, now=clock())
    thread = await discussions.start_discussion(store=store, actor=MIA, group_id=gid,
                                                title="Ideas", body="Mine", now=clock(),
                                                limits=LIMITS)
    await _notify_all(store)
    tid = str(thread["_id"])
    for who, muted in ((ana, True), (zoe, False)):
        await notifications.follow_discussion(store=store, actor=who, discussion_id=tid,
                                              muted=muted, now=clock())
    await discussions.add_post(store=store, actor=OLGA, discussion_id=tid, body="Welcome",
                               reply_to_id=None, client_mutation_id=None, now=clock(),
                               limits=LIMITS)
    await _notify_all(store)
    heard = {who.id: await _kinds(store, who) for who in (MIA, tom, ana, zoe)}
    # Tom watches every post of the group: Mia's opening one too.
    assert heard == {"mia": ["NEW_POST"], "tom": ["NEW_POST", "NEW_POST"], "ana": [],
                     "zoe": []}
    assert "NEW_POST" not in await _kinds(store, OLGA)  # its author follows, and is not told


async def test_a_mention_tells_a_member_and_no_one_else(store, clock):
    group = await active_group(store, clock(), OLGA)
    gid = str(group["_id"])
    outsider = actor("ola")
    for person in (OLGA, MIA, outsider):
        await store.users.record(actor=person, now=clock())
    await membership.join_group(store=store, actor=MIA, group_id=gid, now=clock())
    assert (await store.users.get(user_id="mia"))["handle"] == "mia"
    await discussions.start_discussion(
        store=store, actor=OLGA, group_id=gid, title="Ideas",
        body="What do you think, @mia? And @ola, @nobody?", now=clock(), limits=LIMITS)
    await _notify_all(store)
    assert await _kinds(store, MIA) == ["MENTION"]
    assert await _kinds(store, outsider) == []


async def test_a_thousand_followers_are_told_once_each_whoever_told_some_first(store, clock):
    """Two notifiers on one event: what one stored, the other does not store again, and it
    stores the rest (a few hundred a command)."""
    group = await active_group(store, clock(), OLGA)
    thread = await discussions.start_discussion(
        store=store, actor=OLGA, group_id=str(group["_id"]), title="Fractions",
        body="Ideas?", now=clock(), limits=LIMITS)
    await _notify_all(store)
    followers = [actor(f"follower{n}") for n in range(1000)]
    for start in range(0, len(followers), 50):
        await asyncio.gather(*(notifications.follow_discussion(
            store=store, actor=follower, discussion_id=str(thread["_id"]), muted=False,
            now=clock()) for follower in followers[start:start + 50]))
    await discussions.add_post(store=store, actor=OLGA, discussion_id=str(thread["_id"]),
                               body="A new idea", reply_to_id=None, client_mutation_id=None,
                               now=clock(), limits=LIMITS)
    *_, event = await store.events.read_after(await store.positions.get("notifier"),
                                              limit=2000)  # the follows', then the post's
    assert event["kind"] == "POST_ADDED"
    some = [notification_of(event, follower.id, NotificationKind.NEW_POST)
            for follower in followers[::3]]
    assert await store.notifications.add(event=notified_event(event), docs=some) == len(some)
    assert await notifications.notify(store, event) == 1000 - len(some)  # never Olga, its author
    assert await _kinds(store, followers[-1]) == ["NEW_POST"]
