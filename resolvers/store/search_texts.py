"""The `search_texts` collection: search served by MongoDB's own `$text` index, chosen with
`APP_SEARCH_BACKEND=text` for real MongoDB. One document per group, discussion and post that
search may find, written by the search indexer as `search_entries` are (`resolvers.search`):
its title and text, and the language MongoDB stems them in.

MongoDB scores every document that matches a `$text` query before it returns the best, so a
word that many texts hold costs what they number; the index Agora keeps (`search_entries`,
the default) reads a bounded number of each word's entries instead. mongoeco's `$text` does
not stem, and answers a query's scores without the documents' other fields: the matches'
fields are read by id after."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import TEXT, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from resolvers.coalesced import find_all_ids
from resolvers.domain.search import TITLE_BOOST, SearchKind

# The languages MongoDB's text indexes stem (ISO 639-1 to its names); any other is "none".
MONGODB_LANGUAGES = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "hu": "hungarian", "it": "italian", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}


def mongodb_language(language: str) -> str:
    return MONGODB_LANGUAGES.get(language, "none")


@dataclass(frozen=True, slots=True)
class TextMatch:
    item_id: str
    kind: SearchKind
    group_id: str
    score: float
    language: str  # the item's, which its text is stemmed in


class TextSearchStore:
    def __init__(self, collection: AsyncCollection[Any]) -> None:
        self._collection = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_indexes([
            IndexModel([("title", TEXT), ("text", TEXT)], name="search_text",
                       weights={"title": int(TITLE_BOOST), "text": 1}, default_language="none",
                       language_override="text_language"),
        ])

    async def replace(
        self, *, item_id: str, kind: SearchKind, group_id: str, language: str,
        fields: Sequence[tuple[str, float]],
    ) -> None:
        """Make `fields` (each a text and its boost: titles' is greater) the item's text."""
        await self._collection.replace_one({"_id": item_id}, {
            "kind": kind.value, "group_id": group_id, "language": language,
            "text_language": mongodb_language(language),
            "title": " ".join(text for text, boost in fields if boost > 1),
            "text": " ".join(text for text, boost in fields if boost <= 1),
        }, upsert=True)

    async def remove(self, *, item_id: str) -> None:
        await self._collection.delete_one({"_id": item_id})

    async def matching(
        self, *, text: str, languages: Sequence[str], only_language: str | None,
        kinds: frozenset[SearchKind], group_id: str | None, limit: int,
    ) -> list[TextMatch]:
        """The best `limit` texts matching `text` stemmed in each of `languages` (each item
        scored by its best), best first; with `only_language`, only texts in it."""
        query: dict[str, Any] = {}
        if kinds != frozenset(SearchKind):
            query["kind"] = {"$in": sorted(kind.value for kind in kinds)}
        if group_id is not None:
            query["group_id"] = group_id
        if only_language is not None:
            query["language"] = only_language
        found = await asyncio.gather(*(
            self._collection.find(
                {"$text": {"$search": text, "$language": stemmed_in}, **query},
                {"score": {"$meta": "textScore"}},
            ).sort([("score", {"$meta": "textScore"})]).limit(limit).to_list()
            for stemmed_in in sorted({mongodb_language(language) for language in languages})))
        scores: dict[str, float] = {}
        for doc in (doc for docs in found for doc in docs):
            scores[doc["_id"]] = max(scores.get(doc["_id"], 0.0), doc["score"])
        best = sorted(scores, key=lambda item_id: (scores[item_id], item_id),
                      reverse=True)[:limit]
        docs = {doc["_id"]: doc for doc in await find_all_ids(
            self._collection, best, projection={"kind": 1, "group_id": 1, "language": 1})}
        return [TextMatch(item_id, SearchKind(docs[item_id]["kind"]), docs[item_id]["group_id"],
                          scores[item_id], docs[item_id]["language"])
                for item_id in best if item_id in docs]
