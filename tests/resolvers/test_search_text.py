"""Search served by MongoDB's `$text` (`APP_SEARCH_BACKEND=text`): the same rights, kinds,
groups, pages and highlights as Agora's own index, kept by the same indexer. The embedded
server's `$text` does not stem, so these tests look for whole words; stemming is tested on
real MongoDB."""

import pytest

from resolvers import membership
from resolvers.domain.search import SearchKind
from resolvers.store import Store
from resolvers.store.search_texts import TextSearchStore
from tests.resolvers.test_discussions import OUTSIDER
from tests.resolvers.test_search import (
    edited_then_hidden,
    every_page,
    find,
    found_by_their_stem,
    maps_in_two_groups,
    marked,
    spanish,
    viewer_classes,
)

__all__ = ["spanish"]  # the fixture, over this module's store


@pytest.fixture
async def store(mongo_client, database_name):
    store = Store(mongo_client[database_name], text_search=True)
    await store.ensure_indexes()
    yield store
    await mongo_client.drop_database(database_name)


def test_the_setting_chooses_mongodb_s_text_index(store):
    assert isinstance(store.search, TextSearchStore)


async def test_every_viewer_class_finds_only_what_it_may_read(store, clock, spanish):
    for who, expected in (await viewer_classes(store, clock, spanish)).items():
        assert {text for _, text in await find(store, who, "cometas")} == expected, who.id


async def test_kinds_groups_pages_and_highlights(store, clock, spanish):
    other = await maps_in_two_groups(store, clock, spanish, "Dibujamos mapas del patio, número")
    await membership.join_group(store=store, actor=OUTSIDER, group_id=str(other["_id"]),
                                now=clock())

    only_posts = await find(store, OUTSIDER, "mapas", kinds=[SearchKind.POST])
    assert {kind for kind, _ in only_posts} == {SearchKind.POST} and len(only_posts) == 5
    assert await find(store, OUTSIDER, "mapas", group_id=str(other["_id"])) == [
        (SearchKind.DISCUSSION, "Mapas antiguos")]

    everything = await find(store, OUTSIDER, "mapas")
    items = await every_page(store, OUTSIDER, "mapas", first=3)
    assert [(item.kind, item.doc.get("title") or item.doc.get("body"))
            for item in items] == everything and len(items) == 7
    for item in items:
        assert marked(item) == ["mapas"] or marked(item) == ["Mapas"]


async def test_edits_and_hiding_reach_the_text_index(store, clock, spanish):
    await edited_then_hidden(store, clock, spanish, "lechugas")  # whole words: no stemming


@pytest.mark.real_mongodb
async def test_words_are_found_by_their_stem_in_the_text_s_language(store, clock, spanish):
    await found_by_their_stem(store, clock, spanish)
    assert await find(store, OUTSIDER, "fractions", language="es") == []
