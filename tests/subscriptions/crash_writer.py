"""Run as a script: post, then die between the document write and the log append.

usage: python -m tests.subscriptions.crash_writer MONGODB_URI DATABASE DISCUSSION_ID
"""

import asyncio
import os
import sys
from datetime import UTC, datetime

from pymongo import AsyncMongoClient

from resolvers import discussions
from resolvers.domain.actors import Actor, Role
from resolvers.domain.rate_limits import RateLimits
from resolvers.store import Store
from subscriptions.log import EventLog


async def _die(self: EventLog, event: dict) -> None:
    os._exit(9)  # the process dies: no cleanup, no except, no finally


async def main(uri: str, database: str, discussion_id: str) -> None:
    EventLog.append = _die  # type: ignore[method-assign,assignment]
    client: AsyncMongoClient[dict] = AsyncMongoClient(uri, tz_aware=True)
    author = Actor("mia", "Mia", frozenset({Role.TEACHER}), "ES")
    await discussions.add_post(
        store=Store(client[database]), actor=author, discussion_id=discussion_id,
        body="Written just before the crash", reply_to_id=None, client_mutation_id=None,
        now=datetime.now(UTC), limits=RateLimits({}),
    )


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
