"""Live events rendered once per selection and audience, against a real server: subscribers
who stand alike in a group share one rendering; what depends on standing never crosses.
Without the fast path, every subscriber gets the same events, each rendered for them."""

import asyncio
import json

import pytest
import websockets

from tests.conftest import FAST_PATH, actor
from tests.live.client import active_subscriptions, metric, registered
from tests.live.world import MAX, MIA, OLGA, TOM, listen

pytestmark = pytest.mark.e2e

ANA = actor("ana")
PUBLIC = """subscription($g: ID!) { postAdded(groupId: $g) {
  cursor subject { ... on Post { body author { name } } } } }"""
VERSIONS = """subscription($g: ID!, $after: String) { postAdded(groupId: $g, after: $after) {
  subject { ... on Post { body versions { body } } } } }"""


async def renderings(server: str) -> tuple[float, float]:
    """How many renderings of events the server has made, and how many it reused. Without
    the fast path each subscriber's events are rendered for them alone, and none counted."""
    if not FAST_PATH:
        return 0.0, 0.0
    samples = await metric(server, "agora_event_renderings")
    return samples.get(("no",), 0.0), samples.get(("yes",), 0.0)


def shared(made: float, reused: float) -> tuple[float, float]:
    """The counts `renderings` reports after renderings were made and reused."""
    return (made, reused) if FAST_PATH else (0.0, 0.0)


async def test_subscribers_of_one_selection_share_its_rendering(servers, tokens, world):
    """Mia (a member) and Tom (not one) ask for nothing that depends on who they are."""
    mia = await listen(servers, tokens, MIA, PUBLIC, g=world.gid(world.open))
    tom = await listen(servers, tokens, TOM, PUBLIC, g=world.gid(world.open))
    made, reused = await renderings(servers[0])
    await world.post(world.open_thread, "Hello both")
    (for_mia,), (for_tom,) = await mia.events(1), await tom.events(1)
    assert for_mia == for_tom
    assert for_mia["subject"] == {"body": "Hello both", "author": {"name": "Olga"}}
    assert await renderings(servers[0]) == shared(made + 1, reused + 1)
    await mia.close()
    await tom.close()


async def test_what_depends_on_standing_is_rendered_per_standing(servers, tokens, world):
    """A post's earlier versions are for moderators: owner Olga and moderator Max see them;
    member Mia and outsiders Tom and Ana do not. The two outsiders share a rendering."""
    listeners = {person.id: await listen(servers, tokens, person, VERSIONS,
                                         g=world.gid(world.open))
                 for person in (OLGA, MAX, MIA, TOM, ANA)}
    made, reused = await renderings(servers[0])
    await world.post(world.open_thread, "Versions are for moderators")
    seen = {}
    for person, client in listeners.items():
        (event,) = await client.events(1)
        seen[person] = event["subject"]["versions"]
    assert seen == {"olga": [], "max": [], "mia": None, "tom": None, "ana": None}
    assert await renderings(servers[0]) == shared(made + 4, reused + 1)
    for client in listeners.values():
        await client.close()


async def test_resuming_subscribers_share_renderings_of_what_they_missed(
    servers, tokens, world
):
    """`after` only says where a stream starts: two outsiders resuming from one cursor get
    the event they missed, rendered once."""
    watcher = await listen(servers, tokens, MIA, PUBLIC, g=world.gid(world.open))
    await world.post(world.open_thread, "Seen live")
    (seen,) = await watcher.events(1)
    await watcher.close()
    await world.post(world.open_thread, "Missed")
    made, reused = await renderings(servers[0])
    resumed = [await listen(servers, tokens, person, VERSIONS, g=world.gid(world.open),
                            after=seen["cursor"]) for person in (TOM, ANA)]
    bodies = [[event["subject"]["body"] for event in await client.events(1)]
              for client in resumed]
    assert bodies == [["Missed"], ["Missed"]]
    assert await renderings(servers[0]) == shared(made + 1, reused + 1)
    for client in resumed:
        await client.close()


async def test_both_websocket_protocols_receive_a_shared_rendering(servers, tokens, world):
    """A `graphql-ws` (legacy protocol) subscriber gets the same event as a
    `graphql-transport-ws` one, in its own protocol's message."""
    modern = await listen(servers, tokens, MIA, PUBLIC, g=world.gid(world.open))
    url = servers[0].replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-ws"]) as legacy:
        await legacy.send(json.dumps({"type": "connection_init",
                                      "payload": {"authorization": f"Bearer {tokens('tom')}"}}))
        assert json.loads(await legacy.recv())["type"] == "connection_ack"
        before = await active_subscriptions(servers[0])
        await legacy.send(json.dumps({"type": "start", "id": "1", "payload": {
            "query": PUBLIC, "variables": {"g": world.gid(world.open)}}}))
        await registered(servers[0], before + 1)
        await world.post(world.open_thread, "Both protocols")
        (expected,) = await modern.events(1)
        message = json.loads(await asyncio.wait_for(legacy.recv(), 10))
        while message["type"] == "ka":
            message = json.loads(await asyncio.wait_for(legacy.recv(), 10))
    assert message == {"type": "data", "id": "1", "payload": {"data": {"postAdded": expected}}}
    await modern.close()
