"""Reads the embedded database on a file answers from its indexes.

mongoeco's SQLite engine keeps every collection in one `documents` table and builds each
compound index as an SQLite expression index, but its queries filter and sort on other
expressions, so SQLite never uses those indexes: a page of one discussion costs what the whole
collection holds (`../shared/research/mongoeco-at-scale.md`). Before each find, `indexed_plan`
looks for a compound index that serves the query and, when one does, writes the SQL in the
index's own expressions:

- the equality (or `$in`) fields that lead the index, and a range on the field after them,
  become index bounds;
- a sort on the fields that follow, all in the index's directions or all reversed, is read in
  index order, so a limit stops the walk;
- the whole filter, as mongoeco translates it, still applies to every row the index yields, so
  the answer is exactly the engine's; the bounds only spare the rows that cannot match.

A lookup of `_id`s by `$in` (every DataLoader's batch) reads the primary key. So do ranges and
sorts on `_id` in the event log, whose `_id`s are fixed-width numbers, so that the primary key's
order (mongoeco's `repr` of each id) is theirs.

The bounds are exact for fields that hold scalars of one type, which MongoDB's own rule for
compound indexes (at most one array field) and Agora's documents guarantee: Agora indexes arrays
(topics, languages, terms) alone, never in a compound index. A query this does not recognise
runs as mongoeco plans it.
"""

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from mongoeco.core.query_plan import (
    AndCondition,
    EqualsCondition,
    GreaterThanCondition,
    GreaterThanOrEqualCondition,
    InCondition,
    LessThanCondition,
    LessThanOrEqualCondition,
    QueryNode,
)
from mongoeco.engines.sqlite_planner import SQLiteReadExecutionPlan
from mongoeco.engines.sqlite_query import (
    translate_query_plan,
    type_expression_sql,
    value_expression_sql,
)

from subscriptions.log import LOG_COLLECTION

RANGES: dict[type[QueryNode], str] = {
    GreaterThanCondition: ">",
    GreaterThanOrEqualCondition: ">=",
    LessThanCondition: "<",
    LessThanOrEqualCondition: "<=",
}
#: Types whose tagged form sorts as MongoDB sorts them (ISO datetimes, hex object ids).
TAGGED = frozenset({"datetime", "objectid"})
PLAIN_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Collections whose `_id`s all sort as mongoeco's primary keys do.
KEYED_IN_ORDER = frozenset({LOG_COLLECTION})

Key = tuple[str, Any]


def _conjuncts(plan: QueryNode) -> Iterator[QueryNode]:
    if isinstance(plan, AndCondition):
        for clause in plan.clauses:
            yield from _conjuncts(clause)
    else:
        yield plan


def _key_of(encode: Callable[[dict[str, Any]], dict[str, Any]], value: Any) -> Key | None:
    """The (type, value) pair an index holds for `value`, or None for values whose index
    order differs from MongoDB's (booleans, nulls, documents, arrays)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return "", value
    encoded = encode({"v": value})["v"]
    tagged = encoded.get("$mongoeco") if isinstance(encoded, dict) else None
    if not isinstance(tagged, dict) or tagged.get("type") not in TAGGED:
        return None
    return str(tagged["type"]), tagged["value"]


class _Bounds:
    """What the query's conjuncts say of each field, in index terms."""

    def __init__(self, plan: QueryNode, encode: Callable[[dict[str, Any]], dict[str, Any]]):
        self.equal: dict[str, list[Key]] = {}
        self.values: dict[str, tuple[Any, ...]] = {}
        self.ranges: dict[str, list[tuple[str, Key]]] = {}
        for condition in _conjuncts(plan):
            field = getattr(condition, "field", None)
            if not isinstance(field, str) or not PLAIN_FIELD.match(field):
                continue
            if isinstance(condition, EqualsCondition):
                key = _key_of(encode, condition.value)
                if key is not None:
                    self.equal[field] = [key]
                    self.values[field] = (condition.value,)
            elif isinstance(condition, InCondition) and condition.values:
                keys = [_key_of(encode, value) for value in condition.values]
                if None not in keys and len({key[0] for key in keys if key}) == 1:
                    self.equal.setdefault(field, [key for key in keys if key])
                    self.values.setdefault(field, condition.values)
            elif type(condition) in RANGES:
                key = _key_of(encode, condition.value)
                if key is not None:
                    self.ranges.setdefault(field, []).append((RANGES[type(condition)], key))


def _serving(index: dict[str, Any], bounds: _Bounds, sort: Sequence[tuple[str, int]]
             ) -> tuple[int, bool] | None:
    """How many leading fields of `index` the query pins by equality, and whether the index's
    order (or its reverse) is the query's sort; None if the index does not serve it."""
    keys = list(index["key"])
    if (index.get("sparse") or index.get("partial_filter_expression") or index.get("hidden")
            or index.get("collation") or not index.get("physical_name") or len(keys) < 2):
        return None
    pinned = 0
    while pinned < len(keys) and keys[pinned][0] in bounds.equal:
        pinned += 1
    wanted = [(field, direction) for field, direction in sort
              if field not in dict(keys[:pinned])]
    following = keys[pinned:pinned + len(wanted)]
    if [field for field, _ in following] != [field for field, _ in wanted]:
        return None
    same = [want == have for (_, want), (_, have) in zip(wanted, following, strict=True)]
    if (any(same) and not all(same)) or not (pinned or wanted):
        return None
    return pinned, bool(wanted) and not same[0]


