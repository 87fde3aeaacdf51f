"""Strawberry's extension runner, doing for each result only what some extension asks for.

For every result, and so for every message of every subscription, Strawberry asks each
extension for results to add and builds a context manager over all of them for their
`on_stream_result` hooks, though Agora's extensions define neither: a large share of a big
fan-out's CPU (bench.live; the figures are in bench/RESULTS.md). This runner asks only the
extensions that define `get_results`, and wraps results only in the hooks that are defined.
"""

import contextlib
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import StreamResultContextManager
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext, StreamExecutionResult
from strawberry.utils.await_maybe import await_maybe


def _defines(extension: SchemaExtension, hook: str) -> bool:
    return getattr(type(extension), hook) is not getattr(SchemaExtension, hook)


class ExtensionsRunner(SchemaExtensionsRunner):
    def __init__(
        self, execution_context: ExecutionContext,
        extensions: list[SchemaExtension] | None = None,
    ) -> None:
        super().__init__(execution_context, extensions)
        self._with_results = [e for e in self.extensions if _defines(e, "get_results")]
        self._on_results = [e for e in self.extensions if _defines(e, "on_stream_result")]

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for extension in self._with_results:
            data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        return data

    def on_stream_result(  # type: ignore[override]  # a context manager all the same
        self, result: StreamExecutionResult
    ) -> StreamResultContextManager | contextlib.nullcontext[None]:
        if not self._on_results:
            return contextlib.nullcontext()
        return StreamResultContextManager(self._on_results, result)
