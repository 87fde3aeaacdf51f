"""Authorization on every event, and the WebSocket's close codes, against a real server.

Each test follows a refused event with an allowed one (a sentinel): receiving the sentinel
first proves the refused event was not delivered, without waiting on a clock.
"""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
import websockets
from strawberry.relay import to_base64

from resolvers import content, discussions, groups, membership, moderation, reports
from resolvers.domain.content import PageKind
from resolvers.domain.groups import GroupAction
from resolvers.domain.membership import GroupRole
from resolvers.domain.reports import ReportReason
from tests.acceptance.server import running_server
from tests.conftest import actor
from tests.live.client import PROTOCOL
from tests.live.conftest import server_env
from tests.live.world import CSS, LIMITS, MAX, MIA, NSS_ES, NSS_FR, OLGA, TOM, listen
from tests.support import group_form

pytestmark = pytest.mark.e2e

ACTIVITY = """subscription($g: ID!) { groupActivity(groupId: $g) {
  kind subject { ... on Post { body } ... on MembershipChange { role } } } }"""
POSTS = """subscription($g: ID!) { postAdded(groupId: $g) {
  kind subject { ... on Post { body } } } }"""
FEED = """subscription { moderationFeed { kind groupId
  subject { ... on Report { reason } ... on Group { title status } ... on Post { body } } } }"""
STATUS = """subscription { groupStatusChanged {
  kind subject { ... on Group { title status } } } }"""


async def refused(servers, tokens, person, query, **variables) -> str:
    client = await listen(servers, tokens, person, query, **variables)
    message = await client.message()
    await client.close()
    assert message["type"] in ("next", "error"), message
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    return str(errors[0]["extensions"]["code"])


async def test_group_activity_is_for_members_and_hides_hidden_posts(servers, tokens, world):
    assert await refused(servers, tokens, TOM, ACTIVITY, g=world.gid(world.closed)) == (
        "FORBIDDEN")
    mia = await listen(servers, tokens, MIA, ACTIVITY, g=world.gid(world.closed))
    olga = await listen(servers, tokens, OLGA, ACTIVITY, g=world.gid(world.closed))
    rude = await world.post(world.closed_thread, "Rude words", who=MIA)
    assert [(e["kind"], e["subject"]["body"]) for e in await mia.events(1)] == [
        ("POST_ADDED", "Rude words")]
    await moderation.hide_post(store=world.store, actor=OLGA, post_id=str(rude["_id"]),
                               reason="Rude", now=datetime.now(UTC))
    await world.post(world.closed_thread, "Sentinel")
    assert [(e["kind"], e["subject"]["body"]) for e in await olga.events(3)] == [
        ("POST_ADDED", "Rude words"), ("POST_HIDDEN", "Rude words"), ("POST_ADDED", "Sentinel")]
    # Mia's client is told to take the post down, and is told nothing else of it.
    assert [(e["kind"], e["subject"]["body"]) for e in await mia.events(2)] == [
        ("POST_HIDDEN", None), ("POST_ADDED", "Sentinel")]
    await mia.close()
    await olga.close()


REPLAY = """subscription($g: ID!, $after: String) { groupActivity(groupId: $g, after: $after) {
  kind cursor subject { ... on Post { id body author { name } versions { body } } } } }"""


