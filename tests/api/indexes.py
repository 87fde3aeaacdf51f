"""Every query the stores send, and the index that serves it: `docs/indexes.md`.

`.venv/bin/python -m tests.api.indexes > docs/indexes.md` runs a workload through the API on
the embedded database on a file: every mutation of the permission matrix, by an actor allowed
to make it, and every read of the schema, each list paged forward and back. It records each
command the stores send, keeps one of each shape (the filter with its values replaced by their
types, and the sort), and asks the database how it reads it: `explain` on the embedded engine
(SQLite's query plan), or `queryPlanner.winningPlan` on real MongoDB. `tests/api/test_indexes.py`
fails when a shape is read without an index, on either server, and when the doc is stale.
"""

import asyncio
import hashlib
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from api.app import build_app
from api.auth import mint_token
from api.settings import Environment, Settings
from resolvers.store import Store
from tests.api.permissions import MATRIX, allowed
from tests.support import Clock, LifespanApp, gql

# Commands that read nothing of the stores: the driver's housekeeping, and index builds.
HOUSEKEEPING = {"hello", "isMaster", "ismaster", "ping", "endSessions", "buildInfo",
                "createIndexes", "listCollections", "listIndexes", "drop", "dropDatabase",
                "insert", "killCursors", "getMore"}
FILTERS = {"find": "filter", "count": "query", "findAndModify": "query", "distinct": "query"}

READS = [
    ("teacher", "{ me { name invitations(first: 5) { edges { node { status } } } } }", {}),
    ("teacher", """{ groups(first: 5, filter: {status: ACTIVE}) { edges { cursor node {
        title memberCount viewerRole owner { name }
        discussions(first: 3) { edges { node { title postCount author { name }
          posts(first: 3) { edges { node { body author { name } } } } } } } } }
        pageInfo { endCursor } } }""", {}),
    ("member", """{ groups(first: 5, filter: {status: ACTIVE}) { edges { node { unreadCount
        discussions(first: 3) { edges { node { unreadCount } } } } } } }""", {}),
    ("member", """{ digest(since: "2026-01-01T00:00:00Z", first: 5) { groups { edges { node {
        discussions { count } posts { count } members { count } } } }
        notifications { count } } }""", {}),
    ("teacher", """{ groups(first: 5, filter: {search: "group"}) { edges { node { title } } } }""",
     {}),
    ("teacher", """{ groups(first: 5, filter: {topic: "mathematics", language: "es"}) {
        edges { node { title } } } }""", {}),
    ("teacher", """{ groups(first: 5, filter: {featured: true}) { edges { node { title } } } }""",
     {}),
    ("teacher", "{ groups(last: 5) { edges { node { title } } } }", {}),
    ("teacher", """{ groups(first: 5, orderBy: MOST_MEMBERS, filter: {status: ACTIVE}) {
        edges { node { title } } } }""", {}),
    ("teacher", "{ groups(first: 5, orderBy: MOST_MEMBERS) { edges { node { title } } } }", {}),
    ("teacher", """{ groups(first: 5, orderBy: MOST_ACTIVE, filter: {status: ACTIVE}) {
        edges { node { title } } } }""", {}),
    ("teacher", "{ groups(first: 5, orderBy: MOST_ACTIVE) { edges { node { title } } } }", {}),
    ("teacher", """{ similarPendingProposals(input: {title: "Mathematics through games",
        topics: ["mathematics"], languages: ["en"]}) }""", {}),
    ("teacher", """{ similarGroups(first: 5, input: {title: "Mathematics through games",
        topics: ["mathematics"], languages: ["en"]}) { score group { title } } }""", {}),
    ("owner", """query($id: ID!) { group(id: $id) { title viewerRole
        members(first: 5) { edges { node { role user { name } } } }
        pages(first: 5) { edges { node { title } } }
        discussions(last: 5) { edges { node { title } } } } }""", {"id": "active"}),
    ("member", """query($id: ID!) { discussion(id: $id) { title postCount
        posts(first: 5) { pageInfo { endCursor } edges { node { body author { name } } } }
        last: posts(last: 5) { edges { node { body } } } } }""", {"id": "discussion"}),
    ("css", "{ reviewQueue(first: 5) { edges { node { title } } } }", {}),
    ("css", """{ reports(first: 5) { edges { node { reason targetKind
        target { __typename } } } } }""", {}),
    ("teacher", "{ netiquette { version text acceptedByViewer } }", {}),
    ("teacher", """{ search(query: "mathematics games", first: 5) { edges { node { kind score
        highlight { text matched } node { __typename } } } } }""", {}),
    ("teacher", """{ search(query: "games", kinds: [POST], language: "en", first: 5) {
        edges { node { kind } } } }""", {}),
    ("teacher", """query($id: ID!) { search(query: "games", groupId: $id, first: 5) {
        edges { node { kind } } } }""", {"id": "active"}),
    ("owner", """{ me { unreadNotificationCount } notifications(first: 5) { unreadCount
        edges { node { kind subject { __typename } } } } }""", {}),
    ("owner", "{ notifications(last: 5, unreadOnly: true) { edges { node { kind } } } }",
     {}),
    ("owner", """query($id: ID!) { teachers(groupId: $id, search: "ti", first: 5) {
        edges { node { handle } } } }""", {"id": "active"}),
    ("nss_same", "{ reports(first: 5) { edges { node { reason } } } }", {}),
    ("owner", """query($id: ID!) { reports(groupId: $id, first: 5) {
        edges { node { reason } } } }""", {"id": "active"}),
    ("css", """query($id: ID!) { moderationLog(groupId: $id, first: 5) {
        edges { node { action } } } }""", {"id": "active"}),
    ("css", "{ inactiveGroups(first: 5) { edges { node { daysInactive } } } }", {}),
    ("css", """{ inactiveGroups(first: 5, advisedOnly: true) {
        edges { node { daysInactive } } } }""", {}),
    ("css", "{ advisedGroups(first: 5) { edges { node { title } } } }", {}),
    ("css", """{ featuringCandidates(first: 5, status: PROPOSED) {
        edges { node { status group { title } proposer { name } } } } }""", {}),
    ("css", "{ featuringCandidates(last: 5) { edges { node { status } } } }", {}),
    ("nss_same", """{ featuringCandidates(first: 5, status: PROPOSED) {
        edges { node { status } } } }""", {}),
    ("nss_same", "{ featuringCandidates(first: 5) { edges { node { status } } } }", {}),
    ("owner", """query($id: ID!) { group(id: $id) { advisor { name }
        inactivity { due daysInactive } inactivityExemption { until grantedBy { name } }
        readiness { item done } } }""",
     {"id": "active"}),
]


