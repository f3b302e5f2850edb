"""Scoring rules, each with hand-worked figures, and evaluator marking."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from pydantic import TypeAdapter

from criteria.inputs import CriterionMarks
from criteria.marking import MARKED_RULES, Marked, evaluator_scale, scale_problem
from criteria.model import Criterion, EvaluatorScaleRule, Rule, Scale
from criteria.rules import RULES, Points, format_points
from tests.criteria.factories import SCALE_0_5, choices, marks, one_question

PARAMS: dict[str, Any] = {
    "real_living_wage": Decimal("13.45"),
    "national_living_wage": Decimal("12.71"),
    "local_districts": ["WN1", "WN2", "BL"],
}

RULE = TypeAdapter(Rule)


def score(rule: dict[str, Any], answer: Any, answer_type: str = "money", **fields: Any) -> Points:
    parsed = RULE.validate_python(rule)
    question: Criterion = one_question(answer_type, scoring=rule, **fields)
    return RULES[parsed.rule](answer, question, parsed, PARAMS)


def test_the_registry_holds_every_answer_only_rule_and_marking_holds_the_rest() -> None:
    assert set(RULES) == {"bands", "linear", "choice_points", "postcode_area", "gate"}
    assert set(MARKED_RULES) == {"evaluator_scale"}


@pytest.mark.parametrize(
    ("value", "text"),
    [(Fraction(5), "5"), (Fraction(5, 2), "2.5"), (Fraction(11, 3), "3.6667"), (Fraction(0), "0")],
)
def test_points_are_written_without_trailing_zeros(value: Fraction, text: str) -> None:
    assert format_points(value) == text


# --- bands ----------------------------------------------------------------------------------

PAY_BANDS = {
    "rule": "bands",
    "bands": [
        {"at_least": "$national_living_wage", "points": 2, "label": "National Living Wage"},
        {"at_least": "$real_living_wage", "points": 5, "label": "Real Living Wage"},
    ],
}


def test_bands_give_the_points_of_the_highest_band_reached() -> None:
    points = score(PAY_BANDS, Decimal("13.50"))
    assert (points.raw, points.max, points.status) == (Fraction(5), Fraction(5), "scored")
    assert points.reason == (
        "£13.50 is at least Real Living Wage ($real_living_wage = £13.45): 5 of 5"
    )


def test_bands_between_two_thresholds_give_the_lower_bands_points() -> None:
    points = score(PAY_BANDS, Decimal("13.00"))
    assert points.raw == 2
    assert "National Living Wage ($national_living_wage = £12.71)" in points.reason


def test_an_answer_exactly_on_a_threshold_reaches_that_band() -> None:
    assert score(PAY_BANDS, Decimal("13.45")).raw == 5


def test_below_every_band_scores_zero_and_names_the_lowest_band() -> None:
    points = score(PAY_BANDS, Decimal("12.00"))
    assert (points.raw, points.max) == (Fraction(0), Fraction(5))
    assert points.reason == (
        "£12.00 is below the lowest band, National Living Wage "
        "($national_living_wage = £12.71): 0 of 5"
    )


def test_bands_may_be_listed_in_any_order() -> None:
    reversed_bands = {**PAY_BANDS, "bands": list(reversed(PAY_BANDS["bands"]))}
    assert score(reversed_bands, Decimal("13.00")).raw == 2


def test_bands_without_labels_quote_the_figure() -> None:
    rule = {
        "rule": "bands",
        "bands": [{"at_least": 10, "points": 1}, {"at_least": 20, "points": 3}],
    }
    points = score(rule, 25, "integer")
    assert points.reason == "25 is at least 20: 3 of 3"


def test_bands_on_an_unanswered_question_score_zero_of_the_top_band() -> None:
    points = score(PAY_BANDS, None)
    assert (points.raw, points.max, points.status, points.reason) == (
        Fraction(0),
        Fraction(5),
        "unanswered",
        "Not answered",
    )


def test_bands_on_a_question_that_is_not_a_number_is_a_framework_error() -> None:
    with pytest.raises(TypeError, match="bands rule needs a number answer"):
        score(PAY_BANDS, "text", "narrative")


# --- linear ---------------------------------------------------------------------------------

RISING = {"rule": "linear", "from": 50, "to": 90, "max_points": 10}
FALLING = {"rule": "linear", "from": 20, "to": 5, "max_points": 10}


@pytest.mark.parametrize(
    ("answer", "raw"),
    [(40, 0), (50, 0), (60, Fraction(5, 2)), (70, 5), (90, 10), (100, 10)],
)
def test_linear_rises_from_zero_at_from_to_max_at_to_and_is_clamped(
    answer: int, raw: Fraction
) -> None:
    assert score(RISING, Decimal(answer), "percentage").raw == raw


@pytest.mark.parametrize(("answer", "raw"), [(25, 0), (20, 0), (8, 8), (5, 10), (0, 10)])
def test_linear_falls_when_less_is_better(answer: int, raw: Fraction) -> None:
    assert score(FALLING, Decimal(answer), "percentage").raw == raw


def test_linear_reasons_say_where_the_answer_lies() -> None:
    assert score(RISING, Decimal(70), "percentage").reason == (
        "70% lies between 50% (0 points) and 90% (10 points): 5 of 10"
    )
    assert score(RISING, Decimal(95), "percentage").reason == (
        "95% is at or above 90%, which earns full points: 10 of 10"
    )
    assert score(FALLING, Decimal(30), "percentage").reason == (
        "30% is at or above 20%, which earns no points: 0 of 10"
    )


def test_linear_with_a_parameter_end_names_it() -> None:
    rule = {"rule": "linear", "from": "$national_living_wage", "to": 15, "max_points": 4}
    points = score(rule, Decimal("13.855"), "decimal")
    assert points.raw == Fraction(2)
    assert "$national_living_wage = 12.71" in points.reason


def test_linear_unanswered_scores_zero_of_max() -> None:
    assert score(RISING, None, "percentage") == Points(
        Fraction(0), Fraction(10), "Not answered", "unanswered"
    )


# --- choice points --------------------------------------------------------------------------

OWNERSHIP = {"rule": "choice_points", "points": {"co_op": 5, "charity": 4, "plc": 0}}
OWNERSHIP_CHOICES = choices("co_op", "charity", "plc", "other")


def test_single_choice_scores_the_chosen_value_and_names_its_label() -> None:
    points = score(OWNERSHIP, "charity", "single_choice", choices=OWNERSHIP_CHOICES)
    assert (points.raw, points.max, points.reason) == (Fraction(4), Fraction(5), "Charity: 4 of 5")


def test_a_choice_without_listed_points_scores_zero() -> None:
    points = score(OWNERSHIP, "other", "single_choice", choices=OWNERSHIP_CHOICES)
    assert (points.raw, points.max) == (Fraction(0), Fraction(5))


def test_yes_no_maps_to_the_keys_yes_and_no() -> None:
    rule = {"rule": "choice_points", "points": {"yes": 3, "no": 0}}
    assert score(rule, True, "yes_no").reason == "Yes: 3 of 3"
    assert score(rule, False, "yes_no").raw == 0


def test_multiple_choice_adds_the_chosen_values_and_max_is_the_sum() -> None:
    rule = {"rule": "choice_points", "points": {"union": 2, "training": 1, "sick_pay": 3}}
    fields = {"choices": choices("union", "training", "sick_pay")}
    points = score(rule, ["union", "sick_pay"], "multiple_choice", **fields)
    assert (points.raw, points.max) == (Fraction(5), Fraction(6))
    assert points.reason == "Union (2) + Sick Pay (3): 5 of 6"


def test_multiple_choice_is_capped_at_max_points() -> None:
    rule = {"rule": "choice_points", "points": {"a": 3, "b": 3, "c": 3}, "max_points": 5}
    points = score(rule, ["a", "b", "c"], "multiple_choice", choices=choices("a", "b", "c"))
    assert (points.raw, points.max) == (Fraction(5), Fraction(5))
    assert points.reason.endswith("5 of 5, capped at 5")


def test_choice_points_unanswered_scores_zero_of_the_best_choice() -> None:
    points = score(OWNERSHIP, None, "single_choice", choices=OWNERSHIP_CHOICES)
    assert (points.raw, points.max, points.status) == (Fraction(0), Fraction(5), "unanswered")


# --- postcode area --------------------------------------------------------------------------

LOCAL = {"rule": "postcode_area", "areas": "$local_districts", "points": 4}


def test_a_postcode_in_a_listed_district_scores_full_points() -> None:
    points = score(LOCAL, "WN2 5AB", "postcode")
    assert (points.raw, points.max) == (Fraction(4), Fraction(4))
    assert points.reason == (
        "WN2 5AB is in district WN2, one of the local areas ($local_districts): 4 of 4"
    )


def test_a_letters_only_entry_covers_the_whole_postcode_area() -> None:
    points = score(LOCAL, "BL1 1AA", "postcode")
    assert points.raw == 4
    assert "area BL" in points.reason


def test_a_district_is_not_matched_by_a_prefix_of_its_number() -> None:
    # WN11 is a different district from WN1, though its text starts the same way.
    points = score(LOCAL, "WN11 1AA", "postcode")
    assert points.raw == 0
    assert points.reason == (
        "WN11 1AA (district WN11) is outside the local areas ($local_districts): "
        "WN1, WN2, BL: 0 of 4"
    )


def test_the_area_letters_must_match_exactly() -> None:
    assert score(LOCAL, "B1 1AA", "postcode").raw == 0  # B (Birmingham) is not BL (Bolton)


def test_areas_may_be_listed_in_the_rule_in_any_case() -> None:
    rule = {"rule": "postcode_area", "areas": ["wn1"], "points": 1}
    assert score(rule, "WN1 1AA", "postcode").raw == 1


# --- gate -----------------------------------------------------------------------------------

PAYS_NLW = {"rule": "gate", "gate": {"at_least": "$national_living_wage"}}


def test_gate_carries_no_points_and_says_pass_or_fail() -> None:
    passed = score(PAYS_NLW, Decimal("12.71"))
    failed = score(PAYS_NLW, Decimal("12.00"))
    assert (passed.raw, passed.max, passed.status) == (Fraction(0), Fraction(0), "gate_only")
    assert passed.reason == "Passes: £12.71 (must be at least £12.71 ($national_living_wage))"
    assert failed.reason == "Fails: £12.00 (must be at least £12.71 ($national_living_wage))"


def test_gate_on_an_unanswered_question_fails() -> None:
    assert score(PAYS_NLW, None).reason.startswith("Fails: no answer")


# --- evaluator marks ------------------------------------------------------------------------

SCALE = Scale.model_validate(SCALE_0_5)
MARKED = EvaluatorScaleRule(rule="evaluator_scale", scale="quality")


def mark(criterion_marks: CriterionMarks | None, answered: bool = True) -> Marked:
    question = one_question("narrative", scoring=MARKED.model_dump())
    return evaluator_scale(question, MARKED, {"quality": SCALE}, criterion_marks, answered)


def test_the_moderated_mark_wins_over_individual_marks() -> None:
    marked = mark(marks(2, 3, moderated=4, rationale="Strong evidence of co-production"))
    assert (marked.points.raw, marked.points.max) == (Fraction(4), Fraction(5))
    assert marked.points.reason == "Moderated mark 4 (Good): 4 of 5"
    assert marked.moderated == {"points": 4, "rationale": "Strong evidence of co-production"}
    assert [m["points"] for m in marked.marks] == [2, 3]


def test_marks_that_agree_are_used_as_they_stand() -> None:
    marked = mark(marks(4, 4, 4))
    assert marked.points.raw == 4
    assert marked.points.reason == "Marked 4 (Good) by all 3 evaluators (not moderated): 4 of 5"


def test_differing_marks_without_moderation_use_the_exact_mean() -> None:
    marked = mark(marks(4, 3, 4))
    assert marked.points.raw == Fraction(11, 3)
    assert marked.points.reason == "Mean of 3 marks 3, 4, 4 (not moderated): 3.6667 of 5"


def test_marks_are_reported_in_evaluator_order_with_justifications() -> None:
    marked = mark(marks(1, 5))
    assert marked.marks == (
        {"evaluator": "e1", "points": 1, "justification": "Reason 1"},
        {"evaluator": "e2", "points": 5, "justification": "Reason 2"},
    )


def test_no_marks_on_an_answered_question_is_awaiting_evaluation_not_zero() -> None:
    marked = mark(None)
    assert marked.points.status == "awaiting_evaluation"
    assert marked.points.reason == "Awaiting evaluators' marks"
    assert mark(CriterionMarks()).points.status == "awaiting_evaluation"


def test_no_marks_on_an_unanswered_question_scores_zero_as_not_answered() -> None:
    points = mark(None, answered=False).points
    assert (points.raw, points.max, points.status) == (Fraction(0), Fraction(5), "unanswered")


def test_a_mark_that_is_not_on_the_scale_is_a_problem_naming_the_evaluator() -> None:
    assert scale_problem(SCALE, marks(3, 7)) == (
        "e2 gave 7, which is not on the scale 'Quality 0-5' (allowed: 0, 1, 2, 3, 4, 5)"
    )
    assert scale_problem(SCALE, marks(3, moderated=6)) is not None
    assert scale_problem(SCALE, marks(0, 5, moderated=3)) is None