async def test_a_replay_shows_posts_as_they_stand_now(servers, tokens, world):
    """Resuming from before a post was edited, hidden or deleted shows a member only what they
    may read now; moderators still see what happened."""
    mia = await listen(servers, tokens, MIA, REPLAY, g=world.gid(world.closed))
    first = await world.post(world.closed_thread, "First", who=MIA)
    (start,) = await mia.events(1)
    await mia.close()
    now = datetime.now(UTC)
    edited = await world.post(world.closed_thread, "Draft with a typo", who=MIA)
    await discussions.edit_post(store=world.store, actor=MIA, post_id=str(edited["_id"]),
                                body="Clean text", now=now, limits=LIMITS)
    hidden = await world.post(world.closed_thread, "Pupil's full name", who=MIA)
    await moderation.hide_post(store=world.store, actor=OLGA, post_id=str(hidden["_id"]),
                               reason="Privacy", now=now)
    await discussions.delete_post(store=world.store, actor=MIA, post_id=str(first["_id"]),
                                  now=now)
    await world.post(world.closed_thread, "Sentinel")
    member = await listen(servers, tokens, MIA, REPLAY, g=world.gid(world.closed),
                          after=start["cursor"])
    replayed = await member.events(5)
    assert all(e["subject"]["versions"] is None for e in replayed)
    take_down = replayed[2]["subject"]
    assert (take_down["id"], take_down["author"]) == (to_base64("Post", str(hidden["_id"])), None)
    seen = [(e["kind"], e["subject"]["body"]) for e in replayed]
    assert seen == [
        ("POST_ADDED", "Clean text"), ("POST_EDITED", "Clean text"),
        ("POST_HIDDEN", None), ("POST_DELETED", None), ("POST_ADDED", "Sentinel"),
    ]
    moderator = await listen(servers, tokens, OLGA, REPLAY, g=world.gid(world.closed),
                             after=start["cursor"])
    events = await moderator.events(6)
    assert [(e["kind"], e["subject"]["body"]) for e in events] == [
        ("POST_ADDED", "Draft with a typo"), ("POST_EDITED", "Clean text"),
        ("POST_ADDED", "Pupil's full name"), ("POST_HIDDEN", "Pupil's full name"),
        ("POST_DELETED", None), ("POST_ADDED", "Sentinel"),
    ]
    assert events[1]["subject"]["versions"] == [{"body": "Draft with a typo"}]
    await member.close()
    await moderator.close()


CONTENT = """subscription($g: ID!) { groupActivity(groupId: $g) { kind actor { name }
  subject { ... on Page { title position kind } ... on Group { welcomeMessage }
            ... on Post { body } } } }"""


async def test_content_changes_reach_the_members_of_an_invite_only_group(
    servers, tokens, world
):
    """Pages and the welcome message are the group's content: its members see them change
    live, in order; a stranger cannot follow them (a post is the sentinel)."""
    assert await refused(servers, tokens, TOM, CONTENT, g=world.gid(world.closed)) == (
        "FORBIDDEN")
    mia = await listen(servers, tokens, MIA, CONTENT, g=world.gid(world.closed))
    gid, now = str(world.closed["_id"]), datetime.now(UTC)
    plan = await content.add_page(store=world.store, actor=OLGA, group_id=gid, title="Plan",
                                  body="Weeks 1-4", kind=PageKind.WORK_PLAN, position=None,
                                  now=now)
    icebreaker = await content.add_page(store=world.store, actor=OLGA, group_id=gid,
                                        title="Hello", body="Say hi", kind=PageKind.ACTIVITY,
                                        position=None, now=now)
    page_id = str(icebreaker.doc["_id"])
    await content.update_page(store=world.store, actor=OLGA, page_id=page_id,
                              changes=content.PageChanges(title="Hello, all"), now=now)
    await content.move_page(store=world.store, actor=OLGA, page_id=page_id, position=1, now=now)
    await content.set_welcome_message(store=world.store, actor=OLGA, group_id=gid,
                                      message="Welcome, colleagues", now=now)
    await content.remove_page(store=world.store, actor=OLGA, page_id=str(plan.doc["_id"]),
                              now=now)
    await world.post(world.closed_thread, "Sentinel")

    def seen(event):
        subject = event["subject"]
        return (event["kind"], event["actor"]["name"],
                subject.get("title") or subject.get("welcomeMessage") or subject.get("body"),
                subject.get("position"))

    assert [seen(event) for event in await mia.events(7)] == [
        ("PAGE_ADDED", "Olga", "Plan", 1),
        ("PAGE_ADDED", "Olga", "Hello", 2),
        ("PAGE_UPDATED", "Olga", "Hello, all", 2),
        ("PAGE_MOVED", "Olga", "Hello, all", 1),
        ("GROUP_UPDATED", "Olga", "Welcome, colleagues", None),
        ("PAGE_REMOVED", "Olga", "Plan", 2),
        ("POST_ADDED", "Olga", "Sentinel", None),
    ]
    await mia.close()


ROLE_SEEN = """subscription($g: ID!) { groupActivity(groupId: $g) {
  kind subject { ... on Group { welcomeMessage viewerRole } } } }"""
