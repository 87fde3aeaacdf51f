"""Similar-group ranking, computed in the application so that it needs no `$text` index.

A group's text becomes a set of terms: words folded to lowercase ASCII, stop words of the
common European languages removed, and stemmed. Candidates that share a term or a topic are
ranked by an IDF-weighted cosine of their terms (title terms count double), the overlap of
their topics, and the overlap of their languages.
"""

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import snowballstemmer
from stop_words import get_stop_words

STOP_WORD_LANGUAGES = ("english", "spanish", "french", "german", "italian", "portuguese", "dutch")
MIN_TERM_LENGTH = 3
TEXT_WEIGHT, TOPIC_WEIGHT, LANGUAGE_WEIGHT = 0.6, 0.3, 0.1
TITLE_BOOST = 2.0
# Below this a candidate is noise: a shared common word, or a shared language alone.
MIN_SCORE = 0.12

_WORD = re.compile(r"[^\W\d_]+")


@cache
def common_words() -> frozenset[str]:
    words: set[str] = set()
    for language in STOP_WORD_LANGUAGES:
        words.update(fold(word) for word in get_stop_words(language))
    return frozenset(words)


@cache
def _stemmer() -> snowballstemmer.stemmer:
    # One stemmer for every language keeps terms comparable across groups.
    return snowballstemmer.stemmer("english")


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def terms_of(*texts: str) -> list[str]:
    """The distinct terms of `texts`, in first-seen order."""
    stop_words = common_words()
    words = [
        folded
        for text in texts
        for word in _WORD.findall(text)
        if len(folded := fold(word)) >= MIN_TERM_LENGTH and folded not in stop_words
    ]
    return list(dict.fromkeys(_stemmer().stemWords(words)))


@dataclass(frozen=True, slots=True)
class Profile:
    """What similarity compares: a group's or a proposal's terms, topics and languages."""

    terms: frozenset[str]
    title_terms: frozenset[str]
    topics: frozenset[str]
    languages: frozenset[str]


def profile_of(
    *, title: str, description: str, objectives: str, topics: Iterable[str],
    languages: Iterable[str],
) -> Profile:
    topic_list = [topic.lower() for topic in topics]
    title_terms = frozenset(terms_of(title))
    terms = frozenset(terms_of(title, description, objectives, *topic_list))
    return Profile(terms, title_terms, frozenset(topic_list), frozenset(languages))


@dataclass(frozen=True, slots=True)
class Match:
    index: int  # position of the candidate in the list given to `rank`
    score: float
    matched_terms: tuple[str, ...]
    shared_topics: tuple[str, ...]
    shared_languages: tuple[str, ...]


def _weights(profile: Profile, idf: dict[str, float]) -> dict[str, float]:
    return {
        term: idf[term] * (TITLE_BOOST if term in profile.title_terms else 1.0)
        for term in profile.terms
    }


def _cosine(left: dict[str, float], right: dict[str, float]) -> float:
    dot = sum(weight * right[term] for term, weight in left.items() if term in right)
    norms = math.sqrt(sum(w * w for w in left.values())) * math.sqrt(
        sum(w * w for w in right.values())
    )
    return dot / norms if norms else 0.0


def rank(proposal: Profile, candidates: Sequence[Profile], *, limit: int) -> list[Match]:
    """The best `limit` candidates for `proposal`, best first, each scored in [0, 1]."""
    count = len(candidates) + 1
    frequency: dict[str, int] = {}
    for profile in (proposal, *candidates):
        for term in profile.terms:
            frequency[term] = frequency.get(term, 0) + 1
    idf = {term: math.log(1 + count / seen) for term, seen in frequency.items()}
    wanted = _weights(proposal, idf)
    matches = []
    for index, candidate in enumerate(candidates):
        matched = proposal.terms & candidate.terms
        topics = proposal.topics & candidate.topics
        if not matched and not topics:
            continue
        languages = proposal.languages & candidate.languages
        text_score = _cosine(wanted, _weights(candidate, idf))
        topic_union = proposal.topics | candidate.topics
        topic_score = len(topics) / len(topic_union) if topic_union else 0.0
        language_score = len(languages) / len(proposal.languages) if proposal.languages else 0.0
        score = (
            TEXT_WEIGHT * text_score + TOPIC_WEIGHT * topic_score + LANGUAGE_WEIGHT * language_score
        )
        if score < MIN_SCORE:
            continue
        matches.append(
            Match(
                index=index,
                score=round(min(score, 1.0), 4),
                matched_terms=tuple(sorted(matched, key=lambda term: -wanted[term])),
                shared_topics=tuple(sorted(topics)),
                shared_languages=tuple(sorted(languages)),
            )
        )
    matches.sort(key=lambda match: -match.score)
    return matches[:limit]
