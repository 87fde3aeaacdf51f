"""User use cases: users are created and refreshed from their tokens."""

from collections import OrderedDict
from datetime import datetime

from resolvers import rate_limits
from resolvers.domain.actors import Actor
from resolvers.domain.errors import ValidationFailed
from resolvers.domain.groups import require_actor
from resolvers.domain.handles import slug
from resolvers.domain.membership import check_may_invite
from resolvers.domain.paging import PageRequest, Slice
from resolvers.domain.rate_limits import RateLimits
from resolvers.groups import visible_group
from resolvers.membership import role_of
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


async def find_teachers(
    *, store: Store, actor: Actor | None, group_id: str, search: str, page: PageRequest,
    limits: RateLimits, now: datetime,
) -> Slice[UserDoc]:
    """For a group's owners and moderators, looking for someone to invite: the teachers
    whose handle (made from their name) starts with `search`, by handle. Only those who have
    signed in once are known, and only their public profile is shown."""
    actor = require_actor(actor)
    group = await visible_group(store, actor, group_id)
    check_may_invite(await role_of(store, group, actor.id), group)
    prefix = slug(search)
    if not prefix:
        raise ValidationFailed("search", "search for at least one letter or digit of a name")
    await rate_limits.spend(store, limits, actor, "findTeachers", now)
    return page.sliced(await store.users.search(prefix=prefix, seek=page.seek(),
                                                limit=page.limit()),
                       lambda doc: doc["handle"])
