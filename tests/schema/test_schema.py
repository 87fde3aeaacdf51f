"""The exported schema, and how errors are shown or masked."""

from collections.abc import AsyncGenerator
from pathlib import Path
from types import SimpleNamespace

import strawberry
from starlette.websockets import WebSocket

from resolvers.domain.errors import Forbidden
from schema import AgoraSchema, export_sdl, schema_extensions
from schema.errors import query_error

SCHEMA_FILE = Path(__file__).parents[2] / "schema.graphql"


def test_the_committed_schema_matches_the_code():
    assert SCHEMA_FILE.read_text() == export_sdl(), (
        "schema.graphql is stale: run `.venv/bin/python -m api schema > schema.graphql`"
    )


@strawberry.type
class _Query:
    @strawberry.field
    def broken(self) -> str:
        raise KeyError("secret internal detail")

    @strawberry.field
    def refused(self) -> str:
        raise query_error(Forbidden("Not for you"))


@strawberry.type
class _Tick:
    @strawberry.field
    def broken(self) -> str | None:
        raise KeyError("secret internal detail")

    @strawberry.field
    def refused(self) -> str | None:
        raise query_error(Forbidden("Not for you"))


@strawberry.type
class _Subscription:
    @strawberry.subscription
    async def ticks(self) -> AsyncGenerator[_Tick]:
        for _ in range(2):
            yield _Tick()


def _schema(*, production: bool) -> strawberry.Schema:
    return AgoraSchema(
        query=_Query, subscription=_Subscription,
        extensions=schema_extensions(introspection=not production), mask_errors=production,
    )


def test_production_masks_unexpected_errors_but_keeps_expected_ones():
    result = _schema(production=True).execute_sync("{ broken }")
    assert [error.message for error in result.errors] == ["Unexpected error."]
    assert "secret" not in str(result.errors[0].formatted)
    refused = _schema(production=True).execute_sync("{ refused }")
    assert refused.errors[0].formatted["message"] == "Not for you"
    assert refused.errors[0].formatted["extensions"] == {"code": "FORBIDDEN"}


async def _never(*_: object) -> None:
    raise AssertionError("not a real socket")


async def test_production_masks_unexpected_errors_in_every_live_message():
    socket = WebSocket({"type": "websocket", "path": "/graphql", "headers": []},
                       receive=_never, send=_never)  # subscriptions run over WebSockets only
    results = await _schema(production=True).subscribe(
        "subscription { ticks { broken refused } }", context_value=SimpleNamespace(request=socket)
    )
    messages = [[error.formatted for error in result.errors or []] async for result in results]
    assert len(messages) == 2
    for errors in messages:
        assert [error["message"] for error in errors] == ["Unexpected error.", "Not for you"]
        assert "secret" not in str(errors)


def test_production_turns_introspection_off():
    query = "{ __schema { queryType { name } } }"
    assert _schema(production=True).execute_sync(query).errors
    assert _schema(production=False).execute_sync(query).data == {
        "__schema": {"queryType": {"name": "Query"}}
    }


def test_errors_a_shared_rendering_brings_to_many_subscribers_are_logged_once(caplog):
    """A live event rendered once for 5,000 subscribers hands each the same errors: one
    failure is one log line, and every subscriber still gets it masked."""
    schema = _schema(production=True)
    with caplog.at_level("INFO", logger="agora"):
        results = [schema.execute_sync("{ broken }"), schema.execute_sync("{ refused }")]
        for result in results:
            for _ in range(3):  # the other subscribers' turns with the same result
                schema.process_errors(result.errors)
    assert [record.levelname for record in caplog.records] == ["ERROR", "INFO"]
    assert [result.errors[0].message for result in results] == [
        "Unexpected error.", "Not for you"]


def test_each_failure_has_one_name_for_mutations_and_queries():
    """docs/clients.md names each failure once: its payload type and its code in one row,
    and the code a query gets is that row's."""
    from pathlib import Path

    from resolvers.domain import errors as domain
    from schema.errors import ERROR_TYPES, code_of, error_for, query_error

    table = (Path(__file__).parents[2] / "docs" / "clients.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    for error_type in ERROR_TYPES:
        (row,) = [row for row in rows if f"`{error_type.__name__}`" in row]
        assert f"`{code_of(error_type)}`" in row
    for exc in (domain.NotFound("Group", "x"), domain.Forbidden("no"),
                domain.ValidationFailed("first", "no"), domain.InvalidTransition("CLOSED", "x"),
                domain.Unauthenticated()):
        assert query_error(exc).extensions["code"] == code_of(type(error_for(exc)))
