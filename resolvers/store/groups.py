"""The `groups` collection."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from resolvers.coalesced import find_ids
from resolvers.domain.groups import GroupDoc, GroupOrder, GroupScope, GroupStatus
from resolvers.domain.paging import Seek
from resolvers.store.outbox import NO_EVENTS, Events, HoldsEvents
from resolvers.store.seek import read_page

# The fields similarity ranking reads; the rest of a candidate is not fetched.
SIMILARITY_FIELDS = ("title", "terms", "title_terms", "topics", "languages", "status")


@dataclass(frozen=True, slots=True)
class GroupFilter:
    status: GroupStatus | None = None
    topic: str | None = None
    language: str | None = None
    search_terms: tuple[str, ...] = ()
    featured: bool | None = None


def position_id(value: str) -> ObjectId:
    """The id a list's cursor position names; ValueError for anything else."""
    found = object_id(value)
    if found is None:
        raise ValueError(f"not an object id: {value!r}")
    return found


def id_position(doc: GroupDoc) -> str:
    """A cursor position in creation order."""
    return str(doc["_id"])


def by_id(position: str) -> tuple[ObjectId]:
    """The order's keys at `position`, for a list in creation order."""
    return (position_id(position),)


# Due groups are read idlest first: the index walk stops at the idle threshold, so a page
# costs what it returns however many groups are active.
IDLE_ORDER = [("last_activity_at", ASCENDING), ("_id", ASCENDING)]


def idle_position(doc: GroupDoc) -> str:
    """A cursor position in `IDLE_ORDER`."""
    return f"{doc['last_activity_at'].isoformat()}|{doc['_id']}"


def by_idleness(position: str) -> tuple[datetime, ObjectId]:
    """What `idle_position` wrote; ValueError for anything else."""
    at, ident = position.split("|")
    return datetime.fromisoformat(at), position_id(ident)


def members_position(doc: GroupDoc) -> str:
    return f"{doc['member_count']}|{doc['_id']}"


def by_members(position: str) -> tuple[int, ObjectId]:
    count, ident = position.split("|")
    return int(count), position_id(ident)


@dataclass(frozen=True, slots=True)
class Ordering:
    """A list order, and how a cursor holds a position in it."""

    keys: list[tuple[str, int]]
    position: Callable[[GroupDoc], str]
    parse: Callable[[str], tuple[Any, ...]]


ORDERINGS = {
    GroupOrder.NEWEST: Ordering([("_id", DESCENDING)], id_position, by_id),
    GroupOrder.MOST_MEMBERS: Ordering([("member_count", DESCENDING), ("_id", DESCENDING)],
                                      members_position, by_members),
    GroupOrder.MOST_ACTIVE: Ordering([("last_activity_at", DESCENDING), ("_id", DESCENDING)],
                                     idle_position, by_idleness),
}


def object_id(value: str) -> ObjectId | None:
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        return None


def _scope_filter(scope: GroupScope) -> dict[str, Any]:
    advised = {} if scope.advisor_id is None else {"advisor_id": scope.advisor_id}
    if scope.everything:
        return advised
    clauses: list[dict[str, Any]] = []
    if scope.statuses:
        clauses.append({"status": {"$in": sorted(scope.statuses)}})
    if scope.owner_id is not None:
        clauses.append({"owner_id": scope.owner_id})
    if scope.owner_country is not None:
        clauses.append({"owner_country": scope.owner_country})
    return {"$or": clauses, **advised} if clauses else {"_id": {"$exists": False}}


def _criteria(criteria: GroupFilter) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if criteria.status is not None:
        query["status"] = criteria.status.value
    if criteria.topic is not None:
        query["topics"] = criteria.topic
    if criteria.language is not None:
        query["languages"] = criteria.language
    if criteria.search_terms:
        query["terms"] = {"$all": list(criteria.search_terms)}
    if criteria.featured is not None:
        query["featured"] = criteria.featured
    return query