ROLE_NOW = "query($g: ID!) { group(id: $g) { viewerRole } }"


async def newcomer(world, name: str):
    """A new member of the invite-only group, whom a test may promote without the others
    seeing a moderator where they expect a member."""
    person, now = actor(name), datetime.now(UTC)
    await world.store.users.record(actor=person, now=now)
    invitation = await membership.invite_member(
        store=world.store, actor=OLGA, group_id=str(world.closed["_id"]), user_id=person.id,
        now=now)
    await membership.respond_to_invitation(store=world.store, actor=person,
                                           invitation_id=invitation["_id"], accept=True, now=now)
    return person


async def promote(world, person) -> None:
    await membership.set_member_role(store=world.store, actor=OLGA,
                                     group_id=str(world.closed["_id"]), user_id=person.id,
                                     role=GroupRole.MODERATOR, now=datetime.now(UTC))


async def test_each_event_shows_the_viewer_as_they_stand_when_it_is_delivered(
    servers, tokens, world
):
    """What an event's fields read is read for that event: a member promoted between two
    events sees their new role in the second (a connection's first reads are not kept)."""
    leo = await newcomer(world, "leo")
    watcher = await listen(servers, tokens, leo, ROLE_SEEN, g=world.gid(world.closed))
    gid, now = str(world.closed["_id"]), datetime.now(UTC)
    await content.set_welcome_message(store=world.store, actor=OLGA, group_id=gid,
                                      message="One", now=now)
    (first,) = await watcher.events(1)
    await promote(world, leo)
    await content.set_welcome_message(store=world.store, actor=OLGA, group_id=gid,
                                      message="Two", now=now)
    _, second = await watcher.events(2)
    assert (first["subject"], second["subject"]) == (
        {"welcomeMessage": "One", "viewerRole": "MEMBER"},
        {"welcomeMessage": "Two", "viewerRole": "MODERATOR"})
    await watcher.close()


async def test_each_query_on_one_websocket_reads_anew(servers, tokens, world):
    """Queries sent over a WebSocket share its connection, not what an earlier one read."""
    ines = await newcomer(world, "ines")
    client = await listen(servers, tokens, ines, ROLE_NOW, g=world.gid(world.closed))
    (first,) = await client.events(1)
    await promote(world, ines)
    await client.subscribe(ROLE_NOW, g=world.gid(world.closed))
    while (message := await client.message())["type"] != "next":
        assert message["type"] == "complete", message
    assert (first, message["payload"]["data"]["group"]) == (
        {"viewerRole": "MEMBER"}, {"viewerRole": "MODERATOR"})
    await client.close()


async def test_posts_of_invite_only_groups_reach_members_only(servers, tokens, world):
    assert await refused(servers, tokens, TOM, POSTS, g=world.gid(world.closed)) == (
        "NOT_FOUND")
    tom = await listen(servers, tokens, TOM, POSTS, g=world.gid(world.open))
    await world.post(world.closed_thread, "Members only")
    await world.post(world.open_thread, "For everyone")
    assert [e["subject"]["body"] for e in await tom.events(1)] == ["For everyone"]
    await tom.close()


async def test_a_removed_member_stops_receiving_with_a_reason(servers, tokens, world):
    mia = await listen(servers, tokens, MIA, ACTIVITY, g=world.gid(world.closed))
    await world.post(world.closed_thread, "Before")
    assert [e["subject"]["body"] for e in await mia.events(1)] == ["Before"]
    await membership.remove_member(store=world.store, actor=OLGA,
                                   group_id=str(world.closed["_id"]), user_id="mia",
                                   reason="Left the school", now=datetime.now(UTC))
    await world.post(world.closed_thread, "After")
    message = await mia.message()
    assert message["type"] == "next"
    error = message["payload"]["errors"][0]
    assert error["extensions"]["code"] == "STREAM_ENDED"
    assert "removed" in error["message"]
    assert (await mia.message())["type"] == "complete"
    await mia.silence(0.5)
    await mia.close()


