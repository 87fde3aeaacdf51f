"""Loaders: first pages of many groups batched, and answers loaded ahead for a whole page at
hand without waiting."""

import asyncio

import pytest

from resolvers import discussions
from resolvers.domain.errors import ValidationFailed
from resolvers.domain.paging import PageRequest
from resolvers.domain.rate_limits import RateLimits
from resolvers.loaders import Loaders
from tests.conftest import actor
from tests.support import active_group

OWNERS = [actor("olga"), actor("omar")]
READER = actor("rita")
FIRST_TWO = PageRequest(first=2, after=None, default_size=20, max_size=100)


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


def settled(coroutine):
    """What `coroutine` returns if it returns without waiting; fails if it would wait."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise AssertionError("it waited")


async def test_a_page_loaded_ahead_answers_its_groups_without_waiting(store, groups):
    loaders = Loaders(store, READER)
    await loaders.discussions_ahead(groups, FIRST_TWO)
    for group in groups:
        page = settled(loaders.first_discussions(group=group, page=FIRST_TWO))
        assert page is not None and len(page.items) == 2 and page.has_next_page


async def test_a_reader_is_refused_only_the_invite_only_groups_they_are_not_in(store, groups):
    await store.groups._collection.update_one({"_id": groups[1]["_id"]},
                                              {"$set": {"participation": "INVITE_ONLY"}})
    closed = await store.groups.get(group_id=str(groups[1]["_id"]))
    loaders = Loaders(store, READER)
    pages = await asyncio.gather(loaders.first_discussions(group=groups[0], page=FIRST_TWO),
                                 loaders.first_discussions(group=closed, page=FIRST_TWO))
    assert pages[0] is not None and len(pages[0].items) == 2
    assert pages[1] is None


async def test_a_page_size_out_of_bounds_is_not_loaded_ahead_but_left_to_report(store, groups):
    loaders = Loaders(store, READER)
    too_many = PageRequest(first=500, after=None, default_size=20, max_size=100)
    await loaders.discussions_ahead(groups, too_many)
    with pytest.raises(ValidationFailed, match="first must be between 1 and 100"):
        await loaders.first_discussions(group=groups[0], page=too_many)


async def test_hundreds_of_keys_load_on_the_embedded_database_on_a_file(file_store):
    """A deep page may ask a loader for thousands of keys at once: they are loaded a few
    hundred a command, which the embedded server on a file accepts (its SQLite refuses an
    `$in` of some five hundred values as an expression too deep)."""
    await file_store.users._collection.insert_many(
        [{"_id": f"user{n}", "name": f"User {n}"} for n in range(600)])
    found = await Loaders(file_store, READER).users.load_many([f"user{n}" for n in range(600)])
    assert [doc["name"] for doc in found] == [f"User {n}" for n in range(600)]
