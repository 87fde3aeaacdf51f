"""Netiquette use cases: the CSS publishes versions; users accept the current one, on joining
a group or on their own; posting asks for it."""

from datetime import datetime

from resolvers.domain.actors import Actor
from resolvers.domain.errors import InvalidTransition
from resolvers.domain.groups import require_actor
from resolvers.domain.netiquette import (
    NetiquetteDoc,
    accepted_version,
    check_accepted,
    check_may_publish,
    checked_netiquette,
)
from resolvers.store import Store


async def current(store: Store) -> NetiquetteDoc | None:
    return await store.netiquette.current()


async def publish(*, store: Store, actor: Actor | None, text: str, now: datetime
                  ) -> NetiquetteDoc:
    """CSS: a new version, which every member is asked to accept before their next post."""
    actor = require_actor(actor)
    check_may_publish(actor)
    text = checked_netiquette(text)
    latest = await store.netiquette.current()
    doc: NetiquetteDoc = {"_id": (latest["_id"] if latest else 0) + 1, "text": text,
                          "by_id": actor.id, "by_name": actor.name, "at": now}
    published = await store.netiquette.publish(doc=doc)
    if published is None:
        raise InvalidTransition("PUBLISHED", "setNetiquette",
                                "Another version was published meanwhile: read it first")
    return published


async def accepting(store: Store, given: int | None) -> int | None:
    """The version a user accepts by saying `given` (None: the current one, as joining
    does), checked before anything is written; None while there is no netiquette."""
    return accepted_version(await store.netiquette.current(), given)


async def record(store: Store, actor: Actor, version: int | None) -> None:
    if version is not None:
        await store.users.accept_netiquette(user_id=actor.id, version=version)


async def accept(*, store: Store, actor: Actor | None, version: int) -> NetiquetteDoc:
    """The user accepts the current version, which they say is `version`."""
    actor = require_actor(actor)
    await record(store, actor, await accepting(store, version))
    found = await store.netiquette.current()
    assert found is not None
    return found


async def accepted_by(store: Store, actor: Actor) -> int | None:
    user = await store.users.get(user_id=actor.id)
    return None if user is None else user.get("netiquette_version")


async def check_may_post(store: Store, actor: Actor) -> None:
    """NetiquetteNotAccepted unless `actor` accepted the current version (if any)."""
    latest = await store.netiquette.current()
    if latest is not None:
        check_accepted(latest, await accepted_by(store, actor))
