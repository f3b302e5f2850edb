"""Files and answers meant to break the loader or the engine: each is a clean problem with its
file, line and field (exit status 2 on the command line), never a traceback, a hang or a
memory blow-up.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from criteria.cli import main
from criteria.loader import (
    FRAMEWORK_LIMITS,
    FrameworkError,
    Problem,
    load_framework_text,
    parse_yaml_with_lines,
)

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]
ROUND_FILE = ROOT / "examples" / "homecare-2026" / "round.yaml"
COMPLETE = (DATA / "complete.yaml").read_text(encoding="utf-8")
MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def only_problem(text: str, name: str = "hostile.yaml") -> Problem:
    with pytest.raises(FrameworkError) as caught:
        load_framework_text(text, name)
    [problem] = caught.value.problems
    return problem


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['lol0: &lol0 ["lol"]']
    for i in range(1, levels):
        lines.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


# --- numbers in a framework ---------------------------------------------------------------


@pytest.mark.parametrize("number", ["1E+309", "1.0e+26", "100000000000000000000000000000"])
def test_an_absurd_choice_points_value_is_refused_with_its_line_and_field(number: str) -> None:
    text = COMPLETE.replace("points: {yes: 4, no: 0}", f"points: {{yes: {number}, no: 0}}")

    problem = only_problem(text)

    assert problem.line == line_of(text, f"yes: {number}")
    assert problem.field == "sections[0].criteria[5].scoring.points.yes"
    assert problem.message.startswith(
        "must be a number from -1,000,000,000,000 to 1,000,000,000,000"
    )
    assert problem.file == "hostile.yaml"


@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan"])
def test_an_infinite_or_nan_weight_is_refused(number: str) -> None:
    text = MINIMAL.replace("weight: 100\n    criteria", f"weight: {number}\n    criteria")

    problem = only_problem(text)

    assert problem.field == "sections[0].weight"
    assert "a number from -1,000,000,000,000 to 1,000,000,000,000" in problem.message


def test_a_negative_max_points_is_refused() -> None:
    text = COMPLETE.replace(
        "max_points: 4\n          points: {local", "max_points: -1\n          points: {local"
    )

    problem = only_problem(text)

    assert problem.line == line_of(text, "max_points: -1")
    assert problem.field.endswith("scoring.max_points")
    assert problem.message == "must be greater than 0, found the number -1"


def test_a_negative_choice_point_is_refused() -> None:
    text = COMPLETE.replace("points: {yes: 4, no: 0}", "points: {yes: 4, no: -3}")

    problem = only_problem(text)

    assert problem.field == "sections[0].criteria[5].scoring.points.no"
    assert problem.message == "must be at least 0, found the number -3"


def test_a_scale_point_of_thirty_digits_is_refused() -> None:
    text = MINIMAL.replace("{points: 4, label", "{points: 100000000000000000000000000000, label")

    problem = only_problem(text)

    assert problem.field == "scales.quality.points[2].points"
    assert problem.message.startswith("must be at most 1000")


def test_a_huge_band_threshold_or_parameter_reference_field_names_both_options() -> None:
    text = MINIMAL.replace("at_least: 15,", "at_least: 1E+309,")

    problem = only_problem(text)

    assert problem.field == "sections[0].criteria[0].scoring.bands[1].at_least"
    assert problem.message.startswith("expected a number from -1,000,000,000,000")
    assert "or a $parameter reference" in problem.message


# --- tags and values YAML cannot read -----------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!local x"],
)
def test_a_value_with_a_non_standard_tag_is_refused_with_its_line_and_field(value: str) -> None:
    text = MINIMAL.replace("{at_least: 15, points: 4}", f"{{at_least: 15, points: {value}}}")

    problem = only_problem(text)

    assert problem.line == line_of(text, value)
    assert problem.field == "sections[0].criteria[0].scoring.bands[1].points"
    assert problem.message.startswith(f"the tag {value.split(' ')[0]} is not allowed")
    assert "is not allowed" in problem.message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int twelve", "'twelve' cannot be read as a whole number"),
        ("!!float x", "'x' cannot be read as a number"),
        ("2026-13-45", "'2026-13-45' cannot be read as a date"),
        ("1" * 5000, "a number of 5,000 digits is far too long"),
    ],
)
def test_a_value_its_type_cannot_read_is_a_problem_not_a_crash(value: str, message: str) -> None:
    problems = _parse_problems(f"title: x\nvalue: {value}\n")

    assert [(p.line, p.field) for p in problems] == [(2, "value")]
    assert problems[0].message.startswith(message)


def test_a_python_tag_is_refused_like_any_other() -> None:
    problems = _parse_problems("a:\n  b: !!python/name:os.system\n")

    assert [(p.line, p.field) for p in problems] == [(2, "a.b")]
    assert problems[0].message.startswith("the tag !!python/name:os.system is not allowed")


def test_a_key_that_is_not_plain_is_a_problem() -> None:
    problems = _parse_problems("? !!binary aGVsbG8=\n: 1\n")

    assert "a key must be a plain word or number" in problems[0].message


def _parse_problems(text: str) -> list[Problem]:
    with pytest.raises(FrameworkError) as caught:
        parse_yaml_with_lines(text, "odd.yaml")
    return caught.value.problems


# --- size, depth and aliases --------------------------------------------------------------


def test_a_billion_laughs_file_is_refused_quickly_and_in_little_memory() -> None:
    text = billion_laughs()
    tracemalloc.start()
    started = time.process_time()
    try:
        problems = _parse_problems(text)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    assert time.process_time() - started < 2  # expanded, it would be 387 million values
    assert peak < 20_000_000
    [problem] = problems
    assert "more than 25,000 values once its aliases (*name) are expanded" in problem.message
    assert problem.line == 6  # where the count passed the limit
    assert problem.field.startswith("lol5")


def test_nesting_a_thousand_levels_deep_is_refused_without_a_recursion_error() -> None:
    for text in (
        "a: " + "[" * 1000 + "]" * 1000,
        "".join(" " * i + f"k{i}:\n" for i in range(200)),
    ):
        started = time.process_time()
        problems = _parse_problems(text)
        assert time.process_time() - started < 2
        assert "nested more than 32 levels deep" in problems[0].message


def test_aliases_cannot_stack_nesting_beyond_the_limit() -> None:
    text = "a: &a " + "[" * 20 + "]" * 20 + "\nb: &b " + "[" * 20 + "*a" + "]" * 20 + "\n"

    [problem] = _parse_problems(text)

    assert problem.line == 2
    assert "nested more than 32 levels deep (counting what aliases bring in)" in problem.message


def test_an_alias_inside_what_it_names_is_refused_with_its_field() -> None:
    [problem] = _parse_problems("a: 1\nb: &loop [1, *loop]\n")

    assert (problem.line, problem.field) == (2, "b[1]")
    assert problem.message == "an alias refers to the mapping or list that contains it"


def test_a_file_longer_than_the_limit_is_refused_before_parsing() -> None:
    text = "a: " + "x" * FRAMEWORK_LIMITS.max_characters

    [problem] = _parse_problems(text)

    assert problem.message.startswith("the file is longer than 1,048,576 characters")


def test_ordinary_aliases_and_merges_still_work() -> None:
    document, _ = parse_yaml_with_lines("base: &b {x: 1}\nc: {<<: *b, y: 2}\nd: [*b, *b]\n", "f")

    assert document == {"base": {"x": 1}, "c": {"x": 1, "y": 2}, "d": [{"x": 1}, {"x": 1}]}


# --- the same through the command ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("bomb.yaml", billion_laughs(), "once its aliases (*name) are expanded"),
        ("deep.yaml", "a: " + "[" * 1000 + "]" * 1000 + "\n", "nested more than 32 levels"),
        ("binary.yaml", "id: x\nversion: !!binary aGVsbG8=\n", "the tag !!binary is not allowed"),
    ],
)
def test_validate_exits_2_naming_the_file_for_a_hostile_framework(
    tmp_path: Path, name: str, text: str, words: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")

    outcome = run("frameworks", "validate", path)

    assert outcome.exit_code == 2, outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    assert f"{path}:" in outcome.output
    assert words in outcome.output


def _round_with(tmp_path: Path, old: str, new: str) -> Path:
    text = ROUND_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "round.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "value", ["1.0e+26", '"100000000000000000000000000000"', ".inf", ".nan", "1E+309", "-1.0e+26"]
)
def test_a_price_of_absurd_size_scores_with_a_note_and_no_traceback(
    tmp_path: Path, value: str
) -> None:
    path = _round_with(tmp_path, "pr_hourly_rate: 35.90", f"pr_hourly_rate: {value}")

    outcome = run("score", path, "--format", "json")

    assert outcome.exit_code == 0, outcome.output
    notes = json.loads(outcome.output)["notes"]
    [note] = [n for n in notes if "Hollin Brook" in n]
    assert note.startswith(
        "Bid Hollin Brook Care Co-operative: the answer to “Hourly rate” could not be used "
        "(The hourly rate you will charge must be "
    )
    assert note.endswith("); it scored 0 of 20 points.")


@pytest.mark.parametrize("value", ["1.0e+26", "1E+309", ".inf", "100000000000000000000000000000"])
def test_an_absurd_pillar_weight_in_a_round_file_exits_2_with_its_line(
    tmp_path: Path, value: str
) -> None:
    text = ROUND_FILE.read_text(encoding="utf-8")
    assert "settings:\n  parameters:" in text
    path = tmp_path / "round.yaml"
    path.write_text(
        text.replace(
            "settings:\n  parameters:",
            f"settings:\n  pillar_weights: {{quality: {value}, fair_work_ownership: 30, "
            "social_value: 10, price: 20}\n  parameters:",
        ),
        encoding="utf-8",
    )

    outcome = run("score", path)

    assert outcome.exit_code == 2, outcome.output
    assert (
        f"{path}:{line_of(path.read_text(), 'pillar_weights')}: settings.pillar_weights.quality"
        in (outcome.output)
    )


@pytest.mark.parametrize("samples", ["0", "-1"])
def test_a_sample_count_below_one_exits_2_with_a_message(samples: str) -> None:
    outcome = run("score", ROUND_FILE, "--robustness", "--samples", samples)

    assert outcome.exit_code == 2
    assert "Invalid value for '--samples'" in outcome.output


def test_a_negative_seed_exits_2_with_a_message() -> None:
    outcome = run("score", ROUND_FILE, "--robustness", "--seed", "-1")

    assert outcome.exit_code == 2
    assert "Invalid value for '--seed'" in outcome.output


def test_a_round_file_that_is_not_utf8_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "round.yaml"
    path.write_bytes(b"id: x\ntitle: \xff\xfe\n")

    outcome = run("score", path)

    assert outcome.exit_code == 2
    assert f"{path}:1: cannot read the round file" in outcome.output


def test_the_example_round_still_loads_within_the_limits() -> None:
    document = yaml.safe_load(ROUND_FILE.read_text(encoding="utf-8"))
    outcome = run("score", ROUND_FILE, "--format", "json")

    assert outcome.exit_code == 0
    assert json.loads(outcome.output)["round"]["id"] == document["id"]
