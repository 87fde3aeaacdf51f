"""Every query the stores send is read through an index: on the embedded database on a file
(SQLite's query plan) and on real MongoDB (no collection scan); `docs/indexes.md` lists them."""

import os
from pathlib import Path

import pytest

from api.embedded import embedded_database
from tests.api.indexes import Shape, capture, render

DOCS = Path(__file__).parents[2] / "docs" / "indexes.md"


@pytest.fixture(scope="module")
async def on_file(tmp_path_factory: pytest.TempPathFactory) -> dict[Shape, str | None]:
    with embedded_database(path=tmp_path_factory.mktemp("indexes") / "agora.sqlite3") as uri:
        return await capture(uri)


async def test_every_store_query_is_read_through_an_index_on_the_embedded_database(on_file):
    unindexed = [shape for shape, index in on_file.items() if index is None]
    assert not unindexed, render({shape: None for shape in unindexed})


async def test_the_index_docs_match_what_the_stores_send(on_file):
    assert DOCS.read_text() == render(on_file), (
        "docs/indexes.md is stale: run `.venv/bin/python -m tests.api.indexes "
        "> docs/indexes.md`")


@pytest.mark.real_mongodb
async def test_no_store_query_scans_a_collection_on_real_mongodb():
    plans = await capture(os.environ["APP_MONGODB_URI"])
    scans = [shape for shape, index in plans.items() if index is None]
    assert not scans, render({shape: None for shape in scans})
