"""The `featuring_candidates` collection: groups the NSS propose for featuring, and the CSS's
decisions. One proposal per group awaits the CSS at a time."""

from typing import Any

from pymongo import DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from resolvers.domain.oversight import CandidateDoc, FeaturingStatus
from resolvers.domain.paging import Seek
from resolvers.store.groups import by_id, object_id
from resolvers.store.outbox import NO_EVENTS, Events, HoldsEvents
from resolvers.store.seek import read_page


class CandidateStore(HoldsEvents[CandidateDoc]):

    async def ensure_indexes(self) -> None:
        # `open_key` exists only while the CSS has not decided: one proposal per group.
        await self._collection.create_indexes([
            IndexModel("open_key", unique=True,
                       partialFilterExpression={"open_key": {"$type": "string"}}),
            IndexModel([("status", 1), ("_id", -1)]),
            IndexModel([("owner_country", 1), ("status", 1), ("_id", -1)]),
            IndexModel([("owner_country", 1), ("_id", -1)]),
        ])

    async def insert(
        self, *, doc: CandidateDoc, events: Events = NO_EVENTS
    ) -> CandidateDoc | None:
        """The new proposal, or None while another proposal of the group awaits the CSS."""
        try:
            result = await self._collection.insert_one(events.inserted(doc))
        except DuplicateKeyError:
            return None
        return self._written(events, {**doc, "_id": result.inserted_id})

    async def get(self, *, candidate_id: str) -> CandidateDoc | None:
        oid = object_id(candidate_id)
        return None if oid is None else await self._by_id(oid)

    async def decide(
        self, *, candidate_id: Any, status: FeaturingStatus, decision: dict[str, Any],
        events: Events = NO_EVENTS,
    ) -> CandidateDoc | None:
        """Compare-and-set from PROPOSED; None if it was decided meanwhile."""
        change = {"$set": {"status": status.value, "decision": decision},
                  "$unset": {"open_key": ""}}
        return self._written(events, await self._collection.find_one_and_update(
            {"_id": candidate_id, "status": FeaturingStatus.PROPOSED.value},
            events.pushed(change), return_document=ReturnDocument.AFTER,
        ))

    async def page(
        self, *, owner_country: str | None, status: FeaturingStatus | None, seek: Seek,
        limit: int,
    ) -> tuple[list[CandidateDoc], bool]:
        """Newest first; of one country's groups unless `owner_country` is None."""
        query: dict[str, Any] = {}
        if owner_country is not None:
            query["owner_country"] = owner_country
        if status is not None:
            query["status"] = status.value
        return await read_page(self._collection, query, [("_id", DESCENDING)], seek, limit,
                               by_id)
