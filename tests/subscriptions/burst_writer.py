"""Run as a script: teachers join a group and post in it as fast as they can, until killed;
or, with `before-count`, one post whose writer dies before the discussion counts it.

usage: python -m tests.subscriptions.burst_writer MONGODB_URI DATABASE DISCUSSION_ID MODE
"""

import asyncio
import itertools
import os
import sys
from datetime import UTC, datetime

from pymongo import AsyncMongoClient

from resolvers import discussions, membership
from resolvers.domain.actors import Actor, Role
from resolvers.domain.rate_limits import RateLimits
from resolvers.store import Store
from resolvers.store.discussions import DiscussionStore

UNLIMITED = RateLimits({"addPost": "1000000/minute"})


async def _die(*_: object, **__: object) -> None:
    os._exit(9)  # the process dies: no cleanup, no except, no finally


async def main(uri: str, database: str, discussion_id: str, mode: str) -> None:
    if mode == "before-count":
        DiscussionStore.count_post = _die  # type: ignore[method-assign,assignment]
    client: AsyncMongoClient[dict] = AsyncMongoClient(uri, tz_aware=True)  # type: ignore[type-arg]
    store = Store(client[database])
    discussion = await store.discussions.get(discussion_id=discussion_id)
    assert discussion is not None
    for n in itertools.count():
        teacher = Actor(f"teacher-{n}", f"Teacher {n}", frozenset({Role.TEACHER}), "ES")
        await membership.join_group(store=store, actor=teacher, group_id=discussion["group_id"],
                                    now=datetime.now(UTC))
        await discussions.add_post(
            store=store, actor=teacher, discussion_id=discussion_id, body=f"Post {n}",
            reply_to_id=None, client_mutation_id=None, now=datetime.now(UTC), limits=UNLIMITED)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
