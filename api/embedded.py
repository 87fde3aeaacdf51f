"""The embedded database: mongoeco's MongoDB wire-protocol server, in a child process.

`python -m api serve` starts one when no `APP_MONGODB_URI` is given; `python -m api db` runs
one alone so that several API processes can share it; the tests start one in memory.
"""

import asyncio
import contextlib
import contextvars
import functools
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

READY_PREFIX = "listening "
# How long the embedded database may take to open its file: seconds, or half a minute for a
# community of 5,000 groups whose file a new mongoeco version opens first (it rebuilds the
# index entries then, `_rebuild_entries_once`), two minutes from a cold disk.
STARTUP_TIMEOUT = 600.0


def _skip_redundant_id_scan(method: Callable[..., Any], is_numeric: Callable[[Any], bool]) -> Any:
    """mongoeco 4.11 compares a single inserted document's `_id` with every stored one, so each
    insert costs O(collection) (bench/RESULTS.md has the figures). The scan only matters
    for numeric ids (1 == 1.0 in BSON); for ObjectId and string ids the exact storage-key
    lookup that precedes it already proves uniqueness."""

    @functools.wraps(method)
    def checked(self: Any, db_name: str, coll_name: str, document: Any, *args: Any,
                **kwargs: Any) -> Any:
        if kwargs.get("scan_payload_id") and not is_numeric(document.get("_id")):
            kwargs["scan_payload_id"] = False
        return method(self, db_name, coll_name, document, *args, **kwargs)

    return checked


def _read_through_indexes(method: Callable[..., Any]) -> Any:
    """mongoeco 4.11 plans no find through a compound index on a file, so each costs what the
    collection holds; `api.indexed_reads` plans those an index serves."""
    from api.indexed_reads import indexed_plan

    @functools.wraps(method)
    def planned(self: Any, db_name: str, coll_name: str, semantics: Any, *,
                select_clause: str = "document", hint: Any = None) -> Any:
        plan = None if hint is not None else indexed_plan(self, db_name, coll_name, semantics,
                                                          select_clause)
        if plan is None:
            return method(self, db_name, coll_name, semantics, select_clause=select_clause,
                          hint=hint)
        return plan

    return planned


def _publishing_no_changes(method: Callable[..., Any]) -> Any:
    """mongoeco 4.11 records every write in a change outbox for its change streams, even with
    no stream open: the whole document serialized, an identity looked up, two rows inserted and
    the outbox compacted, within the write. Its wire server serves no change stream, and Agora
    reads none (its event log is a collection), so every operation is made with publication
    switched off, which mongoeco offers for operations that publish nothing. With nothing
    published, its hand-over to the change-stream hub after each write (a lease, a heartbeat
    thread and several commits) has nothing to hand over: `_nothing_to_hand_over` stands in."""
    from mongoeco.core.operation_context import ChangePublicationPolicy

    @functools.wraps(method)
    def create(self: Any, *args: Any, **kwargs: Any) -> Any:
        return method(self, *args, **{**kwargs, "publication": ChangePublicationPolicy.DISABLED})

    return create


def _nothing_to_hand_over(*_: Any, **__: Any) -> None:
    """mongoeco's `dispatch_committed_changes`, for writes that publish no change."""


