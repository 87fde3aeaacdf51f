"""The search indexer: follows the event log and keeps the search index current
(`resolvers.search`). Every process runs one; rewriting an item's entries twice stores them
once. On its first run it indexes what the database already holds, then follows the log from
where it stood when it began."""

from resolvers.domain.events import EventDoc
from resolvers.search import index_event, index_everything
from subscriptions.follower import LogFollower


class SearchIndexer(LogFollower):
    name = "search"

    async def first_place(self) -> int:
        head = await self._store.events.head()
        await index_everything(self._store)
        return head

    async def handle(self, event: EventDoc) -> None:
        await index_event(self._store, event)
