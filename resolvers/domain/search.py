"""Search across groups, discussions and posts: the terms a text is indexed under, the terms a
query looks for, how hits rank, and the passage a hit shows.

A text is stemmed in its own language (the group's, or the one detected among them) with the
Snowball stemmers that similarity already uses. A query is stemmed in the language asked for,
or else in each language Agora's groups write in, so "matemáticas" finds "matemática" in
Spanish posts and "games" finds "game" in English ones. Each item keeps, per term, a weight:
how often the term occurs, saturating as in BM25, with titles counting more. A query ranks
the best postings of each of its words by that weight times the word's rarity, and items that
match more of the words first.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import snowballstemmer

from resolvers.domain.errors import ValidationFailed
from resolvers.domain.similarity import common_words, fold


class SearchKind(StrEnum):
    GROUP = "GROUP"
    DISCUSSION = "DISCUSSION"
    POST = "POST"


# ISO 639-1 codes and the Snowball stemmer of each.
STEMMERS = {
    "ca": "catalan", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish",
    "hu": "hungarian", "it": "italian", "lt": "lithuanian", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}
# A query in no stated language is stemmed in each of these: the languages of the guide's
# communities (its text names Spanish, English, Portuguese, French, Italian, German, Catalan).
QUERY_LANGUAGES = ("es", "en", "pt", "fr", "it", "de", "ca")
MAX_QUERY_WORDS = 6
MAX_QUERY_LENGTH = 200
MIN_WORD_LENGTH = 2
TITLE_BOOST = 3.0
SATURATION = 1.2  # BM25's k1: the tenth occurrence of a word adds little
PASSAGE_WORDS = 24  # the words a highlighted passage shows around its first match

_WORD = re.compile(r"[^\W_]+")


@cache
def _stemmer(language: str) -> "snowballstemmer.stemmer | None":
    algorithm = STEMMERS.get(language)
    return snowballstemmer.stemmer(algorithm) if algorithm else None


def stem(word: str, language: str) -> str:
    """`word` (folded) stemmed in `language`; itself in a language with no stemmer."""
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer is not None else word


@dataclass(frozen=True, slots=True)
class Word:
    start: int
    end: int
    folded: str


def words_of(text: str) -> list[Word]:
    """The words of `text` worth searching for, with where each lies in it."""
    stop_words = common_words()
    return [
        Word(match.start(), match.end(), folded)
        for match in _WORD.finditer(text)
        if len(folded := fold(match.group())) >= MIN_WORD_LENGTH and folded not in stop_words
    ]


def text_language(languages: Sequence[str], detected: str | None) -> str:
    """The language a text is stemmed in: the detected one if it is among `languages` (or
    there are none), else the first of `languages`; English for want of anything."""
    if detected is not None and (detected in languages or not languages):
        return detected
    return languages[0] if languages else "en"


def index_terms(fields: Iterable[tuple[str, float]], language: str) -> dict[str, float]:
    """The weight of each term of `fields` (each a text and its boost), stemmed in
    `language`."""
    counts: dict[str, dict[float, int]] = {}
    for text, boost in fields:
        for word in words_of(text):
            term = stem(word.folded, language)
            by_boost = counts.setdefault(term, {})
            by_boost[boost] = by_boost.get(boost, 0) + 1
    return {
        term: round(sum(boost * tf / (tf + SATURATION) for boost, tf in by_boost.items()), 4)
        for term, by_boost in counts.items()
    }


@dataclass(frozen=True, slots=True)
class Query:
    """What a search looks for: each word, with the terms it may be indexed under."""

    words: tuple[str, ...]
    stems: tuple[frozenset[str], ...]  # one set per word
    language: str | None

    @property
    def terms(self) -> frozenset[str]:
        return frozenset().union(*self.stems)


def parse_query(text: str, language: str | None) -> Query:
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationFailed("query", f"a search is at most {MAX_QUERY_LENGTH} characters")
    if language is not None and language not in STEMMERS:
        raise ValidationFailed("language", f"search knows no stemmer for {language!r}; "
                               f"it knows {', '.join(sorted(STEMMERS))}")
    words = list(dict.fromkeys(word.folded for word in words_of(text)))
    if not words:
        raise ValidationFailed("query", "give at least one word to search for")
    if len(words) > MAX_QUERY_WORDS:
        raise ValidationFailed("query", f"a search looks for at most {MAX_QUERY_WORDS} words")
    languages = (language,) if language is not None else QUERY_LANGUAGES
    stems = tuple(frozenset(stem(word, each) for each in languages) for word in words)
    return Query(tuple(words), stems, language)


@dataclass(frozen=True, slots=True)
class Posting:
    """One term of one item, as the search index holds it."""

    item_id: str
    kind: SearchKind
    group_id: str
    term: str
    weight: float
    language: str  # the item's, which its text is stemmed in


@dataclass(frozen=True, slots=True)
class Hit:
    item_id: str
    kind: SearchKind
    group_id: str
    score: float
    terms: frozenset[str]  # the query's terms the item holds


def rank(query: Query, postings: Sequence[Posting], *, read_per_term: int,
         found: Mapping[str, int] | None = None) -> list[Hit]:
    """Items holding any of the query's terms, best first: the sum, over the query's words,
    of the word's rarity times its weight in the item, scaled by the share of the words the
    item holds; newer items first among equals. `found` is how many entries of each term a
    search read, up to `read_per_term` (a term that filled them is common); by default,
    those among `postings`."""
    if found is None:
        found = Counter(posting.term for posting in postings)
    by_item: dict[str, dict[str, Posting]] = {}
    for posting in postings:
        by_item.setdefault(posting.item_id, {})[posting.term] = posting
    hits = []
    for item_id, held in by_item.items():
        score, words_held = 0.0, 0
        for stems in query.stems:
            matched = [held[term] for term in stems if term in held]
            if not matched:
                continue
            words_held += 1
            best = max(matched, key=lambda posting: posting.weight)
            rarity = math.log(1 + 2 * read_per_term / max(1, found.get(best.term, 1)))
            score += rarity * best.weight
        any_posting = next(iter(held.values()))
        coverage = words_held / len(query.stems)
        hits.append(Hit(item_id, any_posting.kind, any_posting.group_id,
                        round(score * coverage * coverage, 6), frozenset(held)))
    # Object ids begin with their creation time: newest first, then (a stable sort) best.
    hits.sort(key=lambda hit: hit.item_id, reverse=True)
    hits.sort(key=lambda hit: -hit.score)
    return hits


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    matched: bool


def passage(text: str, terms: frozenset[str], language: str) -> list[Part]:
    """A passage of `text` around its first word indexed under one of `terms`, in parts,
    the matching words marked; the text's opening words if none matches."""
    words = words_of(text)
    marked = [word for word in words if stem(word.folded, language) in terms]
    if not text:
        return []
    first = words.index(marked[0]) if marked else 0
    start_word = max(0, first - PASSAGE_WORDS // 3)
    end_word = min(len(words), start_word + PASSAGE_WORDS)
    start = 0 if start_word == 0 else words[start_word].start
    end = len(text) if end_word >= len(words) else words[end_word - 1].end
    parts: list[Part] = []
    if start > 0:
        parts.append(Part("…", matched=False))
    at = start
    for word in marked:
        if word.start < start or word.end > end:
            continue
        if word.start > at:
            parts.append(Part(text[at:word.start], matched=False))
        parts.append(Part(text[word.start:word.end], matched=True))
        at = word.end
    if at < end:
        parts.append(Part(text[at:end], matched=False))
    if end < len(text):
        parts.append(Part("…", matched=False))
    return parts