async def _on_the_loop(self: Any, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """mongoeco 4.11's `SQLiteEngine._run_blocking`, on the event loop's thread. mongoeco hands
    each operation to a pool of threads and waits for it on the loop: a hand-over each way, and
    the interpreter's lock passed between the threads, for work that one lock serialises
    anyway. The server is a process of its own serving one engine, so each operation now runs
    where it is asked for, in a copy of the caller's context as before. In the benchmark's
    mix of reads and writes (20 to 1, the embedded database on a file) the API answered about
    half as many requests again (bench/RESULTS.md)."""
    return contextvars.copy_context().run(func, *args, **kwargs)


def _confined(method: Callable[..., Any]) -> Any:
    """mongoeco 4.11 keeps every collection in one table, and builds each index of a
    collection as an SQLite index over that whole table: every document of every collection
    is in every index (as nulls), which each write keeps up to date and the file stores. After
    it makes an index, `_confine` remakes the collection's indexes partial to its documents,
    and the new index reads its entries through the shared SQLite index
    (`_share_entry_indexes`)."""

    @functools.wraps(method)
    def create(self: Any, db_name: str, coll_name: str, *args: Any, **kwargs: Any) -> Any:
        name = method(self, db_name, coll_name, *args, **kwargs)
        with self._lock:
            connection = self._require_connection()
            _confine(connection, db_name, coll_name, self._load_indexes(db_name, coll_name))
            _share_entry_indexes(connection)
            self._invalidate_index_cache()
        return name

    return create


def _confine(connection: Any, db_name: str, coll_name: str, indexes: list[Any]) -> None:
    """Each index of the collection, partial to its documents, so that it holds and costs only
    those. Only reads that name the collection as literals can use one, which
    `api.indexed_reads` writes; mongoeco's own SQL never reads these indexes (it filters on
    other expressions). An index made before is remade so, once.

    mongoeco also asks, before many reads and before every insert under a unique index,
    whether any document of the collection holds an array at a path (an index's field, or a
    path leading to it); it forgets the answer at every write, so the question costs a scan of
    the collection each time. For each such path, a partial index of the documents that hold
    an array there answers it instead (`api.indexed_reads.hold_arrays`)."""
    from mongoeco.engines.sqlite_query import path_array_prefixes

    from api.indexed_reads import hold_arrays, namespace_sql

    confinement = f"WHERE {namespace_sql(db_name, coll_name)}"
    for index in indexes:
        physical = index.get("physical_name")
        found = physical and connection.execute(
            "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?", (physical,)
        ).fetchone()
        if found and found[0] and not found[0].endswith(confinement):
            connection.execute(f'DROP INDEX "{physical}"')
            connection.execute(f"{found[0]} {confinement}")
        for field in index["fields"]:
            for path in (field, *path_array_prefixes(field)):
                hold_arrays(connection, path)
    if connection.in_transaction:
        connection.commit()


def _reads_on_the_engine_s_connection(method: Callable[..., bool]) -> Any:
    """mongoeco 4.11 opens a new SQLite connection for each read of more than one document
    from a file, so that a long read may run beside writes: each read then pays a connect,
    its pragmas, a parse of the schema and an empty page cache, about a fifth of the
    database's CPU in a run of `addPost`s. Reads use the engine's own connection instead,
    under its lock, as its one-document reads and its reads in a transaction do: Agora's
    reads are pages, short, and the measured effect was faster reads and writes alike, and
    more of them under load (bench/RESULTS.md)."""

    @functools.wraps(method)
    def never(self: Any, context: Any) -> bool:
        self._ensure_session_can_use_engine(context)
        return False

    return never


# SQLite's page cache for each connection to a file, in KiB (its default is 2,000 KiB).
PAGE_CACHE_KIB = 262_144


def _with_page_cache(method: Callable[..., Any]) -> Any:
    """SQLite keeps 2 MB of a file's pages in memory by default: a community of thousands of
    groups then reads most pages of each B-tree it walks through the operating system again,
    and each read costs more as the file grows. Each connection keeps up to `PAGE_CACHE_KIB`."""

    @functools.wraps(method)
    def create(self: Any, *args: Any, **kwargs: Any) -> Any:
        connection = method(self, *args, **kwargs)
        connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        return connection

    return create


# The one SQLite index over each table of index entries, which every index of every
# collection reads (`_share_entry_indexes`).
SHARED_ENTRY_INDEXES = {"scidx_agora": "scalar_index_entries", "mkidx_agora": "multikey_entries"}


def _make_shared_entry_indexes(connection: Any) -> None:
    for name, table in SHARED_ENTRY_INDEXES.items():
        connection.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON {table} '
                           "(collection_id, index_name, type_score, element_key, storage_key)")


