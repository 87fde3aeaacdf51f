"""The notifier: follows the event log and stores the notifications each event makes
(`resolvers.notifications`). Every process runs one; a notification is stored once
whichever stores it, and none is lost across restarts (`subscriptions.follower`)."""

from resolvers.domain.events import EventDoc
from resolvers.notifications import notify
from subscriptions.follower import LogFollower


class Notifier(LogFollower):
    name = "notifier"

    async def handle(self, event: EventDoc) -> None:
        await notify(self._store, event)