class GroupStore(HoldsEvents[GroupDoc]):

    async def ensure_indexes(self) -> None:
        members = [("member_count", ASCENDING), ("_id", ASCENDING)]
        await self._collection.create_indexes([
            IndexModel([("status", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("status", ASCENDING), *IDLE_ORDER]),
            IndexModel(IDLE_ORDER),
            IndexModel([("status", ASCENDING), *members]),
            IndexModel(members),
            IndexModel([("owner_id", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("advisor_id", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("advisor_id", ASCENDING), ("status", ASCENDING), *IDLE_ORDER]),
            IndexModel([("owner_country", ASCENDING), ("_id", ASCENDING)]),
            IndexModel("topics"),
            IndexModel("languages"),
            IndexModel("terms"),
            IndexModel("featured"),
        ])

    async def insert(self, *, doc: GroupDoc, events: Events = NO_EVENTS) -> GroupDoc:
        result = await self._collection.insert_one(events.inserted(doc))
        inserted = self._written(events, cast(GroupDoc, {**doc, "_id": result.inserted_id}))
        assert inserted is not None
        return inserted

    async def get(self, *, group_id: str) -> GroupDoc | None:
        oid = object_id(group_id)
        return None if oid is None else await self._by_id(oid)

    async def get_many(self, *, group_ids: list[str]) -> list[GroupDoc]:
        """The groups of these ids, in no order."""
        oids = [oid for value in group_ids if (oid := object_id(value)) is not None]
        return await find_ids(self._collection, oids)

    async def page(
        self,
        *,
        scope: GroupScope,
        criteria: GroupFilter,
        seek: Seek,
        limit: int,
        order: GroupOrder = GroupOrder.NEWEST,
        oldest_first: bool = False,
    ) -> tuple[list[GroupDoc], bool]:
        """Up to `limit` groups in `order` (creation order, oldest first with `oldest_first`)
        from `seek` on, and whether any lie behind it (`resolvers.store.seek`)."""
        query = {**_criteria(criteria), **_scope_filter(scope)}
        ordering = ORDERINGS[order]
        keys = [("_id", ASCENDING)] if oldest_first else ordering.keys
        return await read_page(self._collection, query, keys, seek, limit, ordering.parse)

    async def similarity_candidates(
        self, *, scope: GroupScope, statuses: frozenset[GroupStatus], terms: list[str],
        topics: list[str], limit: int, besides: list[Any],
    ) -> list[GroupDoc]:
        """Groups in `statuses` sharing a term or a topic, other than those `besides`,
        newest first, with the fields that ranking needs."""
        shares = [{field: {"$in": values}}
                  for field, values in (("terms", terms), ("topics", topics)) if values]
        if not shares:
            return []
        query = {"$and": [{"status": {"$in": sorted(statuses)}}, {"$or": shares},
                          _scope_filter(scope)]}
        if besides:
            query["$and"].append({"_id": {"$nin": besides}})
        projection = dict.fromkeys(SIMILARITY_FIELDS, 1)
        cursor = self._collection.find(query, projection).sort("_id", DESCENDING).limit(limit)
        return await cursor.to_list()

    async def update_fields(
        self, *, group_id: Any, fields: dict[str, Any], events: Events = NO_EVENTS,
        counts: dict[str, int] | None = None,
    ) -> GroupDoc | None:
        """Set `fields` and add `counts` to counters."""
        change: dict[str, Any] = {"$set": fields}
        if counts:
            change["$inc"] = counts
        return self._written(events, await self._collection.find_one_and_update(
            {"_id": group_id}, events.pushed(change), return_document=ReturnDocument.AFTER,
        ))

    async def hold(
        self, *, group_id: Any, holder: str, now: datetime, until: datetime
    ) -> bool:
        """Take the group's lease on changes of owners until `until`; False while another
        holder's lease runs."""
        found = await self._collection.find_one_and_update(
            {"_id": group_id,
             "$or": [{"owners_lease": None}, {"owners_lease.until": {"$lt": now}}]},
            {"$set": {"owners_lease": {"holder": holder, "until": until}}},
            projection={"_id": 1},
        )
        return found is not None

    async def release(self, *, group_id: Any, holder: str) -> None:
        await self._collection.update_one(
            {"_id": group_id, "owners_lease.holder": holder}, {"$unset": {"owners_lease": ""}}
        )

    async def count_published_posts(self, *, group_id: str, by: int) -> None:
        """A post was withdrawn (hidden or deleted: `by` -1) or published again (1)."""
        await self._collection.update_one({"_id": object_id(group_id)},
                                          {"$inc": {"published_post_count": by}})

    async def set_published_posts(self, *, group_id: str, count: int) -> None:
        await self._collection.update_one(
            {"_id": object_id(group_id)}, {"$set": {"published_post_count": count}}
        )

    async def set_member_count(self, *, group_id: str, count: int) -> None:
        await self._collection.update_one(
            {"_id": object_id(group_id)}, {"$set": {"member_count": count}}
        )

    async def count_members(
        self, *, group_id: Any, delta: int, active_at: datetime | None = None
    ) -> GroupDoc | None:
        """Move the member count by `delta`; with `active_at`, record activity too."""
        change: dict[str, Any] = {"$inc": {"member_count": delta}}
        if active_at is not None:
            change["$set"] = {"last_activity_at": active_at}
        return await self._collection.find_one_and_update(
            {"_id": group_id}, change, return_document=ReturnDocument.AFTER
        )

    async def inactive(
        self, *, scope: GroupScope, status: GroupStatus, new_since: datetime,
        new_idle_before: datetime, existing_idle_before: datetime, now: datetime,
        seek: Seek, limit: int,
    ) -> tuple[list[GroupDoc], bool]:
        """Groups in `status` idle past the policy's thresholds and not exempt, idlest first
        (`IDLE_ORDER`), from `seek` on; and whether any lie behind it."""
        idle = {"last_activity_at": {"$lte": max(new_idle_before, existing_idle_before)}}
        due = {"$or": [
            {"approved_at": {"$gt": new_since}, "last_activity_at": {"$lte": new_idle_before}},
            {"approved_at": {"$lte": new_since},
             "last_activity_at": {"$lte": existing_idle_before}},
        ]}
        not_exempt = {"$or": [{"inactivity_exempt_until": None},
                              {"inactivity_exempt_until": {"$lte": now}}]}
        query = {"$and": [{"status": status.value}, idle, due, not_exempt,
                          _scope_filter(scope)]}
        return await read_page(self._collection, query, IDLE_ORDER, seek, limit, by_idleness)

    async def flag_inactive(
        self, *, group_id: Any, period: str, now: datetime, events: Events
    ) -> bool:
        """Flag once per period: True only for the one caller that flagged it."""
        result = await self._collection.update_one(
            {"_id": group_id, "inactivity_flagged_period": {"$ne": period}},
            events.pushed({"$set": {"inactivity_flagged_period": period,
                                    "inactivity_flagged_at": now}}),
        )
        if result.modified_count != 1:
            return False
        self._hold(events, group_id)
        return True

    async def change(
        self,
        *,
        group_id: Any,
        expected_status: GroupStatus,
        set_fields: dict[str, Any],
        history_entry: dict[str, Any],
        events: Events = NO_EVENTS,
    ) -> GroupDoc | None:
        """Compare-and-set: apply the change only if the group is still in `expected_status`.

        Returns the changed group, or None when another write got there first.
        """
        return self._written(events, await self._collection.find_one_and_update(
            {"_id": group_id, "status": expected_status.value},
            events.pushed({"$set": set_fields, "$push": {"review.history": history_entry}}),
            return_document=ReturnDocument.AFTER,
        ))
