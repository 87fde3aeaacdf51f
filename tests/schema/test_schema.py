"""The exported schema, and how errors are shown or masked."""

from pathlib import Path

import strawberry

from resolvers.domain.errors import Forbidden
from schema import export_sdl, schema_extensions
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


def _schema(*, production: bool) -> strawberry.Schema:
    return strawberry.Schema(
        query=_Query,
        extensions=schema_extensions(mask_errors=production, introspection=not production),
    )


def test_production_masks_unexpected_errors_but_keeps_expected_ones():
    result = _schema(production=True).execute_sync("{ broken }")
    assert [error.message for error in result.errors] == ["Unexpected error."]
    assert "secret" not in str(result.errors[0].formatted)
    refused = _schema(production=True).execute_sync("{ refused }")
    assert refused.errors[0].formatted["message"] == "Not for you"
    assert refused.errors[0].formatted["extensions"] == {"code": "ForbiddenError"}


def test_production_turns_introspection_off():
    query = "{ __schema { queryType { name } } }"
    assert _schema(production=True).execute_sync(query).errors
    assert _schema(production=False).execute_sync(query).data == {
        "__schema": {"queryType": {"name": "Query"}}
    }
