"""Reads the embedded database on a file answers from its indexes.

mongoeco's SQLite engine keeps every collection in one `documents` table. It builds each
compound index as an SQLite expression index, and each single-field index also as tables of
entries, but its queries filter and sort on other expressions, so SQLite seldom uses them: a
page of one discussion costs what the whole collection holds
(`../shared/research/mongoeco-at-scale.md`). Before each find, `indexed_plan` looks for indexes
that serve the query and, when it finds them, writes the SQL so that SQLite reads through them:

- a compound index: the equality (or `$in`) fields that lead it, and a range on the field
  after them, become index bounds, and a sort on the fields that follow (all in the index's
  directions, or all reversed) is read in index order, so a limit stops the walk;
- `_id`: a lookup by `$in` reads the primary key; so does a sort on `_id` alone (with its
  range as bounds) in a collection whose ids sort as the primary key does: the event log's
  fixed-width numbers, and collections whose ids are all ObjectIds;
- a multikey index (topics, terms): an equality, `$in` or `$all` on its field, or an `$or` of
  them, keeps to the documents its entries name;
- `$type: "array"` keeps to a partial index of the documents that hold an array there (the
  outboxes that recovery looks for).

The whole filter, as mongoeco translates it, still applies to every row these yield, so the
answer is exactly the engine's: the bounds only spare the rows that cannot match. The bounds
of a compound index are exact for fields that hold scalars of one type, which MongoDB's own
rule for compound indexes (at most one array field) and Agora's documents guarantee: Agora
indexes arrays alone, never in a compound index. A query none of this serves runs as mongoeco
plans it.
"""

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bson import ObjectId
from mongoeco.core.query_plan import (
    AllCondition,
    AndCondition,
    EqualsCondition,
    GreaterThanCondition,
    GreaterThanOrEqualCondition,
    InCondition,
    LessThanCondition,
    LessThanOrEqualCondition,
    MatchAll,
    OrCondition,
    QueryNode,
    TypeCondition,
)
from mongoeco.engines.sqlite_planner import SQLiteReadExecutionPlan
from mongoeco.engines.sqlite_query import (
    json_path_for_field,
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
#: Collections whose `_id`s are fixed-width numbers: the primary key sorts them.
NUMBERED = frozenset({LOG_COLLECTION})

Key = tuple[str, Any]  # (type, value) as an index holds a value
Sql = tuple[str, list[Any]]


def _conjuncts(plan: QueryNode) -> Iterator[QueryNode]:
    if isinstance(plan, AndCondition):
        for clause in plan.clauses:
            yield from _conjuncts(clause)
    else:
        yield plan


def _plain(name: object) -> bool:
    return isinstance(name, str) and name.isidentifier()


@dataclass
class _Bounds:
    """What the query's conjuncts say of each top-level field, in index terms."""

    equal: dict[str, list[Key]] = field(default_factory=dict)
    values: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    ranges: dict[str, list[tuple[str, Key, Any]]] = field(default_factory=dict)

    @classmethod
    def of(cls, plan: QueryNode, encode: Callable[[dict[str, Any]], dict[str, Any]]
           ) -> "_Bounds":
        bounds = cls()
        for condition in _conjuncts(plan):
            name = getattr(condition, "field", None)
            if not isinstance(name, str) or not _plain(name):
                continue
            if isinstance(condition, EqualsCondition | InCondition):
                values = (condition.values if isinstance(condition, InCondition)
                          else (condition.value,))
                keys = [_key_of(encode, value) for value in values]
                if values and None not in keys and len({key[0] for key in keys if key}) == 1:
                    bounds.equal.setdefault(name, [key for key in keys if key])
                    bounds.values.setdefault(name, values)
            elif isinstance(condition, GreaterThanCondition | GreaterThanOrEqualCondition
                            | LessThanCondition | LessThanOrEqualCondition):
                key = _key_of(encode, condition.value)
                if key is not None:
                    bounds.ranges.setdefault(name, []).append(
                        (RANGES[type(condition)], key, condition.value))
        return bounds


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


@dataclass
class _Read:
    """Where a read's rows come from, what bounds them, and in which order."""

    source: str = "documents"
    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    order: str = ""

    def bound(self, sql: str, *params: Any) -> None:
        self.conditions.append(sql)
        self.params += params


def indexed_plan(engine: Any, db_name: str, coll_name: str, semantics: Any,
                 select_clause: str) -> SQLiteReadExecutionPlan | None:
    """An SQL plan that reads `semantics`' query through indexes, or None."""
    if (semantics.collation is not None or semantics.text_query is not None
            or semantics.hint is not None):
        return None
    sort = [(name, int(direction)) for name, direction in semantics.sort or []]
    plan = _pruned(semantics.query_plan)
    if plan is None:  # it matches no document
        return _plan(db_name, coll_name, semantics, select_clause, _Read(conditions=["0 = 1"]),
                     ("1 = 1", []), residual=None)
    pruned = plan is not semantics.query_plan
    # mongoeco's SQL for a path into arrays is not exact: the engine filters those in Python.
    # So does this plan, after the bounds, which it can do for a read in no order.
    in_python = not all(map(_plain, _fields(plan)))
    if in_python and sort:
        return None
    try:
        where = ("1 = 1", []) if in_python else translate_query_plan(plan)
    except (NotImplementedError, TypeError):
        return None
    bounds = _Bounds.of(plan, engine._codec.encode)
    postings = list(_postings(engine, db_name, coll_name, plan))

    def in_id_order() -> _Read | None:
        return _by_id_order(engine, db_name, coll_name, postings, bounds, sort)

    def by_compound_index() -> _Read | None:
        return _by_compound_index(engine, db_name, coll_name, bounds, sort)

    # The documents a multikey index names are fewer than those of any status or country.
    first, then = (in_id_order, by_compound_index) if postings else (by_compound_index,
                                                                      in_id_order)
    read = _by_ids(engine, bounds, sort) or first() or then()
    if read is None and pruned:
        read = _Read()  # every document, but not the engine's SQL for the query as it came
    if read is None:
        return None
    return _plan(db_name, coll_name, semantics, select_clause, read, where,
                 residual=plan if in_python else None)


def _pruned(plan: QueryNode) -> QueryNode | None:
    """`plan` without the `$in`s of no values, which match nothing (mongoeco writes SQL that
    SQLite refuses for one on a multikey index); None when then nothing can match."""
    if isinstance(plan, InCondition) and not plan.values:
        return None
    if not isinstance(plan, AndCondition | OrCondition) or not plan.clauses:
        return plan
    clauses = [_pruned(clause) for clause in plan.clauses]
    kept = tuple(clause for clause in clauses if clause is not None)
    if (isinstance(plan, AndCondition) and len(kept) < len(clauses)) or not kept:
        return None
    if all(new is old for new, old in zip(clauses, plan.clauses, strict=True)):
        return plan
    return kept[0] if len(kept) == 1 else replace(plan, clauses=kept)


def _fields(plan: QueryNode) -> Iterator[object]:
    """The field each condition of `plan` names (an object for a condition this cannot
    read, so that it counts as not plain)."""
    if isinstance(plan, AndCondition | OrCondition):
        for clause in plan.clauses:
            yield from _fields(clause)
    elif not isinstance(plan, MatchAll):
        yield getattr(plan, "field", plan)


def _storage_key(engine: Any, value: Any) -> str:
    """The primary key of a document whose `_id` is `value`, from the value as the engine
    stores it (its own ObjectId type, say, whichever the query came with)."""
    stored = engine._codec.decode(engine._codec.encode({"v": value}))["v"]
    return str(engine._storage_key(stored))


def _by_ids(engine: Any, bounds: _Bounds, sort: list[tuple[str, int]]) -> _Read | None:
    """A lookup of `_id`s: their primary keys."""
    ids = bounds.values.get("_id")
    if ids is None or sort:
        return None
    read = _Read()
    read.bound(f"storage_key IN ({', '.join('?' * len(ids))})",
               *[_storage_key(engine, value) for value in ids])
    return read


def _serving(index: dict[str, Any], bounds: _Bounds, sort: Sequence[tuple[str, int]]
             ) -> tuple[int, bool] | None:
    """How many leading fields of `index` the query pins by equality, and whether it reads
    them in reverse; None if the index serves neither the filter nor the sort."""
    keys = list(index["key"])
    if (index.get("sparse") or index.get("partial_filter_expression") or index.get("hidden")
            or index.get("collation") or not index.get("physical_name") or len(keys) < 2
            or not all(_plain(name) for name, _ in keys)):
        return None
    pinned = 0
    while pinned < len(keys) and keys[pinned][0] in bounds.equal:
        pinned += 1
    wanted = [(name, direction) for name, direction in sort
              if name not in dict(keys[:pinned])]
    following = keys[pinned:pinned + len(wanted)]
    if [name for name, _ in following] != [name for name, _ in wanted]:
        return None
    same = [want == have for (_, want), (_, have) in zip(wanted, following, strict=True)]
    if (any(same) and not all(same)) or not (pinned or wanted):
        return None
    return pinned, bool(wanted) and not same[0]


def _by_compound_index(engine: Any, db_name: str, coll_name: str, bounds: _Bounds,
                       sort: list[tuple[str, int]]) -> _Read | None:
    best: tuple[int, bool, dict[str, Any]] | None = None
    for index in engine._load_indexes(db_name, coll_name):
        served = _serving(index, bounds, sort)
        if served is not None and (best is None or served[0] > best[0]):
            best = (*served, index)
    if best is None:
        return None
    pinned, reverse, index = best
    keys = list(index["key"])
    read = _Read(source=f'documents INDEXED BY "{index["physical_name"]}"')
    for name, _ in keys[:pinned]:
        values = bounds.equal[name]
        read.bound(f"{type_expression_sql(name)} = ?", values[0][0])
        read.bound(f"{value_expression_sql(name)} IN ({', '.join('?' * len(values))})",
                   *[value for _, value in values])
    if pinned < len(keys):
        name = keys[pinned][0]
        for operator, (kind, value), _ in bounds.ranges.get(name, []):
            read.bound(f"{type_expression_sql(name)} = ?", kind)
            read.bound(f"{value_expression_sql(name)} {operator} ?", value)
    if sort:
        by = []
        for name, direction in keys[pinned:]:
            way = "ASC" if (direction == 1) != reverse else "DESC"
            by += [f"{type_expression_sql(name)} {way}", f"{value_expression_sql(name)} {way}"]
        read.order = " ORDER BY " + ", ".join(by)
    return read


def _by_id_order(engine: Any, db_name: str, coll_name: str, postings: list[Sql],
                 bounds: _Bounds, sort: list[tuple[str, int]]) -> _Read | None:
    """A read in `_id` order, or one `postings` narrow, through the primary key."""
    read = _Read()
    for sql, params in postings:
        read.bound(sql, *params)
    by_id = [name for name, _ in sort] == ["_id"]
    if (sort and not by_id) or not (by_id or read.conditions or "_id" in bounds.ranges):
        return None
    if by_id or "_id" in bounds.ranges:
        kind = _id_kind(engine, db_name, coll_name)
        if kind is None:
            return None
        for operator, _, value in bounds.ranges.get("_id", []):
            if not isinstance(value, kind):
                return None
            read.bound(f"storage_key {operator} ?", _storage_key(engine, value))
    if by_id:
        read.order = f" ORDER BY storage_key {'ASC' if sort[0][1] == 1 else 'DESC'}"
    return read


def _id_kind(engine: Any, db_name: str, coll_name: str) -> type | None:
    """The one type of the collection's `_id`s if the primary key sorts them as MongoDB does,
    else None: fixed-width numbers in the log, or ObjectIds (their keys differ only in their
    fixed-width hex), which the primary key's range shows at once."""
    if coll_name in NUMBERED:
        return str
    prefix = _storage_key(engine, ObjectId("0" * 24)).split("ObjectId(")[0]
    stray = engine._require_connection().execute(
        "SELECT 1 FROM documents WHERE db_name = ? AND coll_name = ? AND storage_key < ? "
        "UNION ALL SELECT 1 FROM documents WHERE db_name = ? AND coll_name = ? "
        "AND storage_key >= ? LIMIT 1",
        (db_name, coll_name, prefix, db_name, coll_name, prefix + "\U0010ffff")).fetchone()
    return None if stray else ObjectId


def holds_array(path: str) -> str:
    """SQL true of the documents that hold an array at `path`, as mongoeco asks it: the
    partial index `hold_arrays` makes answers it."""
    return f"json_type(document, {_path_literal(path)}) = 'array'"


def hold_arrays(connection: Any, path: str) -> None:
    """Make the partial index of the documents that hold an array at `path`. It is keyed on
    the same expression as `holds_array` asks, so that SQLite, which knows no sizes, prefers
    it to any other index. Made with the collection's indexes, never while reading."""
    literal = _path_literal(path)
    name = "holding_" + hashlib.sha1(literal.encode()).hexdigest()[:16]
    connection.execute(
        f'CREATE INDEX IF NOT EXISTS "{name}" ON documents '
        f"(db_name, coll_name, json_type(document, {literal})) "
        f"WHERE json_type(document, {literal}) = 'array'")


def _path_literal(path: str) -> str:
    return "'" + json_path_for_field(path).replace("'", "''") + "'"


def _is_array_type(condition: QueryNode) -> bool:
    """Whether `condition` is `$type: "array"` on a top-level field."""
    return (isinstance(condition, TypeCondition) and _plain(condition.field)
            and set(condition.values) <= {"array", 4})


def _postings(engine: Any, db_name: str, coll_name: str, plan: QueryNode) -> Iterator[Sql]:
    """Bounds from multikey indexes: for each conjunct that asks a multikey-indexed field for
    some values (or an `$or` of such), the documents whose entries hold one of them; and
    for `$type: "array"`, the documents that hold one."""
    for condition in _conjuncts(plan):
        if _is_array_type(condition):
            yield holds_array(condition.field), []  # type: ignore[attr-defined]
            continue
        branches = condition.clauses if isinstance(condition, OrCondition) else (condition,)
        sets = [_posting_sets(engine, db_name, coll_name, branch) for branch in branches]
        if not sets or any(found is None for found in sets):
            continue
        if isinstance(condition, OrCondition):
            anyof = [posting for found in sets if found for posting in found]
            yield ("(" + " OR ".join(sql for sql, _ in anyof) + ")",
                   [param for _, params in anyof for param in params])
        else:
            yield from sets[0] or []


def _posting_sets(engine: Any, db_name: str, coll_name: str, condition: QueryNode
                  ) -> list[Sql] | None:
    """What a multikey index says of one condition: a set of documents to keep to for an
    equality or `$in`, one for each value of an `$all`; None if it says nothing."""
    if not isinstance(condition, EqualsCondition | InCondition | AllCondition):
        return None
    if not _plain(condition.field) or getattr(condition, "null_matches_undefined", False):
        return None
    index = engine._find_multikey_index(db_name, coll_name, condition.field)
    if index is None:
        return None
    collection_id = engine._lookup_collection_id(engine._require_connection(), db_name,
                                                 coll_name)
    if collection_id is None:
        return None
    values = (condition.values if isinstance(condition, InCondition | AllCondition)
              else (condition.value,))
    if not values or any(isinstance(value, dict | list) or value is None for value in values):
        return None
    try:
        keys = [(engine._multikey_type_score(kind), key) for value in values
                for kind, key in engine._multikey_signatures_for_query_value(value)]
    except NotImplementedError:
        return None
    groups = [[key] for key in keys] if isinstance(condition, AllCondition) else [keys]
    return [_holding(collection_id, str(index["name"]), group) for group in groups]


def _holding(collection_id: int, index_name: str, keys: list[tuple[int, str]]) -> Sql:
    """The documents whose entries in the index, as array elements or as scalars, hold one of
    `keys`: for each type of key, its values looked up in the index at once."""
    by_type: dict[int, list[str]] = {}
    for score, key in keys:
        by_type.setdefault(score, []).append(key)
    match = " OR ".join(f"(type_score = ? AND element_key IN ({', '.join('?' * len(values))}))"
                        for values in by_type.values())
    params = [part for score, values in by_type.items() for part in (score, *values)]
    entries = ("SELECT storage_key FROM {table} WHERE collection_id = ? AND index_name = ? "
               f"AND ({match})")
    sql = (f"storage_key IN ({entries.format(table='multikey_entries')} "
           f"UNION {entries.format(table='scalar_index_entries')})")
    return sql, [collection_id, index_name, *params, collection_id, index_name, *params]


def namespace_sql(db_name: str, coll_name: str) -> str:
    """The SQL that keeps to one collection's documents, its names written out: an index
    confined to the collection (`api.embedded`) serves only a query that names it so."""
    def quoted(name: str) -> str:
        return "'" + name.replace("'", "''") + "'"

    return f"db_name = {quoted(db_name)} AND coll_name = {quoted(coll_name)}"


def _plan(db_name: str, coll_name: str, semantics: Any, select_clause: str, read: _Read,
          where: tuple[str, list[Any]], residual: QueryNode | None
          ) -> SQLiteReadExecutionPlan:
    """The plan: SQL that reads through `read`'s bounds and filters by `where`; the filter
    `residual` is then applied in Python, with the limit and skip, if given."""
    filter_sql, filter_params = where
    sql = (f"SELECT {select_clause} FROM {read.source} WHERE {namespace_sql(db_name, coll_name)} "
           "AND " + " AND ".join([*read.conditions, f"({filter_sql})"]) + read.order)
    values: list[Any] = [*read.params, *filter_params]
    if residual is not None:
        return SQLiteReadExecutionPlan(
            semantics=semantics, strategy="sql", execution_lineage=(), physical_plan=(),
            use_sql=True, sql=sql, params=tuple(values), apply_python_residual=True,
            residual_query_plan=residual)
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
