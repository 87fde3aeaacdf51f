"""The group form: its fields, their limits, and how raw input becomes a valid form; and the
rule every time given as input follows."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from resolvers.domain.errors import ValidationFailed
from resolvers.domain.groups import Participation
from resolvers.domain.language import guess_language, is_english, is_iso_639_1

TITLE_LENGTH = (5, 120)
DESCRIPTION_LENGTH = (1, 5_000)
OBJECTIVES_LENGTH = (30, 5_000)
TOPIC_LENGTH = (2, 40)
LANGUAGES_COUNT = (1, 10)
TOPICS_COUNT = (1, 10)
MESSAGE_LENGTH = (1, 5_000)


@dataclass(frozen=True, slots=True)
class GroupForm:
    title: str
    description: str
    objectives: str
    participation: Participation
    languages: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FormChanges:
    """A partial edit of a group form; None leaves a field as it is."""

    title: str | None = None
    description: str | None = None
    objectives: str | None = None
    participation: Participation | None = None
    languages: tuple[str, ...] | None = None
    topics: tuple[str, ...] | None = None

    def apply_to(self, form: GroupForm) -> GroupForm:
        changes = {name: value for name in _FIELDS if (value := getattr(self, name)) is not None}
        return replace(form, **changes)


_FIELDS = ("title", "description", "objectives", "participation", "languages", "topics")


def checked_text(field: str, value: str, bounds: tuple[int, int]) -> str:
    """`value` stripped, or ValidationFailed if its length is outside `bounds`."""
    text = value.strip()
    low, high = bounds
    if not low <= len(text) <= high:
        raise ValidationFailed(field, f"{field} must be {low} to {high:,} characters long")
    return text


def _checked_count(field: str, values: tuple[str, ...], bounds: tuple[int, int]) -> None:
    low, high = bounds
    if not low <= len(values) <= high:
        raise ValidationFailed(field, f"give {low} to {high} {field}")


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _checked_objectives(value: str) -> str:
    text = checked_text("objectives", value, OBJECTIVES_LENGTH)
    guess = guess_language(text)
    if not is_english(guess):
        detected = f"they look {guess.name}" if guess.name else "no language was recognised"
        raise ValidationFailed(
            "objectives",
            f"Objectives must be written in English so that the Central Support Service can "
            f"review them; {detected}. You may add a translation next to the English text.",
        )
    return text


def _checked_languages(values: tuple[str, ...]) -> tuple[str, ...]:
    codes = _unique([value.strip().lower() for value in values])
    _checked_count("languages", codes, LANGUAGES_COUNT)
    unknown = [code for code in codes if not is_iso_639_1(code)]
    if unknown:
        raise ValidationFailed(
            "languages", f"not ISO 639-1 language codes: {', '.join(unknown)}"
        )
    return codes


def _checked_topics(values: tuple[str, ...]) -> tuple[str, ...]:
    topics = _unique([" ".join(value.lower().split()) for value in values])
    _checked_count("topics", topics, TOPICS_COUNT)
    low, high = TOPIC_LENGTH
    for topic in topics:
        if not low <= len(topic) <= high:
            raise ValidationFailed("topics", f"each topic must be {low} to {high} characters")
    return topics


def validate_group_form(form: GroupForm) -> GroupForm:
    """The normalised form, or ValidationFailed naming the first bad field."""
    return GroupForm(
        title=checked_text("title", form.title, TITLE_LENGTH),
        description=checked_text("description", form.description, DESCRIPTION_LENGTH),
        objectives=_checked_objectives(form.objectives),
        participation=Participation(form.participation),
        languages=_checked_languages(form.languages),
        topics=_checked_topics(form.topics),
    )


def checked_message(field: str, value: str) -> str:
    """A reviewer's or owner's message: required, and bounded."""
    return checked_text(field, value, MESSAGE_LENGTH)


def in_utc(moment: datetime) -> datetime:
    """A time given as input; one without a zone is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
