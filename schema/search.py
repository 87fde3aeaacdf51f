"""Search across groups, discussions and posts."""

import strawberry
from strawberry import relay

from resolvers import search
from resolvers.domain.search import SearchKind
from schema.context import Info
from schema.errors import answer
from schema.inputs import node_id
from schema.permissions import IsAuthenticated
from schema.types.common import Connection
from schema.types.search import SearchResult


@strawberry.type
class SearchQuery:
    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Groups, discussions and posts you may read that match "
                      "`query`, best first, each with the passage that matched. Words are "
                      "stemmed in `language` (ISO 639-1) if given, and then only texts in it "
                      "are found; otherwise in each language of the communities. `groupId` "
                      "keeps to one group. A search ranks the best matches of each of its "
                      "words (at most six), so its pages reach the best hundred results or so. "
                      "Rate-limited (`search`, 60 a minute).")
    async def search(
        self, info: Info, query: str, kinds: list[SearchKind] | None = None,
        group_id: relay.GlobalID | None = None, language: str | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[SearchResult]:
        ctx = info.context
        return await answer(
            lambda: search.search_items(
                store=ctx.store, actor=ctx.viewer, text=query, kinds=kinds,
                group_id=None if group_id is None else node_id(group_id, "Group"),
                language=language, page=ctx.limits.page(first, after),
                limits=ctx.rate_limits, now=ctx.now()),
            lambda page: Connection.of(page, SearchResult.of),
        )