def _share_entry_indexes(connection: Any) -> None:
    """mongoeco 4.11 keeps the entries of every single-field and multikey index in two tables,
    and makes for each index an SQLite index over the whole table, all alike: their keys lead
    with the collection and the index's name, so each serves every index, and each entry was
    stored, and written, once for every index there is (twenty times at size S, most of the
    file). Every index reads one shared SQLite index instead, from when the file opens and
    from when an index is made; an index that becomes multikey later finds its name in the
    catalogue already."""
    scalar, multikey = SHARED_ENTRY_INDEXES
    connection.execute("UPDATE indexes SET scalar_physical_name = ? "
                       "WHERE scalar_physical_name IS NOT NULL", (scalar,))
    connection.execute("UPDATE indexes SET multikey_physical_name = ?", (multikey,))
    tables = ", ".join(f"'{table}'" for table in SHARED_ENTRY_INDEXES.values())
    for (name,) in connection.execute(
            f"SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ({tables}) "
            "AND (name LIKE 'scidx_%' OR name LIKE 'mkidx_%')").fetchall():
        if name not in SHARED_ENTRY_INDEXES:
            connection.execute(f'DROP INDEX "{name}"')
    _make_shared_entry_indexes(connection)
    if connection.in_transaction:
        connection.commit()


def _keep_shared_entry_indexes(method: Callable[..., Any]) -> Any:
    """mongoeco drops an index's SQLite index of entries with the index, its collection or
    its database: the shared ones are made again at once, for the indexes that remain."""

    @functools.wraps(method)
    def drop(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        with self._lock:
            connection = self._require_connection()
            _make_shared_entry_indexes(connection)
            if connection.in_transaction:
                connection.commit()
        return result

    return drop


# Where a file records which mongoeco version last rebuilt its index entries.
ENTRIES_REBUILT = "index entries rebuilt by mongoeco"


def _no_collection(*_: Any, **__: Any) -> None:
    return None


def _rebuild_entries_once(method: Callable[..., None]) -> Any:
    """mongoeco 4.11 rebuilds every collection's scalar index entries each time it opens a
    file, before it listens: it reads every document (about two minutes at size L of the
    scale benchmark, longer than a start may take). Its writes keep those entries current in
    the transaction that changes a document, and making an index writes them for the
    documents there are, so a file needs them rebuilt only when a mongoeco version opens it
    for the first time; the file records which version last did. Before that, a file made
    before shares its indexes of entries (`_share_entry_indexes`)."""
    from mongoeco import __version__ as version

    @functools.wraps(method)
    def backfill(self: Any, conn: Any) -> None:
        _share_entry_indexes(conn)
        conn.execute("CREATE TABLE IF NOT EXISTS agora_engine "
                     "(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        rebuilt_by = conn.execute("SELECT value FROM agora_engine WHERE key = ?",
                                  (ENTRIES_REBUILT,)).fetchone()
        if rebuilt_by == (version,):
            # The catalogue's part only: finding no collection, it rebuilds no entries.
            self._lookup_collection_id = _no_collection
            try:
                method(self, conn)
            finally:
                del self._lookup_collection_id
            return
        method(self, conn)
        conn.execute("INSERT OR REPLACE INTO agora_engine (key, value) VALUES (?, ?)",
                     (ENTRIES_REBUILT, version))

    return backfill


def patch_mongoeco() -> None:
    from mongoeco.api._async.collection import AsyncCollection
    from mongoeco.cxp.exchange import projection
    from mongoeco.engines import memory, sqlite

    # Every `explain` reports which compatibility profiles mongoeco meets, from a catalogue
    # it reads and validates against its JSON Schema each time: 0.3 to 0.5 s of the server's
    # CPU an explain, nearly all of it. The catalogue is a file of the installed package and
    # the object it gives is immutable, so it is read once.
    read = projection.load_mongodb_catalog  # type: ignore[attr-defined]
    if not hasattr(read, "cache_info"):
        projection.load_mongodb_catalog = functools.cache(read)  # type: ignore[attr-defined]

    for module, owner, name in (
        (memory, memory.MemoryEngine, "_ensure_unique_indexes"),
        (sqlite, sqlite.SQLiteEngine, "_validate_document_against_unique_indexes"),
    ):
        method = getattr(owner, name)
        if not getattr(method, "__wrapped__", None):
            setattr(owner, name, _skip_redundant_id_scan(method, module.id_contains_numeric_value))
    if not getattr(AsyncCollection._new_operation_context, "__wrapped__", None):
        AsyncCollection._new_operation_context = _publishing_no_changes(  # type: ignore[method-assign]
            AsyncCollection._new_operation_context)
    engine = sqlite.SQLiteEngine
    for name, patch in (
        ("_create_index_sync", _confined),
        ("_compile_read_execution_plan", _read_through_indexes),
        ("dispatch_committed_changes",
         lambda method: functools.wraps(method)(_nothing_to_hand_over)),
        ("_backfill_scalar_indexes_sync", _rebuild_entries_once),
        ("_create_sqlite_connection", _with_page_cache),
        ("_can_use_dedicated_reader", _reads_on_the_engine_s_connection),
        *((name, _keep_shared_entry_indexes) for name in (
            "_drop_index_sync", "_drop_indexes_sync", "_drop_collection_sync",
            "_drop_database_sync")),
        ("_run_blocking", lambda method: functools.wraps(method)(_on_the_loop)),
    ):
        method = getattr(engine, name)
        if not getattr(method, "__wrapped__", None):
            setattr(engine, name, patch(method))


async def serve_database(
    *, host: str, port: int, path: Path | None, exit_with_parent: bool = False
) -> None:
    """Run the wire server until SIGTERM or SIGINT (or, with `exit_with_parent`, until
    standard input closes because the parent died); print its URI once it listens."""
    from mongoeco.engines import SQLiteEngine
    from mongoeco.wire import AsyncMongoEcoProxyServer

    patch_mongoeco()
    engine = None
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = SQLiteEngine(str(path))
    server = AsyncMongoEcoProxyServer(engine=engine, host=host, port=port)
    address = await server.start()
    print(f"{READY_PREFIX}{address.uri}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if exit_with_parent:
        threading.Thread(target=_wait_for_eof, args=(loop, stop), daemon=True).start()
    try:
        await stop.wait()
    finally:
        await server.close()


def _wait_for_eof(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    sys.stdin.read()
    loop.call_soon_threadsafe(stop.set)


@contextlib.contextmanager
def embedded_database(
    *, path: Path | None, port: int = 0, startup_timeout: float = STARTUP_TIMEOUT
) -> Iterator[str]:
    """Start `python -m api db` as a child process and yield its URI; stop it on exit.

    `path` None keeps the data in memory.
    """
    command = [sys.executable, "-m", "api", "db", "--port", str(port), "--exit-with-parent"]
    command += ["--memory"] if path is None else ["--path", str(path)]
    # The child's stdin is a pipe only we hold: if we die, it reads EOF and stops too. It runs
    # in a session of its own, so that a terminal's Ctrl-C reaches only us: we stop first,
    # while the database still answers, then stop it.
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        uri = _await_ready(process, startup_timeout)
        yield uri
    finally:
        _stop(process)


def _await_ready(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    # The child prints its address first; `readline` returns "" if it dies or is killed.
    deadline = threading.Timer(timeout, process.kill)
    deadline.start()
    try:
        line = process.stdout.readline()
    finally:
        deadline.cancel()
    if not line.startswith(READY_PREFIX):
        code = process.poll()
        why = (f"within {timeout:.0f} s" if code == -signal.SIGKILL
               else f"(exit code {code})")
        raise RuntimeError(f"the embedded database did not start {why}")
    return line.removeprefix(READY_PREFIX).strip()


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()