@dataclass(frozen=True)
class Shape:
    collection: str
    command: str
    filter: str
    sort: str

    def row(self, index: str) -> str:
        sort = f"`{self.sort}`" if self.sort else ""
        return f"| {self.collection} | {self.command} | `{self.filter}` | {sort} | {index} |"


def shape_of(value: Any) -> Any:
    """`value` with every scalar replaced by its type's name: the shape of a query."""
    if isinstance(value, dict):
        return {key: shape_of(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        shapes = []
        for item in map(shape_of, value):
            if item not in shapes:
                shapes.append(item)
        return shapes
    return type(value).__name__


def _text(value: Any) -> str:
    return re.sub(r"'", "", str(value))


class Recorder(monitoring.CommandListener):
    """One command of each shape the stores send."""

    def __init__(self) -> None:
        self.commands: dict[Shape, dict[str, Any]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name = event.command_name
        if name in HOUSEKEEPING:
            return
        for command in _reads_of(name, event.command):
            query, sort = command.get("filter", {}), command.get("sort") or {}
            shape = Shape(command["find"], name, _text(shape_of(query)), _text(sort))
            self.commands.setdefault(shape, command)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def _reads_of(name: str, command: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The reads a command makes, each as a `find` command: what `explain` is asked."""
    collection = command[name]
    if name in FILTERS:
        yield {"find": collection, "filter": command.get(FILTERS[name]) or {},
               "sort": command.get("sort"), "limit": command.get("limit", 0)}
    elif name in ("update", "delete"):
        for statement in command.get("updates" if name == "update" else "deletes", []):
            yield {"find": collection, "filter": statement["q"], "sort": None, "limit": 0}
    elif name == "aggregate":
        stages = command.get("pipeline", [])
        match = stages[0].get("$match", {}) if stages else {}
        sort = stages[1].get("$sort") if len(stages) > 1 else None
        yield {"find": collection, "filter": match, "sort": sort, "limit": 0}
    else:
        raise ValueError(f"a store sent {name}, which this workload cannot explain")


async def _workload(uri: str, recorder: Recorder) -> AsyncDatabase[Any]:
    """Every mutation of the matrix and every read above, on the database at `uri`."""
    from tests.api.test_permission_matrix import PEOPLE, build_world, call

    database = "agora_indexes"
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    client: AsyncMongoClient[Any] = AsyncMongoClient(uri, tz_aware=True)
    store = Store(client[database])
    await store.ensure_indexes()
    ids = await build_world(store, now)
    settings = Settings(env=Environment.TEST, mongodb_uri=uri, mongodb_database=database)

    def headers(who: str) -> dict[str, str]:
        person = PEOPLE[who]
        token = mint_token(settings, sub=person.id, name=person.name,
                           roles=sorted(person.roles), country=person.country)
        return {"Authorization": f"Bearer {token}"}

    app = build_app(settings, clock=Clock(now), mongo_listeners=[recorder])
    async with LifespanApp(app) as running:
        transport = httpx2.ASGITransport(app=running)
        async with httpx2.AsyncClient(transport=transport, base_url="http://agora.test") as http:
            for who, query, variables in READS:
                named = {key: ids[value] for key, value in variables.items()}
                body = await gql(http, query, named, headers=headers(who))
                assert "errors" not in body, body
            for mutation in MATRIX:
                who = next((who for who in PEOPLE if allowed(mutation, who)), None)
                if who is None:
                    continue
                field, input_type, variables = call(mutation, ids)
                body = await gql(http, f"""mutation($input: {input_type}!) {{
                    {field}(input: $input) {{ __typename }} }}""", {"input": variables},
                    headers=headers(who))
                assert "errors" not in body, body
    return client[database]


def _index_names(database: str, collection: str, indexes: dict[str, Any]) -> dict[str, str]:
    """mongoeco's SQLite name for each index of `collection`, to the index's key."""
    names = {}
    for name, index in indexes.items():
        key = ", ".join(f"{field}: {direction}" for field, direction in index["key"])
        digest = hashlib.sha1(f"{database}:{collection}:{name}".encode()).hexdigest()
        names["idx_" + digest[:16]] = key
    return names


def embedded_index(details: list[str], names: dict[str, str], sorted_read: bool) -> str | None:
    """The index the embedded engine reads a query through, from its SQLite query plan; None
    if it reads the whole collection."""
    used = []
    for line in details:
        found = re.search(r"USING (?:COVERING )?INDEX (\S+) \((.*)\)", line)
        if found is None:
            continue
        index, constraint = found.groups()
        bounded = constraint != "db_name=? AND coll_name=?"
        if index.startswith("holding_"):
            used.append("the documents holding an array there (partial)")
        elif index.startswith(("mkidx_", "scidx_")) and "element_key" in constraint:
            used.append("the multikey indexes' entries")
        elif index == "sqlite_autoindex_documents_1":
            if "storage_key" in constraint or (sorted_read and not _sorts_apart(details)):
                used.append("_id")
        elif index in names and (bounded or (sorted_read and not _sorts_apart(details))):
            used.append(names[index])
    return " + ".join(dict.fromkeys(used)) or None


def _sorts_apart(details: list[str]) -> bool:
    return any("TEMP B-TREE FOR ORDER BY" in line for line in details)


async def explained(db: AsyncDatabase[Any], commands: dict[Shape, dict[str, Any]]
                    ) -> dict[Shape, str | None]:
    """For each shape, the index the server reads it through (None: a collection scan)."""
    found: dict[Shape, str | None] = {}
    for shape, command in sorted(commands.items(), key=lambda item: item[0].row("")):
        plan = await db.command({"explain": {key: value for key, value in command.items()
                                             if value is not None}})
        if "queryPlanner" in plan:  # real MongoDB
            found[shape] = _winning_index(plan["queryPlanner"]["winningPlan"])
        else:
            indexes = await db[shape.collection].index_information()
            names = _index_names(db.name, shape.collection, indexes)
            found[shape] = embedded_index(plan["details"].get("engine_details") or [], names,
                                          bool(command.get("sort")))
    return found


def _winning_index(stage: dict[str, Any]) -> str | None:
    if stage.get("stage") == "COLLSCAN":
        return None
    if stage.get("stage") == "IXSCAN":
        return ", ".join(f"{field}: {way}" for field, way in stage["keyPattern"].items())
    if stage.get("stage") == "IDHACK":
        return "_id"
    inner = [stage[key] for key in ("inputStage", "queryPlan") if key in stage]
    inner += stage.get("inputStages", [])
    indexes = [_winning_index(child) for child in inner]
    if not indexes or None in indexes:
        return None
    return " + ".join(dict.fromkeys(index for index in indexes if index))


async def capture(uri: str) -> dict[Shape, str | None]:
    recorder = Recorder()
    db = await _workload(uri, recorder)
    try:
        return await explained(db, recorder.commands)
    finally:
        await db.client.drop_database(db.name)
        await db.client.close()


def render(plans: dict[Shape, str | None]) -> str:
    lines = [
        "# The stores' queries and their indexes",
        "",
        "Generated by `.venv/bin/python -m tests.api.indexes > docs/indexes.md` (see that",
        "module): every query shape the stores sent while every mutation and every read of",
        "the schema ran once, and the index the embedded database on a file reads it",
        "through. `_id` is the primary key. `tests/api/test_indexes.py` fails when one is",
        "read without an index, here or (with `APP_MONGODB_URI`) on real MongoDB.",
        "",
        "| collection | command | filter (values as types) | sort | index |",
        "|---|---|---|---|---|",
    ]
    lines += [shape.row(index or "**none**") for shape, index in plans.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    from api.embedded import embedded_database

    with tempfile.TemporaryDirectory() as folder, embedded_database(
            path=Path(folder) / "indexes.sqlite3") as uri:
        sys.stdout.write(render(asyncio.run(capture(uri))))


if __name__ == "__main__":
    main()
