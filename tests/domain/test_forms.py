"""Group form validation, including the English-objectives rule, without a database."""

import pytest

from resolvers.domain.errors import ValidationFailed
from resolvers.domain.forms import FormChanges, validate_group_form
from tests.support import ENGLISH_OBJECTIVES, SPANISH_OBJECTIVES, group_form


def failure(**changes) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        validate_group_form(group_form(**changes))
    return caught.value


def test_a_good_form_is_normalised():
    form = validate_group_form(
        group_form(title="  Maths through games ", languages=("EN", "es", "en"),
                   topics=("Mathematics", "  Board   Games ", "mathematics"))
    )
    assert form.title == "Maths through games"
    assert form.languages == ("en", "es")
    assert form.topics == ("mathematics", "board games")


def test_spanish_objectives_are_refused_naming_spanish():
    error = failure(objectives=SPANISH_OBJECTIVES)
    assert error.field == "objectives"
    assert "Spanish" in error.message


def test_english_objectives_with_a_translation_pass():
    both = f"{ENGLISH_OBJECTIVES}\n\n{SPANISH_OBJECTIVES}"
    form = validate_group_form(group_form(objectives=both))
    assert form.objectives.startswith("Share classroom")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Hi"),
        ("title", "x" * 121),
        ("description", "   "),
        ("description", "x" * 5001),
        ("objectives", "Too short in English."),
        ("objectives", "Teach " * 1000),
        ("languages", ()),
        ("languages", ("en", "xx")),
        ("languages", ("english",)),
        ("languages", tuple(["en", "es", "fr", "de", "it", "pt", "nl", "pl", "el", "sv", "fi"])),
        ("topics", ()),
        ("topics", tuple(f"topic {n}" for n in range(11))),
        ("topics", ("x",)),
    ],
)
def test_each_bad_field_is_named(field, value):
    assert failure(**{field: value}).field == field


def test_changes_apply_only_given_fields():
    form = group_form()
    changed = FormChanges(description="New description").apply_to(form)
    assert changed.description == "New description"
    assert changed.title == form.title
