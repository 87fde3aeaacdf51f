"""The people and groups the live tests act on, and how a test starts listening."""

from datetime import UTC, datetime

from strawberry.relay import to_base64

from resolvers import discussions, membership
from resolvers.domain.actors import Role
from resolvers.domain.groups import Participation
from resolvers.domain.membership import GroupRole
from resolvers.domain.rate_limits import RateLimits
from tests.conftest import actor
from tests.live.client import LiveClient, active_subscriptions, registered
from tests.support import active_group

OLGA, MAX, MIA, TOM = actor("olga"), actor("max"), actor("mia"), actor("tom")
CSS = actor("carla", Role.CSS, country=None)
NSS_ES, NSS_FR = actor("nuria", Role.NSS, country="ES"), actor("francois", Role.NSS,
                                                                 country="FR")
LIMITS = RateLimits({"addPost": "100000/minute", "startDiscussion": "1000/minute",
                     "reportPost": "1000/minute"})


class World:
    """An open group (owner Olga, moderator Max, member Mia) and an invite-only one (owner
    Olga, member Mia), each with a discussion."""

    async def build(self, store):
        self.store, now = store, datetime.now(UTC)
        self.open = await active_group(store, now, OLGA, title="Open group")
        self.closed = await active_group(store, now, OLGA, title="Invite-only group",
                                         participation=Participation.INVITE_ONLY)
        for group in (self.open, self.closed):
            gid = str(group["_id"])
            for person in (MAX, MIA):
                invitation = await membership.invite_member(
                    store=store, actor=OLGA, group_id=gid, user_id=person.id, now=now)
                await membership.respond_to_invitation(
                    store=store, actor=person, invitation_id=invitation["_id"], accept=True,
                    now=now)
        await membership.set_member_role(store=store, actor=OLGA, group_id=str(self.open["_id"]),
                                         user_id="max", role=GroupRole.MODERATOR, now=now)
        self.open_thread = await self._discussion(self.open)
        self.closed_thread = await self._discussion(self.closed)
        return self

    async def _discussion(self, group):
        return await discussions.start_discussion(
            store=self.store, actor=OLGA, group_id=str(group["_id"]), title="Thread",
            body="Start", now=datetime.now(UTC), limits=LIMITS)

    def gid(self, group) -> str:
        return to_base64("Group", str(group["_id"]))

    async def post(self, thread, body, who=OLGA):
        return await discussions.add_post(
            store=self.store, actor=who, discussion_id=str(thread["_id"]), body=body,
            reply_to_id=None, client_mutation_id=None, now=datetime.now(UTC), limits=LIMITS)


async def listen(servers, tokens, person, query, **variables) -> LiveClient:
    before = await active_subscriptions(servers[0])
    client = await LiveClient.connect(servers[0], tokens(person.id, *sorted(person.roles),
                                                         country=person.country))
    await client.subscribe(query, **variables)
    try:  # registered before the events below (a refused one never registers)
        await registered(servers[0], before + 1, wait=2)
    except AssertionError:
        pass
    return client


