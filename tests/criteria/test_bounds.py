"""Number ranges: every number question has both ends, from the criterion, its unit or its type,
and an answer outside them is refused with a message naming the question."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from criteria.answer_messages import missing_message, question_name
from criteria.answers import AnswerError, parse_answer
from criteria.bounds import DEFAULT_BOUNDS, UNIT_BOUNDS, UNIT_TYPES, Bounds, bounds_of
from criteria.catalogue import builtin_paths
from criteria.engine import score_round
from criteria.hashing import content_hash
from criteria.loader import FrameworkError, load_framework, load_framework_text
from criteria.model import UNITS, Criterion
from tests.criteria.factories import bid, one_question

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")
NUMBER_TYPES = sorted(DEFAULT_BOUNDS)


def refusal(criterion: Criterion, raw: Any) -> str:
    with pytest.raises(AnswerError) as caught:
        parse_answer(criterion, raw)
    return caught.value.message


# --- where the range comes from -------------------------------------------------------------


def test_every_unit_has_a_default_range_and_the_types_it_measures() -> None:
    assert set(UNIT_BOUNDS) == set(UNITS) == set(UNIT_TYPES)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"type": "money", "unit": "per_hour"}, Bounds(Decimal(1), Decimal(200))),
        ({"type": "money", "unit": "per_week"}, Bounds(Decimal(1), Decimal(10_000))),
        ({"type": "money", "unit": "per_mile"}, Bounds(Decimal(0), Decimal(5))),
        ({"type": "money", "unit": "per_year"}, Bounds(Decimal(0), Decimal(1_000_000_000))),
        ({"type": "money"}, Bounds(Decimal(0), Decimal(1_000_000))),
        ({"type": "percentage"}, Bounds(Decimal(0), Decimal(100))),
        ({"type": "integer"}, Bounds(Decimal(0), Decimal(1_000_000))),
        ({"type": "decimal"}, Bounds(Decimal(0), Decimal(1_000_000))),
    ],
)
def test_the_default_range_comes_from_the_unit_else_the_type(
    fields: dict[str, Any], expected: Bounds
) -> None:
    assert bounds_of(one_question(**fields)) == expected


def test_the_criterion_min_and_max_each_override_their_end_of_the_default() -> None:
    hourly = {"answer_type": "money", "unit": "per_hour"}
    assert bounds_of(one_question(**hourly, max=Decimal(40))) == Bounds(Decimal(1), Decimal(40))
    assert bounds_of(one_question(**hourly, min=Decimal(12))) == Bounds(Decimal(12), Decimal(200))


@pytest.mark.parametrize("answer_type", ["yes_no", "narrative", "postcode", "date"])
def test_answers_that_are_not_numbers_have_no_range(answer_type: str) -> None:
    assert bounds_of(one_question(answer_type)) is None


# --- properties: inside parses, outside is refused naming the question ------------------------

NAMES = st.sampled_from(["the hourly rate", "the share of local staff", "the number of jobs"])


@st.composite
def ranged_questions(draw: st.DrawFn) -> Criterion:
    """A number question with a random range, some ends written, some from the defaults."""
    answer_type = draw(st.sampled_from(NUMBER_TYPES))
    unit = draw(st.sampled_from([None, *UNITS])) if answer_type == "money" else None
    default = UNIT_BOUNDS[unit] if unit else DEFAULT_BOUNDS[answer_type]
    places = 2 if answer_type == "money" else (0 if answer_type == "integer" else 3)
    ends = st.decimals(
        min_value=default.low, max_value=default.high, places=places, allow_nan=False
    )
    low, high = sorted([draw(ends), draw(ends)])
    fields: dict[str, Any] = {"error_name": draw(NAMES)}
    if draw(st.booleans()):
        fields["min"] = low
    if draw(st.booleans()):
        fields["max"] = high
    if unit:
        fields["unit"] = unit
    return one_question(answer_type, **fields)


def _steps(criterion: Criterion) -> Decimal:
    return {"integer": Decimal(1), "money": Decimal("0.01")}.get(criterion.type, Decimal("0.001"))


@given(question=ranged_questions(), share=st.fractions(min_value=0, max_value=1))
def test_any_answer_inside_the_range_parses(question: Criterion, share: Any) -> None:
    bounds = bounds_of(question)
    assert bounds is not None
    step = _steps(question)
    span = (bounds.high - bounds.low) / step
    value = (
        bounds.low
        + (span * Decimal(share.numerator) / Decimal(share.denominator)).quantize(
            Decimal(1), rounding="ROUND_FLOOR"
        )
        * step
    )
    parsed = parse_answer(question, str(value))
    assert parsed == value
    assert parse_answer(question, str(bounds.low)) == bounds.low
    assert parse_answer(question, str(bounds.high)) == bounds.high


@given(
    question=ranged_questions(),
    above=st.booleans(),
    distance=st.integers(min_value=1, max_value=10**15),
)
def test_any_answer_outside_the_range_is_refused_naming_the_question_and_the_range(
    question: Criterion, above: bool, distance: int
) -> None:
    bounds = bounds_of(question)
    assert bounds is not None
    assert question.error_name is not None
    offset = distance * _steps(question)
    value = bounds.high + offset if above else bounds.low - offset
    message = refusal(question, str(value))
    assert message.startswith(question.error_name.capitalize() + " must be ")
    assert "between" in message or bounds.low == bounds.high


# --- the messages -------------------------------------------------------------------------------


def test_empty_wrong_form_and_out_of_range_give_three_different_messages() -> None:
    rate = one_question("money", unit="per_hour", error_name="the hourly rate you will charge")
    messages = [missing_message(rate), refusal(rate, "forty five pence"), refusal(rate, 250)]
    assert messages == [
        "Enter the hourly rate you will charge",
        "The hourly rate you will charge must be an amount in pounds, like 13.45",
        "The hourly rate you will charge must be between £1 and £200",
    ]


def test_an_absurd_hourly_price_is_refused() -> None:
    rate = one_question("money", unit="per_hour", error_name="the hourly rate you will charge")
    assert refusal(rate, "999,999,999,999") == (
        "The hourly rate you will charge must be between £1 and £200"
    )


def test_two_percentage_questions_are_told_apart_by_their_messages() -> None:
    staff = one_question("percentage", error_name="the share of staff who live locally")
    spend = one_question("percentage", error_name="the share of spending with local suppliers")
    assert refusal(staff, 120) != refusal(spend, 120)
    assert (
        refusal(staff, "most")
        == "The share of staff who live locally must be a percentage, like 25"
    )


def test_a_question_without_an_error_name_is_named_by_quoting_its_prompt() -> None:
    question = one_question("integer", prompt="  How many staff do you employ? ")
    assert question_name(question) == "your answer to “How many staff do you employ?”"
    assert missing_message(question) == "Enter your answer to “How many staff do you employ?”"


def test_an_error_name_that_starts_with_a_name_keeps_its_capitals() -> None:
    question = one_question("integer", error_name="CQC inspections passed")
    assert refusal(question, "many") == "CQC inspections passed must be a whole number, like 12"


# --- the engine and round files agree with the forms ---------------------------------------------


def test_the_engine_does_not_score_an_answer_out_of_its_range() -> None:
    framework = load_framework_text(
        MINIMAL.replace("type: money\n", "type: money\n        unit: per_hour\n"), "range.yaml"
    )
    result = score_round(framework, [bid("a", lowest_pay="999999999999"), bid("b", lowest_pay=14)])
    scored = result.bid("a").criterion("lowest_pay")
    assert scored.raw == 0
    assert "must be between £1 and £200" in scored.reason
    assert result.bid("b").criterion("lowest_pay").raw == 2


# --- the loader names the file, line and field of a bad range -------------------------------------


def _problems(text: str) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        load_framework_text(text, "bad-range.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_min_above_max_is_reported_with_file_line_and_field() -> None:
    text = MINIMAL.replace("type: money\n", "type: money\n        min: 20\n        max: 10\n")
    assert _problems(text) == [
        "bad-range.yaml:23: sections[0].criteria[0].max (criterion 'lowest_pay'): "
        "max £10 is below min £20"
    ]


def test_a_min_above_the_unit_default_max_is_reported_at_the_min() -> None:
    text = MINIMAL.replace(
        "type: money\n", "type: money\n        unit: per_hour\n        min: 300\n"
    )
    assert _problems(text) == [
        "bad-range.yaml:23: sections[0].criteria[0].min (criterion 'lowest_pay'): "
        "min £300 is above the default max of unit per_hour (£200): write a max as well"
    ]


def test_an_unknown_unit_suggests_the_nearest() -> None:
    text = MINIMAL.replace("type: money\n", "type: money\n        unit: per_hr\n")
    (problem,) = _problems(text)
    assert problem.startswith("bad-range.yaml:22: sections[0].criteria[0].unit")
    assert "unknown value 'per_hr'; did you mean 'per_hour'?" in problem


def test_an_empty_error_name_is_reported() -> None:
    text = MINIMAL.replace("type: money\n", "type: money\n        error_name: ''\n")
    (problem,) = _problems(text)
    assert problem.startswith("bad-range.yaml:22: sections[0].criteria[0].error_name")


# --- the built-in frameworks -------------------------------------------------------------------


@pytest.mark.parametrize("path", builtin_paths(), ids=lambda path: path.name)
def test_every_built_in_number_question_has_an_error_name_of_its_own(path: Path) -> None:
    framework = load_framework(path)
    numbers = [c for c in framework.criteria.values() if c.type in DEFAULT_BOUNDS]
    assert numbers
    assert [c.id for c in numbers if not c.error_name] == []
    names = [c.error_name for c in numbers]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("path", builtin_paths(), ids=lambda path: path.name)
def test_built_in_money_questions_say_what_they_are_counted_in(path: Path) -> None:
    framework = load_framework(path)
    assert [c.id for c in framework.criteria.values() if c.type == "money" and not c.unit] == []


def test_the_ethical_care_hourly_price_is_bounded_as_an_hourly_rate() -> None:
    framework = load_framework(next(p for p in builtin_paths() if p.stem == "ethical-care"))
    assert bounds_of(framework.criteria["pr_hourly_rate"]) == Bounds(Decimal(1), Decimal(200))


def test_a_framework_without_units_or_error_names_keeps_the_hash_it_was_stored_under() -> None:
    # Computed before `unit` and `error_name` existed: stored framework versions keep their hash.
    assert content_hash(load_framework_text(MINIMAL, "minimal.yaml")) == (
        "sha256:1a5f9b18d0a8bc70aa9b2de320f717a9905615c64ded4a456474e5b6c0c161af"
    )


def test_setting_an_error_name_or_a_unit_changes_the_hash() -> None:
    plain = content_hash(load_framework_text(MINIMAL, "a.yaml"))
    named = MINIMAL.replace("type: money\n", "type: money\n        error_name: the pay\n")
    unit = MINIMAL.replace("type: money\n", "type: money\n        unit: per_hour\n")
    hashes = {plain, *(content_hash(load_framework_text(t, "b.yaml")) for t in (named, unit))}
    assert len(hashes) == 3
