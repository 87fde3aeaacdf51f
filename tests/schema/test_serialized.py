"""JSON text of responses: orjson, and the standard library for what orjson refuses."""

import json

import pytest

from schema.serialized import json_text


@pytest.mark.parametrize("value", [
    {"data": {"groups": {"edges": [{"node": {"title": "Programación y robótica",
                                             "memberCount": 12, "score": 0.25}}]}}},
    {"errors": [{"message": "Unknown operation named '\ud800'."}]},  # half a surrogate pair
    {"data": {"big": 2**70}},
])
def test_json_text_reads_back_as_the_value_it_was_made_from(value):
    assert json.loads(json_text(value)) == value
