"""`python -m api`: serve the API, run the embedded database, mint development tokens."""

import argparse
import asyncio
import contextlib
import gc
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from api.settings import Settings

EMBEDDED_FILE = "agora.sqlite3"
# The collector's thresholds while serving. With thousands of live subscriptions the heap
# holds hundreds of thousands of long-lived objects, and Python's defaults (700, 10, 10) ran
# full collections over all of them, pausing every stream for long (bench.live).
# Collecting the young generation less often lets the short-lived objects of a request or
# an event die between collections, and full collections become rare.
GC_THRESHOLDS = (20_000, 20, 50)
# The WebSocket implementations of `APP_WS_PROTOCOL` that are Agora's; the others are uvicorn's.
WS_PROTOCOLS = {"lean": "api.websocket:LeanWebSocketProtocol"}


@contextlib.contextmanager
def _database(settings: Settings) -> Iterator[Settings]:
    """`settings` with a database: the configured one, or an embedded one under data_dir."""
    if settings.mongodb_uri:
        yield settings
        return
    from api.embedded import embedded_database

    path = settings.data_dir / EMBEDDED_FILE
    print(f"starting the embedded database in {path}", file=sys.stderr)
    with embedded_database(path=path) as uri:
        print(f"embedded database at {uri} (APP_MONGODB_URI for other commands)",
              file=sys.stderr)
        yield settings.model_copy(update={"mongodb_uri": uri})


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from api.app import build_app
    from api.logs import configure_logging

    settings = Settings()
    settings.check_production_safety()
    configure_logging(json_lines=settings.is_production, level=args.log_level.upper())
    gc.freeze()  # what start-up made lives as long as the process: never scan it again
    gc.set_threshold(*GC_THRESHOLDS)
    with _database(settings) as ready:
        uvicorn.run(
            build_app(ready), host=args.host, port=args.port, log_config=None,
            ws_max_size=settings.max_ws_message_bytes,
            ws=WS_PROTOCOLS.get(settings.ws_protocol, settings.ws_protocol),
            ws_per_message_deflate=settings.ws_compression,
            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        )


def database(args: argparse.Namespace) -> None:
    from api.embedded import serve_database

    path = None if args.memory else Path(args.path or Settings().data_dir / EMBEDDED_FILE)
    asyncio.run(
        serve_database(
            host=args.host, port=args.port, path=path, exit_with_parent=args.exit_with_parent
        )
    )


def token(args: argparse.Namespace) -> None:
    from api.auth import mint_token

    print(
        mint_token(
            Settings(),
            sub=args.sub,
            name=args.name,
            roles=args.role or ["TEACHER"],
            country=args.country,
            ttl=timedelta(seconds=args.ttl),
        )
    )


def sweep_inactivity(args: argparse.Namespace) -> None:
    from datetime import UTC, datetime

    from api.lifespan import close_client, mongo_client
    from resolvers.moderation import sweep_inactivity as sweep
    from resolvers.store import Store

    settings = Settings()
    if not settings.mongodb_uri:
        raise RuntimeError(
            "set APP_MONGODB_URI to the API's database (the embedded one runs with "
            "`python -m api db`)"
        )

    def progress(due: int, flagged: int) -> None:
        print(f"checked {due} due groups, flagged {flagged}", file=sys.stderr, flush=True)

    async def run() -> None:
        client = mongo_client(settings)
        try:
            store = Store(client[settings.mongodb_database])
            report = await sweep(store=store, now=datetime.now(UTC), progress=progress)
        finally:
            await close_client(client)
        print(f"period {report.period}: {report.due} groups due, {report.flagged} flagged now "
              f"({report.due - report.flagged} were flagged earlier in the period)")

    asyncio.run(run())


def seed_demo(args: argparse.Namespace) -> None:
    from api.demo import seed_demo as seed
    from api.lifespan import close_client, mongo_client
    from resolvers.store import Store

    settings = Settings()

    async def run(ready: Settings) -> None:
        client = mongo_client(ready)
        try:
            store = Store(client[ready.mongodb_database])
            await store.ensure_indexes()
            created = await seed(store, progress=lambda line: print(line, file=sys.stderr))
        finally:
            await close_client(client)
        print(f"demo community ready: {created} groups created now "
              "(existing ones were left alone)")

    with _database(settings) as ready:
        asyncio.run(run(ready))


def print_schema(args: argparse.Namespace) -> None:
    from schema import export_sdl

    sys.stdout.write(export_sdl())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve_cmd = commands.add_parser("serve", help="run the API (and the embedded database)")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--log-level", default="info")
    serve_cmd.set_defaults(run=serve)

    db_cmd = commands.add_parser("db", help="run the embedded database alone")
    db_cmd.add_argument("--host", default="127.0.0.1")
    db_cmd.add_argument("--port", type=int, default=27017, help="0 picks a free port")
    where = db_cmd.add_mutually_exclusive_group()
    where.add_argument("--path", help=f"SQLite file (default: APP_DATA_DIR/{EMBEDDED_FILE})")
    where.add_argument("--memory", action="store_true", help="keep data in memory only")
    db_cmd.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)
    db_cmd.set_defaults(run=database)

    token_cmd = commands.add_parser("token", help="print a development token")
    token_cmd.add_argument("--sub", required=True, help="the user's id")
    token_cmd.add_argument("--name", required=True)
    token_cmd.add_argument(
        "--role", action="append", choices=["TEACHER", "CSS", "NSS"],
        help="repeat for several roles (default: TEACHER)",
    )
    token_cmd.add_argument("--country", help="ISO 3166 alpha-2, e.g. ES")
    token_cmd.add_argument("--ttl", type=int, default=12 * 3600, help="seconds (default 12 h)")
    token_cmd.set_defaults(run=token)

    sweep_cmd = commands.add_parser(
        "sweep-inactivity", help="flag inactive groups once per period (safe from cron)"
    )
    sweep_cmd.set_defaults(run=sweep_inactivity)

    seed_cmd = commands.add_parser(
        "seed-demo", help="fill the database with a demo community (idempotent)"
    )
    seed_cmd.set_defaults(run=seed_demo)

    schema_cmd = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema_cmd.set_defaults(run=print_schema)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except RuntimeError as error:  # configuration problems: say what is wrong, no traceback
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
