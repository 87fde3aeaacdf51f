"""The JSON text of what Agora sends: responses, and live messages.

orjson makes it several times faster than the standard library on a page of results. Text
orjson refuses (half a surrogate pair, quoted from a request in an error message; an integer
past 64 bits) is made by the standard library instead, which escapes it."""

import json

import orjson


def json_text(value: object) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"))
