"""Test helpers: a movable clock, an ASGI app with its lifespan, GraphQL calls, sample forms."""

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx2
from starlette.types import ASGIApp, Receive, Scope, Send

from resolvers.domain.forms import GroupForm
from resolvers.domain.groups import Participation


@dataclass
class Clock:
    """An injectable clock the tests move by hand; they never sleep."""

    current: datetime

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class LifespanApp:
    """Run a Starlette app's lifespan and hand its state to every request, as a server would."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._stack = AsyncExitStack()
        self._state: dict[str, Any] = {}

    async def __aenter__(self) -> ASGIApp:
        state = await self._stack.enter_async_context(self._app.router.lifespan_context(self._app))
        self._state = dict(state or {})
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"] = dict(self._state)
        await self._app(scope, receive, send)


async def gql(
    http: httpx2.AsyncClient, query: str, variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST a GraphQL operation; return the whole response body."""
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    body: dict[str, Any] = response.json()
    return body


ENGLISH_OBJECTIVES = (
    "Share classroom experiences about teaching mathematics through games, and design "
    "joint projects between primary schools in different countries."
)
SPANISH_OBJECTIVES = (
    "Compartir experiencias de aula sobre la enseñanza de las matemáticas a través del juego "
    "y diseñar proyectos conjuntos entre escuelas de primaria de distintos países."
)


def group_form(**changes: Any) -> GroupForm:
    fields: dict[str, Any] = {
        "title": "Maths through games",
        "description": "A group for primary teachers who teach mathematics with games.",
        "objectives": ENGLISH_OBJECTIVES,
        "participation": Participation.OPEN,
        "languages": ("en", "es"),
        "topics": ("mathematics", "games"),
    }
    fields.update(changes)
    return GroupForm(**fields)


def group_input(**changes: Any) -> dict[str, Any]:
    """The GraphQL `CreateGroupInput` of `group_form(**changes)`."""
    form = group_form(**changes)
    return {
        "title": form.title,
        "description": form.description,
        "objectives": form.objectives,
        "participation": form.participation.value,
        "languages": list(form.languages),
        "topics": list(form.topics),
    }


async def active_group(store: Any, now: datetime, owner: Any, **changes: Any) -> dict[str, Any]:
    """A group proposed by `owner` and approved by the CSS."""
    from resolvers import groups
    from resolvers.domain.actors import Actor, Role
    from resolvers.domain.groups import GroupAction

    css = Actor(id="css-reviewer", name="Reviewer", roles=frozenset({Role.CSS}))
    created = await groups.create_group(
        store=store, actor=owner, form=group_form(**changes), now=now, similar_recorded=0
    )
    return await groups.transition_group(
        store=store, actor=css, group_id=str(created["_id"]), action=GroupAction.APPROVE,
        message=None, now=now,
    )


Documents = dict[str, list[dict[str, Any]]]


async def documents_of(db: Any) -> Documents:
    """Every document of `db`, each collection's in `_id` order: a world built once through
    the use cases, for tests that each need a copy of it."""
    names = await db.list_collection_names()
    read = await asyncio.gather(*(db[name].find().sort("_id", 1).to_list() for name in names))
    return dict(zip(names, read, strict=True))


async def restore(db: Any, documents: Documents) -> Documents:
    """`db` holds `documents` again, and nothing else: the collections that differ are
    written anew. Returns what `documents_of(db)` reads now, without reading it again."""
    existing = set(await db.list_collection_names())
    for name in existing - documents.keys():
        await db.drop_collection(name)
    read = await asyncio.gather(*(db[name].find().sort("_id", 1).to_list()
                                  for name in documents))
    held = {}
    for (name, docs), found in zip(documents.items(), read, strict=True):
        if found != docs:
            await db[name].delete_many({})
            if docs:
                await db[name].insert_many(docs)
        if docs or name in existing:  # an empty collection that was not there is not made
            held[name] = docs
    return held


async def followers_caught_up(store: Any, *names: str, within: float = 60.0) -> None:
    """Wait until each named follower of the log (the notifier, the search indexer) has done
    its work for every event written so far: they run outside the request that wrote it."""
    head = await store.events.head()
    await until(lambda: placed(store, *names, at_least=head), within)


async def placed(store: Any, *names: str, at_least: int | None = None) -> bool:
    """Whether each named follower of the log has taken its place in it (kept in the
    database, and written after its work): events appended after that reach it. With
    `at_least`, whether each has also read that far."""
    for name in names:
        position = await store.positions.get(name)
        if position is None or (at_least is not None and position < at_least):
            return False
    return True


async def until(check: Callable[[], bool | Awaitable[bool]], seconds: float = 10) -> None:
    """Wait until `check()` holds (or its awaitable gives true): for what runs in a task of
    its own (a reader taking a subscriber, a follower its place), instead of a pause that a
    slow machine outlasts."""
    for _ in range(int(seconds / 0.02)):
        held = check()
        if held if isinstance(held, bool) else await held:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not in time")
