"""The README tells a newcomer the truth: every setting, and the two commands."""

from pathlib import Path

from api.settings import Settings

README = (Path(__file__).parents[1] / "README.md").read_text()
CI = (Path(__file__).parents[1] / ".ci" / "run").read_text()


def test_every_setting_is_documented_with_its_default():
    rows = {line.split("|")[1].strip(): line for line in README.splitlines()
            if line.startswith("| `APP_")}
    for name, field in Settings.model_fields.items():
        variable = f"`APP_{name.upper()}`"
        assert variable in rows, f"{variable} is missing from the README's settings table"
        default = field.default
        if isinstance(default, int | float) and not isinstance(default, bool):
            assert f"`{default}`" in rows[variable], f"{variable}'s default is not {default}"


def test_the_two_commands_are_in_the_readme_and_ci_runs_the_test_one():
    assert "./scripts/serve" in README and "./scripts/test" in README
    assert "./scripts/test" in CI
