"""Spending a user's write allowance; over the limit, nothing is written."""

from datetime import datetime

from resolvers.domain.actors import Actor
from resolvers.domain.rate_limits import RateLimited, RateLimits
from resolvers.store import Store


async def spend(
    store: Store, limits: RateLimits, actor: Actor, action: str, now: datetime
) -> None:
    """Count one `action` by `actor`; RateLimited when the window's allowance is spent."""
    window = limits.window(action, actor.id, now)
    if window is None:
        return
    if await store.rate_limits.hit(key=window.key, ends_at=window.ends_at) > window.amount:
        raise RateLimited(action, window.retry_after(now))
