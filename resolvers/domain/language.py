"""Language detection (lingua) and ISO 639-1 codes (pycountry)."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import pycountry
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# A text passes as English when English is its main language, or when at least this share of
# it is English: objectives may be written next to a translation.
MIN_ENGLISH_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    iso_code: str | None  # ISO 639-1, lowercase; None when nothing was recognised
    name: str | None  # English name, e.g. "Spanish"
    english_share: float  # 0..1, the share of characters detected as English


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_all_languages().build()


def warm_up() -> None:
    """Load the language models now rather than on the first request."""
    _detector().detect_language_of("Warm up the language models.")


def _name(language: Language) -> str:
    return language.name.title()


def guess_language(text: str) -> LanguageGuess:
    detector = _detector()
    main = detector.detect_language_of(text)
    if main is Language.ENGLISH:
        return LanguageGuess("en", "English", 1.0)
    sizes: dict[Language, int] = {}
    for segment in detector.detect_multiple_languages_of(text):
        size = segment.end_index - segment.start_index
        sizes[segment.language] = sizes.get(segment.language, 0) + size
    total = sum(sizes.values()) or 1
    english_share = sizes.get(Language.ENGLISH, 0) / total
    dominant: Language | None = main
    if dominant is None and sizes:
        dominant = sorted(sizes.items(), key=lambda item: item[1])[-1][0]
    if dominant is None:
        return LanguageGuess(None, None, english_share)
    return LanguageGuess(dominant.iso_code_639_1.name.lower(), _name(dominant), english_share)


def is_english(guess: LanguageGuess) -> bool:
    return guess.iso_code == "en" or guess.english_share >= MIN_ENGLISH_SHARE


def is_iso_639_1(code: str) -> bool:
    return len(code) == 2 and pycountry.languages.get(alpha_2=code) is not None


@cache
def _detector_among(codes: frozenset[str]) -> LanguageDetector | None:
    languages = []
    for code in codes:
        try:
            languages.append(Language.from_iso_code_639_1(IsoCode639_1.from_str(code)))
        except ValueError:
            continue
    return LanguageDetectorBuilder.from_languages(*languages).build() if len(languages) > 1 \
        else None


def detect_among(text: str, codes: Sequence[str]) -> str | None:
    """Which of `codes` (ISO 639-1) `text` is written in; the one code when there is one;
    None when nothing is recognised."""
    if len(codes) == 1:
        return codes[0]
    detector = _detector_among(frozenset(codes)) if codes else _detector()
    found = None if detector is None else detector.detect_language_of(text)
    return None if found is None else found.iso_code_639_1.name.lower()
