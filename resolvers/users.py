"""User use cases: users are created and refreshed from their tokens."""

from collections import OrderedDict
from datetime import datetime

from resolvers.domain.actors import Actor
from resolvers.store import Store
from resolvers.store.users import UserDoc


class UserRecorder:
    """Records each user from their token on first sight, and again whenever the token says
    something new, without writing on every request."""

    def __init__(self, *, capacity: int = 10_000) -> None:
        self._seen: OrderedDict[str, Actor] = OrderedDict()
        self._capacity = capacity

    async def record(self, *, store: Store, actor: Actor, now: datetime) -> None:
        if self._seen.get(actor.id) == actor:
            self._seen.move_to_end(actor.id)
            return
        await store.users.record(actor=actor, now=now)
        self._seen[actor.id] = actor
        if len(self._seen) > self._capacity:
            self._seen.popitem(last=False)


async def get_user(*, store: Store, user_id: str) -> UserDoc | None:
    return await store.users.get(user_id=user_id)
