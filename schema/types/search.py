"""Search results: the item found, its group, and the passage that matched."""

from typing import Annotated, Any, Self

import strawberry

from resolvers.domain.search import SearchKind
from resolvers.search import Found
from schema.declared import Audience, declare
from schema.types.discussion import Discussion, Post
from schema.types.group import Group

SearchNode = Annotated[
    Group | Discussion | Post,
    strawberry.union("SearchNode", description="What a search found."),
]

_NODES: dict[SearchKind, Any] = {
    SearchKind.GROUP: Group, SearchKind.DISCUSSION: Discussion, SearchKind.POST: Post}


@strawberry.type(description="A piece of the matched passage: show the `matched` ones marked.")
class HighlightPart:
    text: str
    matched: bool


@strawberry.type(description="One search hit, as you may read it now.")
class SearchResult:
    kind: SearchKind
    score: float = strawberry.field(description="Relevance: higher is better; it orders the "
                                    "results and means nothing across searches.")
    found: strawberry.Private[Found]

    @classmethod
    def of(cls, found: Found) -> Self:
        return cls(kind=found.kind, score=found.score, found=found)

    @strawberry.field(metadata=declare(Audience.EVERYONE))
    def node(self) -> SearchNode:
        node: SearchNode = _NODES[self.found.kind].from_doc(self.found.doc)
        return node

    @strawberry.field(metadata=declare(Audience.EVERYONE),
                      description="The group it belongs to (the group itself for a group).")
    def group(self) -> Group:
        return Group.from_doc(self.found.group)

    @strawberry.field(metadata=declare(Audience.EVERYONE),
                      description="The passage that matched, in parts, the words that matched "
                      "marked: a group's title or description, a discussion's title, a post's "
                      "text, about two dozen words of it.")
    def highlight(self) -> list[HighlightPart]:
        return [HighlightPart(text=part.text, matched=part.matched)
                for part in self.found.highlight()]
