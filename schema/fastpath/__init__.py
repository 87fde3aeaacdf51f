"""The fast path: what Agora adds to Strawberry and graphql-core for speed, in one place.

- `execution`: fields that read an attribute of their parent completed in one step, outside
  graphql-core's per-field round; plain methods called directly; what the fields of a list's
  items load ahead (`schema.declared`) loaded for the whole list first.
- `eager`: a resolver's coroutine run at once as far as it goes, so that one whose data is
  loaded answers in the call.
- `extensions`: Strawberry's extension runner, asking only the extensions that define a hook.
- `sharing`: a live event rendered once per selection and audience, not per subscriber.
- `responses`: the answers of the pages every client reads, kept per viewer until an event
  enters the log.

`switch_on` is the one way in, taken by `schema.build_schema` when `APP_FAST_PATH` is on (the
default). With it off, Agora runs on Strawberry and graphql-core as they come; the whole suite
passes either way. Resolvers are ordinary Strawberry resolvers and know nothing of this.
"""

from typing import TYPE_CHECKING

from schema.fastpath.execution import resolve_directly
from schema.fastpath.extensions import ExtensionsRunner
from schema.fastpath.responses import CachedResponses, ResponseCache, record_what_roots_show
from schema.fastpath.sharing import Renders, SharingExecutor

if TYPE_CHECKING:
    from schema import AgoraSchema


def switch_on(schema: "AgoraSchema", *, response_seconds: float = 0) -> None:
    """Run `schema` on the fast path, with shared renderings of its own, keeping answers
    for `response_seconds` (none with 0)."""
    renders = Renders()
    schema.execution_context_class = type(
        "Executor", (SharingExecutor,), {"renders": renders})
    schema.extensions_runner_class = ExtensionsRunner
    schema.renderings = renders
    resolve_directly(schema)
    if response_seconds > 0:
        cache = ResponseCache(ttl=response_seconds)
        schema.responses = cache
        record_what_roots_show(schema._schema)
        schema.extensions = (*schema.extensions,
                             type("Responses", (CachedResponses,), {"cache": cache}))
        schema.log_followers = (*schema.log_followers, cache.invalidator)