def indexed_plan(engine: Any, db_name: str, coll_name: str, semantics: Any,
                 select_clause: str) -> SQLiteReadExecutionPlan | None:
    """An SQL plan that reads `semantics`' query through an index, or None."""
    if (semantics.collation is not None or semantics.text_query is not None
            or semantics.hint is not None):
        return None
    try:
        where, where_params = translate_query_plan(semantics.query_plan)
    except (NotImplementedError, TypeError):
        return None
    bounds = _Bounds(semantics.query_plan, engine._codec.encode)
    sort = list(semantics.sort or [])
    ids = bounds.values.get("_id")
    if ids is not None and not sort:
        return _plan(db_name, coll_name, semantics, select_clause, source="documents",
                     conditions=[f"storage_key IN ({', '.join('?' * len(ids))})"],
                     params=[engine._storage_key(value) for value in ids],
                     where=(where, where_params), order="")
    if coll_name in KEYED_IN_ORDER:
        keyed = _by_primary_key(engine, bounds, sort)
        if keyed is not None:
            conditions, params, order = keyed
            return _plan(db_name, coll_name, semantics, select_clause, source="documents",
                         conditions=conditions, params=params, where=(where, where_params),
                         order=order)
    best: tuple[int, bool, dict[str, Any]] | None = None
    for index in engine._load_indexes(db_name, coll_name):
        served = _serving(index, bounds, sort)
        if served is not None and (best is None or served[0] > best[0]):
            best = (*served, index)
    if best is None:
        return None
    pinned, reverse, index = best
    keys = list(index["key"])
    conditions: list[str] = []
    params: list[Any] = []
    for field, _ in keys[:pinned]:
        values = bounds.equal[field]
        conditions.append(f"{type_expression_sql(field)} = ?")
        params.append(values[0][0])
        if len(values) == 1:
            conditions.append(f"{value_expression_sql(field)} = ?")
        else:
            conditions.append(f"{value_expression_sql(field)} IN ({', '.join('?' * len(values))})")
        params += [value for _, value in values]
    if pinned < len(keys):
        field = keys[pinned][0]
        for operator, (kind, value) in bounds.ranges.get(field, []):
            conditions += [f"{type_expression_sql(field)} = ?",
                           f"{value_expression_sql(field)} {operator} ?"]
            params += [kind, value]
    order = ""
    if sort:
        by = []
        for field, direction in keys[pinned:]:
            if reverse:
                direction = -direction
            way = "ASC" if direction == 1 else "DESC"
            by += [f"{type_expression_sql(field)} {way}", f"{value_expression_sql(field)} {way}"]
        order = " ORDER BY " + ", ".join(by)
    source = f'documents INDEXED BY "{index["physical_name"]}"'
    return _plan(db_name, coll_name, semantics, select_clause, source=source, conditions=conditions, params=params,
                 where=(where, where_params), order=order)


def _by_primary_key(engine: Any, bounds: _Bounds, sort: Sequence[tuple[str, int]]
                    ) -> tuple[list[str], list[Any], str] | None:
    """Bounds and order on the primary key for a range or sort on `_id` alone."""
    if [field for field, _ in sort] not in ([], ["_id"]) or not (sort or "_id" in bounds.ranges):
        return None
    conditions, params = [], []
    for operator, (kind, value) in bounds.ranges.get("_id", []):
        if kind or not isinstance(value, str):
            return None
        conditions.append(f"storage_key {operator} ?")
        params.append(engine._storage_key(value))
    order = f" ORDER BY storage_key {'DESC' if sort[0][1] == -1 else 'ASC'}" if sort else ""
    return conditions, params, order


def _plan(db_name: str, coll_name: str, semantics: Any, select_clause: str, *, source: str,
          conditions: list[str], params: list[Any], where: tuple[str, list[Any]], order: str
          ) -> SQLiteReadExecutionPlan:
    filter_sql, filter_params = where
    sql = (f"SELECT {select_clause} FROM {source} WHERE db_name = ? AND coll_name = ? AND "
           + " AND ".join([*conditions, f"({filter_sql})"]) + order)
    values: list[Any] = [db_name, coll_name, *params, *filter_params]
    if semantics.limit is not None:
        sql += " LIMIT ?"
        values.append(semantics.limit)
    elif semantics.skip:
        sql += " LIMIT -1"
    if semantics.skip:
        sql += " OFFSET ?"
        values.append(semantics.skip)
    return SQLiteReadExecutionPlan(semantics=semantics, strategy="sql", execution_lineage=(),
                                   physical_plan=(), use_sql=True, sql=sql,
                                   params=tuple(values))
