"""Loaders: answers loaded ahead for a whole page are at hand, without awaiting."""

import asyncio
import inspect

import pytest

from resolvers import discussions
from resolvers.domain.errors import ValidationFailed
from resolvers.domain.paging import PageRequest
from resolvers.domain.rate_limits import RateLimits
from resolvers.loaders import Loaders, awaited, then
from tests.conftest import actor
from tests.support import active_group

OWNERS = [actor("olga"), actor("omar")]
READER = actor("rita")
FIRST_TWO = PageRequest(first=2, after=None, default_size=20, max_size=100)


def test_then_steps_at_once_from_a_plain_value_or_a_settled_future():
    assert then(2, lambda n: n * 10) == 20

    async def settled() -> None:
        future = asyncio.get_running_loop().create_future()
        future.set_result(3)
        assert then(future, lambda n: then(n + 1, lambda m: m * 10)) == 40

    asyncio.run(settled())


def test_then_is_awaitable_while_the_value_is_not_at_hand_and_chains_steps():
    async def pending() -> None:
        future = asyncio.get_running_loop().create_future()
        later = then(future, lambda n: awaited(n * 10))
        assert inspect.isawaitable(later)
        future.set_result(4)
        assert await awaited(later) == 40

    asyncio.run(pending())


def test_then_raises_at_once_what_a_settled_future_failed_with():
    async def failed() -> None:
        future = asyncio.get_running_loop().create_future()
        future.set_exception(LookupError("gone"))
        with pytest.raises(LookupError, match="gone"):
            then(future, lambda n: n)

    asyncio.run(failed())


@pytest.fixture
async def groups(store, clock):
    docs = []
    for owner in OWNERS:
        await store.users.record(actor=owner, now=clock())
        group = await active_group(store, clock(), owner, title=f"Games with {owner.name}")
        for n in range(3):
            await discussions.start_discussion(
                store=store, actor=owner, group_id=str(group["_id"]), title=f"Topic {n}",
                body="Which games work best?", now=clock(), limits=RateLimits({}))
        docs.append(group)
    return docs


async def test_a_page_loaded_ahead_answers_its_groups_at_once(store, groups):
    loaders = Loaders(store, READER)
    await loaders.load_ahead(groups, owners=True, discussions=[FIRST_TWO])
    for group in groups:
        owner = loaders.users.load(group["owner_id"])
        assert owner.done() and owner.result()["name"] == group["owner_id"].title()
        page = loaders.first_discussions(group=group, viewer_role=None, page=FIRST_TWO)
        assert not inspect.isawaitable(page)
        assert page is not None and len(page.items) == 2 and page.has_next_page


async def test_without_loading_ahead_each_group_awaits_its_answer(store, groups):
    loaders = Loaders(store, READER)
    page = loaders.first_discussions(group=groups[0], viewer_role=None, page=FIRST_TWO)
    assert inspect.isawaitable(page)
    found = await awaited(page)
    assert found is not None and len(found.items) == 2


async def test_a_page_size_out_of_bounds_is_not_loaded_ahead_but_left_to_report(store, groups):
    loaders = Loaders(store, READER)
    too_many = PageRequest(first=500, after=None, default_size=20, max_size=100)
    await loaders.load_ahead(groups, owners=False, discussions=[too_many])
    with pytest.raises(ValidationFailed, match="first must be between 1 and 100"):
        loaders.first_discussions(group=groups[0], viewer_role=None, page=too_many)
