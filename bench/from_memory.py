"""Agora's server with the group list page's three reads answered from memory: a diagnostic
for `bench.http`, never deployed.

    .venv/bin/python -m bench.from_memory serve --port N   (the arguments of `python -m api`)

Each of the reads (a page of groups, users by id, the first discussions of each group) asks
the database once for each set of arguments and then answers with a copy of what it got. Every
other part of a request runs as deployed, so the page's CPU on this server is the API's own
work without the driver's: the three commands' round trips, encoding and decoding.
"""

import sys
from collections.abc import Awaitable, Callable
from typing import Any

from resolvers.store.discussions import DiscussionStore
from resolvers.store.groups import GroupStore
from resolvers.store.users import UserStore

type Read = Callable[..., Awaitable[list[Any]]]


def remembered(read: Read) -> Read:
    """`read`, asking the database once for each set of (keyword) arguments."""
    answers: dict[str, list[Any]] = {}

    async def answer(store: object, **arguments: Any) -> list[Any]:
        key = repr(sorted(arguments.items()))
        if key not in answers:
            answers[key] = await read(store, **arguments)
        return list(answers[key])

    return answer


def main() -> None:
    GroupStore.page = remembered(GroupStore.page)  # type: ignore[method-assign]
    UserStore.get_many = remembered(UserStore.get_many)  # type: ignore[method-assign]
    DiscussionStore.first_pages = remembered(  # type: ignore[method-assign]
        DiscussionStore.first_pages)
    from api.__main__ import main as api

    api(sys.argv[1:])


if __name__ == "__main__":
    main()