async def test_the_moderation_feed_is_scoped(servers, tokens, world):
    assert await refused(servers, tokens, MIA, FEED) == "FORBIDDEN"
    feeds = {person.id: await listen(servers, tokens, person, FEED)
             for person in (CSS, NSS_ES, NSS_FR, MAX)}
    closed_post = await world.post(world.closed_thread, "Buy now")
    await reports.report_post(store=world.store, actor=MIA, post_id=str(closed_post["_id"]),
                                 reason=ReportReason.COMMERCIAL, note=None,
                                 now=datetime.now(UTC), limits=LIMITS)
    open_post = await world.post(world.open_thread, "Cheap pills")
    await reports.report_post(store=world.store, actor=MIA, post_id=str(open_post["_id"]),
                                 reason=ReportReason.SPAM, note=None, now=datetime.now(UTC),
                                 limits=LIMITS)
    french = await groups.create_group(store=world.store, actor=actor("fred", country="FR"),
                                       form=group_form(title="Groupe français"),
                                       now=datetime.now(UTC), similar_recorded=0)
    assert french["status"] == "PENDING"

    def kinds(events):
        return [(e["kind"], e["subject"].get("reason") or e["subject"].get("title"))
                for e in events]

    assert kinds(await feeds["carla"].events(3)) == [
        ("REPORT_FILED", "COMMERCIAL"), ("REPORT_FILED", "SPAM"),
        ("GROUP_STATUS_CHANGED", "Groupe français")]
    assert kinds(await feeds["nuria"].events(2)) == [
        ("REPORT_FILED", "COMMERCIAL"), ("REPORT_FILED", "SPAM")]
    assert kinds(await feeds["francois"].events(1)) == [
        ("GROUP_STATUS_CHANGED", "Groupe français")]
    assert kinds(await feeds["max"].events(1)) == [("REPORT_FILED", "SPAM")]
    for feed in feeds.values():
        await feed.silence(0.3)
        await feed.close()


async def test_owners_watch_their_own_groups_status(servers, tokens, world):
    olga = await listen(servers, tokens, OLGA, STATUS)
    tom = await listen(servers, tokens, TOM, STATUS)
    proposal = await groups.create_group(store=world.store, actor=OLGA,
                                         form=group_form(title="Olga's proposal"),
                                         now=datetime.now(UTC), similar_recorded=0)
    await groups.transition_group(store=world.store, actor=CSS,
                                  group_id=str(proposal["_id"]), action=GroupAction.APPROVE,
                                  message=None, now=datetime.now(UTC))
    toms = await groups.create_group(store=world.store, actor=TOM,
                                     form=group_form(title="Tom's proposal"),
                                     now=datetime.now(UTC), similar_recorded=0)
    assert toms["status"] == "PENDING"
    assert [e["subject"]["status"] for e in await olga.events(2)] == ["PENDING", "ACTIVE"]
    assert [e["subject"]["title"] for e in await tom.events(1)] == ["Tom's proposal"]
    await olga.close()
    await tom.close()


async def ws_closed_code(url: str, payload: dict | None) -> int:
    async with websockets.connect(url.replace("http", "ws") + "/graphql",
                                  subprotocols=[PROTOCOL]) as connection:
        if payload is not None:
            await connection.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(connection.recv(), 15)
        assert connection.close_code is not None
        return connection.close_code


async def test_close_codes_for_bad_missing_and_expired_tokens(mongodb_uri, live_database,
                                                              tokens):
    env = server_env(mongodb_uri, live_database, APP_WS_INIT_TIMEOUT="1")
    with running_server(env) as url:
        assert await ws_closed_code(url, {"authorization": "Bearer forged"}) == 4403
        assert await ws_closed_code(url, None) == 4408
        short = tokens("olga", ttl=timedelta(seconds=2))
        started = asyncio.get_running_loop().time()
        assert await ws_closed_code(url, {"authorization": f"Bearer {short}"}) == 4403
        assert 1 <= asyncio.get_running_loop().time() - started < 10


async def test_an_oversized_websocket_message_closes_the_socket(servers):
    url = servers[0].replace("http", "ws") + "/graphql"
    async with websockets.connect(url, subprotocols=[PROTOCOL]) as connection:
        await connection.send(json.dumps({"type": "connection_init",
                                          "payload": {"padding": "x" * 100_000}}))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(connection.recv(), 15)
        assert connection.close_code == 1009  # message too big
