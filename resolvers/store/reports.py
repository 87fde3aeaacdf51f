"""The `reports` collection: one open report per user and reported object."""

from datetime import datetime
from typing import Any, TypedDict

from pymongo import DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from resolvers.domain.paging import Seek
from resolvers.store.groups import by_id, object_id
from resolvers.store.outbox import NO_EVENTS, Events, HoldsEvents
from resolvers.store.seek import read_page


class ReportDoc(TypedDict, total=False):
    """A report on a post, discussion, page or group, as stored in the `reports` collection."""

    _id: Any
    target_kind: str  # a ReportTarget
    target_id: str
    group_id: str
    owner_country: str | None  # the group's, for NSS
    target_author_id: str | None  # whom REMOVE_AUTHOR removes; None for a group
    reporter_id: str
    reason: str
    note: str | None
    status: str
    open_key: str  # unique while open: one open report per reporter and target
    created_at: datetime
    resolution: dict[str, Any] | None
    outbox: list[dict[str, Any]]  # events waiting to enter the log


class ReportStore(HoldsEvents[ReportDoc]):

    async def ensure_indexes(self) -> None:
        # `open_key` exists only while a report is open: one per user and reported object.
        await self._collection.create_indexes([
            IndexModel("open_key", unique=True,
                       partialFilterExpression={"open_key": {"$type": "string"}}),
            IndexModel([("status", 1), ("group_id", 1), ("_id", -1)]),
            IndexModel([("status", 1), ("owner_country", 1), ("_id", -1)]),
            IndexModel([("target_id", 1), ("status", 1)]),
        ])

    async def insert(self, *, doc: ReportDoc, events: Events = NO_EVENTS) -> ReportDoc | None:
        """The new report, or None if this user already has an open one on its target."""
        try:
            result = await self._collection.insert_one(events.inserted(doc))
        except DuplicateKeyError:
            return None
        return self._written(events, {**doc, "_id": result.inserted_id})

    async def get(self, *, report_id: str) -> ReportDoc | None:
        oid = object_id(report_id)
        return None if oid is None else await self._collection.find_one({"_id": oid})

    async def open_on(self, *, target_id: str) -> list[ReportDoc]:
        """The open reports on one object, oldest first."""
        return await self._collection.find({"target_id": target_id, "status": "OPEN"}).sort(
            "_id", 1).to_list()

    async def resolve(
        self, *, report_id: Any, resolution: dict[str, Any], events: Events = NO_EVENTS
    ) -> ReportDoc | None:
        """Compare-and-set from OPEN; None if it was resolved meanwhile."""
        change = {"$set": {"status": "RESOLVED", "resolution": resolution},
                  "$unset": {"open_key": ""}}
        return self._written(events, await self._collection.find_one_and_update(
            {"_id": report_id, "status": "OPEN"}, events.pushed(change),
            return_document=ReturnDocument.AFTER,
        ))

    async def page(
        self, *, scope: dict[str, Any], status: str | None, group_id: str | None,
        seek: Seek, limit: int,
    ) -> tuple[list[ReportDoc], bool]:
        """Newest first, within `scope` (a filter on group or country)."""
        clauses: list[dict[str, Any]] = [scope]
        if status is not None:
            clauses.append({"status": status})
        if group_id is not None:
            clauses.append({"group_id": group_id})
        return await read_page(self._collection, {"$and": clauses}, [("_id", DESCENDING)], seek,
                               limit, by_id)
