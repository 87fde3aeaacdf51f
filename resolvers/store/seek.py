"""Reading a page of a list from a cursor, either way: the query every list's page makes.

A list has an order: keys, each ascending or descending, the last one unique. A page reads
from a `Seek` on: after a position (`first`/`after`), or before it (`last`/`before`), the order
then reversed in the query, which the same index serves. A second, one-document query says
whether anything lies behind the start, so a page knows whether one comes before it.
"""

from collections.abc import Callable, Mapping
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from resolvers.domain.paging import Seek

Order = list[tuple[str, int]]


def _from(order: Order, keys: tuple[Any, ...], *, backward: bool, inclusive: bool = False
          ) -> dict[str, Any]:
    """Documents past `keys` in `order` (before them if `backward`), and those at `keys`
    when `inclusive`."""
    clauses = []
    for index, (field, direction) in enumerate(order):
        onward = (direction == ASCENDING) != backward
        operator = "$gt" if onward else "$lt"
        if inclusive and index == len(order) - 1:
            operator += "e"
        clause: dict[str, Any] = {name: keys[at] for at, (name, _) in enumerate(order[:index])}
        clause[field] = {operator: keys[index]}
        clauses.append(clause)
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


async def read_page[D: Mapping[str, Any]](
    collection: AsyncCollection[D], query: dict[str, Any], order: Order, seek: Seek,
    limit: int, keys: Callable[[str], tuple[Any, ...]],
) -> tuple[list[D], bool]:
    """Up to `limit` documents matching `query`, from `seek` on in reading order (reversed
    when it reads backward); and whether any lies behind the start. `keys` turns a cursor
    position into the document's values of the order's keys."""
    sort = [(field, -direction if seek.backward else direction) for field, direction in order]
    if seek.position is None:
        return await collection.find(query).sort(sort).limit(limit).to_list(), False
    at = keys(seek.position)
    onward = {"$and": [query, _from(order, at, backward=seek.backward)]}
    docs = await collection.find(onward).sort(sort).limit(limit).to_list()
    behind = {"$and": [query, _from(order, at, backward=not seek.backward, inclusive=True)]}
    return docs, await collection.find_one(behind, {"_id": 1}) is not None
