"""Cross-field checks: each test breaks one rule in the complete test framework and expects
exactly that problem, at that field path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from criteria.checks import Loc, check_framework
from criteria.loader import parse_yaml_with_lines
from criteria.model import Framework

DATA = Path(__file__).parent / "data"

Problems = list[tuple[Loc, str]]

# Paths into data/complete.yaml
LOWEST_PAY: Loc = ("sections", 0, "criteria", 1)
PERMANENT_SHARE: Loc = ("sections", 0, "criteria", 2)
UNION: Loc = ("sections", 0, "criteria", 3)
UNION_NAME: Loc = ("sections", 0, "criteria", 4)
SICK_PAY: Loc = ("sections", 0, "criteria", 5)
CONTINUITY: Loc = ("sections", 1, "criteria", 0)
OFFICE_POSTCODE: Loc = ("sections", 2, "criteria", 0)
HOURLY_RATE: Loc = ("sections", 3, "criteria", 0)


@pytest.fixture
def document() -> dict[str, Any]:
    """A fresh, valid framework document to break."""
    parsed, _ = parse_yaml_with_lines((DATA / "complete.yaml").read_text(), "complete.yaml")
    return parsed


def at(document: Any, path: Loc) -> Any:
    for part in path:
        document = document[part]
    return document


def put(document: dict[str, Any], path: Loc, value: Any) -> None:
    at(document, path[:-1])[path[-1]] = value


def problems(document: dict[str, Any]) -> Problems:
    return [(p.path, p.message) for p in check_framework(Framework.model_validate(document))]


def test_complete_framework_has_no_problems(document: dict[str, Any]) -> None:
    assert problems(document) == []


# --- ids ----------------------------------------------------------------------------


def test_duplicate_criterion_id_across_sections_points_back_to_the_first(
    document: dict[str, Any],
) -> None:
    put(document, (*CONTINUITY, "id"), "sick_pay")
    put(document, ("award", "minimum_thresholds", 0, "id"), "sick_pay")

    [problem] = check_framework(Framework.model_validate(document))

    assert problem.path == (*CONTINUITY, "id")
    assert problem.message == "criterion id 'sick_pay' is already used"
    assert problem.related == (*SICK_PAY, "id")


def test_duplicate_section_id_is_a_problem(document: dict[str, Any]) -> None:
    put(document, ("sections", 1, "id"), "fair_work")
    document["award"]["tie_break"] = ["pillar:quality"]

    assert problems(document) == [(("sections", 1, "id"), "section id 'fair_work' is already used")]


def test_duplicate_choice_value_is_a_problem(document: dict[str, Any]) -> None:
    put(document, (*UNION, "choices", 2, "value"), "access")
    del at(document, (*UNION, "scoring", "points"))["none"]

    assert problems(document) == [
        ((*UNION, "choices", 2, "value"), "choice value 'access' is already used")
    ]


# --- weights ------------------------------------------------------------------------


def test_pillar_weights_must_add_up_to_100(document: dict[str, Any]) -> None:
    put(document, ("award", "pillars", 1, "weight"), 5)

    assert problems(document) == [
        (
            ("award", "pillars"),
            "the pillar weights add up to 95, not 100 (quality 60, social_value 5, price 30)",
        )
    ]


def test_pillar_weight_must_lie_within_its_own_bounds(document: dict[str, Any]) -> None:
    put(document, ("award", "pillars", 0, "weight"), 75)
    put(document, ("award", "pillars", 1, "weight"), 0)
    put(document, ("award", "pillars", 2, "weight"), 25)

    assert problems(document) == [
        (("award", "pillars", 0, "weight"), "weight 75 is outside the pillar's own range 50 to 70")
    ]


def test_pillar_min_weight_must_not_exceed_max_weight(document: dict[str, Any]) -> None:
    put(document, ("award", "pillars", 2, "min_weight"), 45)

    assert problems(document) == [
        (("award", "pillars", 2, "min_weight"), "min_weight 45 is above max_weight 40")
    ]


def test_section_pillar_must_exist_and_every_pillar_needs_a_section(
    document: dict[str, Any],
) -> None:
    put(document, ("sections", 2, "pillar"), "social_valu")

    assert problems(document) == [
        (("award", "pillars", 1), "pillar 'social_value' has no sections"),
        (
            ("sections", 2, "pillar"),
            "unknown pillar 'social_valu' (pillars: quality, social_value, price); "
            "did you mean 'social_value'?",
        ),
    ]


def test_section_weights_in_a_pillar_must_add_up_to_100(document: dict[str, Any]) -> None:
    put(document, ("sections", 1, "weight"), 30)

    assert problems(document) == [
        (
            ("sections", 0, "weight"),
            "the weights of the sections in pillar 'quality' add up to 90, not 100 "
            "(fair_work 60, care_quality 30)",
        )
    ]


def test_scored_criteria_of_a_section_must_add_up_to_100(document: dict[str, Any]) -> None:
    put(document, (*OFFICE_POSTCODE, "weight"), 40)

    assert problems(document) == [
        (
            ("sections", 2),
            "the weights of the scored criteria in section 'local' add up to 90, not 100 "
            "(office_postcode 40, local_commitments 50)",
        )
    ]


def test_a_gates_only_section_of_weight_zero_is_allowed(document: dict[str, Any]) -> None:
    eligibility = {
        "id": "eligibility",
        "title": "Eligibility",
        "pillar": "quality",
        "weight": 0,
        "criteria": [
            {
                "id": "cqc_registered",
                "prompt": "Are you registered with the CQC?",
                "type": "yes_no",
                "scoring": {"rule": "gate", "gate": {"equals": True}},
            }
        ],
    }
    document["sections"].insert(0, eligibility)
    document["award"]["minimum_thresholds"] = []

    assert problems(document) == []


def test_a_weighted_criterion_needs_a_rule_that_gives_points(document: dict[str, Any]) -> None:
    gate = ("sections", 0, "criteria", 0)
    put(document, (*gate, "weight"), 10)
    put(document, (*LOWEST_PAY, "weight"), 30)

    assert problems(document) == [
        (
            (*gate, "weight"),
            "weight 10 needs a rule that gives points (a gate, or no scoring, earns nothing): "
            "set weight 0 or add a scoring rule",
        )
    ]


# --- $parameters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        (*LOWEST_PAY, "scoring", "bands", 0, "at_least"),
        (*LOWEST_PAY, "scoring", "gate", "at_least"),
        (*PERMANENT_SHARE, "scoring", "from"),
        (*PERMANENT_SHARE, "scoring", "to"),
        ("award", "price", "formula", "best"),
        ("award", "price", "formula", "worst"),
        ("award", "abnormally_low", "below"),
        ("award", "wage_floor", "factor"),
    ],
)
def test_every_number_may_name_only_an_existing_parameter(
    document: dict[str, Any], path: Loc
) -> None:
    put(document, path, "$nothing_here")

    found = problems(document)

    assert (
        path,
        "unknown parameter $nothing_here (parameters: $real_living_wage, "
        "$local_districts, $minimum_rate, $worst_rate, $rate_per_pound_of_pay)",
    ) in found


def test_show_if_numbers_and_fixed_prices_are_checked_too(document: dict[str, Any]) -> None:
    put(document, (*UNION_NAME, "show_if"), {"criterion": "lowest_pay", "at_least": "$rlw"})
    document["award"]["price"]["formula"] = {"name": "fixed_price", "price": "$cap"}

    assert [path for path, _ in problems(document)] == [
        (*UNION_NAME, "show_if", "at_least"),
        ("award", "price", "formula", "price"),
    ]


def test_a_list_parameter_cannot_stand_for_a_number_nor_a_number_for_a_list(
    document: dict[str, Any],
) -> None:
    put(document, (*LOWEST_PAY, "scoring", "bands", 0, "at_least"), "$local_districts")
    put(document, (*OFFICE_POSTCODE, "scoring", "areas"), "$real_living_wage")

    assert problems(document) == [
        (
            (*LOWEST_PAY, "scoring", "bands", 0, "at_least"),
            "parameter $local_districts must hold a number here, not ['WN1', 'WN2', 'NO']",
        ),
        (
            (*OFFICE_POSTCODE, "scoring", "areas"),
            "parameter $real_living_wage must hold a list here, not Decimal('13.45')",
        ),
    ]


# --- scales and choice points -----------------------------------------------------------


def test_evaluator_scale_must_exist(document: dict[str, Any]) -> None:
    put(document, (*CONTINUITY, "scoring", "scale"), "quality_0_5")

    assert problems(document) == [
        (
            (*CONTINUITY, "scoring", "scale"),
            "unknown scale 'quality_0_5' (scales: quality); did you mean 'quality'?",
        )
    ]


def test_choice_points_must_lie_on_the_scale_they_name(document: dict[str, Any]) -> None:
    put(document, (*UNION, "scoring", "points", "access"), 2.5)

    assert problems(document) == [
        (
            (*UNION, "scoring", "points", "access"),
            "2.5 points for 'access' is not on scale 'quality' (points: 0, 1, 2, 3, 4)",
        )
    ]


def test_choice_points_must_name_choices_of_the_criterion(document: dict[str, Any]) -> None:
    at(document, (*UNION, "scoring", "points"))["recognized"] = 4

    assert problems(document) == [
        (
            (*UNION, "scoring", "points", "recognized"),
            "'recognized' is not a choice of 'union' (choices: recognised, access, none); "
            "did you mean 'recognised'?",
        )
    ]


def test_choice_points_of_a_yes_no_question_are_yes_and_no(document: dict[str, Any]) -> None:
    at(document, (*SICK_PAY, "scoring", "points"))["maybe"] = 2

    assert problems(document) == [
        (
            (*SICK_PAY, "scoring", "points", "maybe"),
            "'maybe' is not a choice of 'sick_pay' (choices: yes, no)",
        )
    ]


def test_a_scale_cannot_have_the_same_points_twice(document: dict[str, Any]) -> None:
    put(document, ("scales", "quality", "points", 1, "points"), 0)

    found = problems(document)

    assert found[0] == (
        ("scales", "quality", "points", 1, "points"),
        "scale 'quality' has 0 points twice",
    )


# --- rules fit answers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("criterion", "answer_type", "rule", "answer"),
    [
        (LOWEST_PAY, "narrative", "bands", "a narrative answer"),
        (PERMANENT_SHARE, "date", "linear", "a date answer"),
        (OFFICE_POSTCODE, "narrative", "postcode_area", "a narrative answer"),
        (HOURLY_RATE, "integer", "price", "an integer answer"),
    ],
)
def test_a_rule_must_fit_the_answer_type(
    document: dict[str, Any], criterion: Loc, answer_type: str, rule: str, answer: str
) -> None:
    put(document, (*criterion, "type"), answer_type)
    at(document, criterion).pop("min", None)
    at(document, criterion).pop("max", None)
    at(document, criterion).get("scoring", {}).pop("gate", None)
    document["award"].pop("wage_floor")
    document["award"].pop("abnormally_low")

    messages = [
        message for path, message in problems(document) if path == (*criterion, "scoring", "rule")
    ]

    assert len(messages) == 1
    assert messages[0].startswith(f"rule '{rule}' cannot score {answer} (it needs one of: ")


def test_choice_points_cannot_score_a_number(document: dict[str, Any]) -> None:
    put(document, (*SICK_PAY, "type"), "integer")

    assert problems(document) == [
        (
            (*SICK_PAY, "scoring", "rule"),
            "rule 'choice_points' cannot score an integer answer "
            "(it needs one of: multiple_choice, single_choice, yes_no)",
        )
    ]


def test_evaluator_scale_may_score_any_answer_type(document: dict[str, Any]) -> None:
    put(document, (*CONTINUITY, "type"), "integer")
    del at(document, CONTINUITY)["max_words"]

    assert problems(document) == []


def test_choice_questions_need_choices_and_others_have_none(document: dict[str, Any]) -> None:
    put(document, (*UNION, "type"), "multiple_choice")
    del at(document, UNION)["choices"]
    del at(document, UNION)["scoring"]
    put(document, (*UNION, "weight"), 0)
    put(document, (*LOWEST_PAY, "weight"), 60)
    put(document, (*UNION_NAME, "show_if"), {"criterion": "lowest_pay", "at_least": 14})
    put(document, (*CONTINUITY, "choices"), [{"value": "a", "label": "A"}])

    assert problems(document) == [
        ((*UNION, "type"), "a multiple_choice question needs a list of choices"),
        (
            (*CONTINUITY, "choices"),
            "only single_choice and multiple_choice questions have choices, not narrative",
        ),
    ]


def test_min_must_not_exceed_max(document: dict[str, Any]) -> None:
    put(document, (*PERMANENT_SHARE, "min"), 60)
    put(document, (*PERMANENT_SHARE, "max"), 40)

    assert problems(document) == [((*PERMANENT_SHARE, "max"), "max 40% is below min 60%")]


def test_a_min_above_the_default_max_asks_for_a_max_too(document: dict[str, Any]) -> None:
    put(document, (*LOWEST_PAY, "unit"), "per_hour")
    put(document, (*LOWEST_PAY, "min"), 250)

    assert problems(document) == [
        (
            (*LOWEST_PAY, "min"),
            "min £250 is above the default max of unit per_hour (£200): write a max as well",
        )
    ]


def test_a_max_below_the_default_min_asks_for_a_min_too(document: dict[str, Any]) -> None:
    del at(document, LOWEST_PAY)["min"]
    put(document, (*LOWEST_PAY, "unit"), "per_week")
    put(document, (*LOWEST_PAY, "max"), "0.50")

    assert problems(document) == [
        (
            (*LOWEST_PAY, "max"),
            "max £0.50 is below the default min of unit per_week (£1): write a min as well",
        )
    ]


def test_a_percentage_range_stays_within_0_and_100(document: dict[str, Any]) -> None:
    put(document, (*PERMANENT_SHARE, "max"), 150)

    assert problems(document) == [
        (
            (*PERMANENT_SHARE, "max"),
            "max of a percentage question must be between 0% and 100%, found 150%",
        )
    ]


def test_money_cannot_have_a_negative_min(document: dict[str, Any]) -> None:
    put(document, (*LOWEST_PAY, "min"), -5)

    assert problems(document) == [
        ((*LOWEST_PAY, "min"), "min of a money question must be £0 or more, found -£5")
    ]


def test_min_and_max_are_only_for_number_questions(document: dict[str, Any]) -> None:
    put(document, (*SICK_PAY, "max"), 3)

    assert problems(document) == [
        (
            (*SICK_PAY, "max"),
            "max is for number questions (integer, decimal, money, percentage), not yes_no",
        )
    ]


def test_a_unit_is_only_for_money_questions(document: dict[str, Any]) -> None:
    put(document, (*PERMANENT_SHARE, "unit"), "per_hour")

    assert problems(document) == [
        ((*PERMANENT_SHARE, "unit"), "unit per_hour is for money questions, not percentage")
    ]


def test_bands_must_go_up_where_they_are_plain_numbers(document: dict[str, Any]) -> None:
    put(document, (*LOWEST_PAY, "scoring", "bands", 2, "at_least"), 14)

    assert problems(document) == [
        (
            (*LOWEST_PAY, "scoring", "bands", 2, "at_least"),
            "bands must go up: at_least 14 is not above the band before it (14.0)",
        )
    ]


def test_a_linear_rule_needs_a_range(document: dict[str, Any]) -> None:
    put(document, (*PERMANENT_SHARE, "scoring", "from"), 100)

    assert problems(document) == [
        ((*PERMANENT_SHARE, "scoring", "to"), "'from' and 'to' are both 100: there is no range")
    ]


# --- conditions and show_if -----------------------------------------------------------


def test_show_if_cannot_point_at_itself(document: dict[str, Any]) -> None:
    put(document, (*UNION_NAME, "show_if", "criterion"), "union_name")

    assert problems(document) == [
        ((*UNION_NAME, "show_if", "criterion"), "criterion 'union_name' cannot depend on itself")
    ]


def test_show_if_to_a_later_question_points_at_that_question(document: dict[str, Any]) -> None:
    put(document, (*UNION_NAME, "show_if"), {"criterion": "continuity", "answered": True})
    [problem] = check_framework(Framework.model_validate(document))

    assert problem.path == (*UNION_NAME, "show_if", "criterion")
    assert problem.message.startswith("'continuity' comes later in the framework")
    assert problem.related == CONTINUITY


def test_show_if_values_must_be_choices_of_the_question(document: dict[str, Any]) -> None:
    put(document, (*UNION_NAME, "show_if", "in"), ["recognised", "acess"])

    assert problems(document) == [
        (
            (*UNION_NAME, "show_if", "in", 1),
            "'acess' is not a choice of 'union' (choices: recognised, access, none); "
            "did you mean 'access'?",
        )
    ]


@pytest.mark.parametrize("value", [True, "yes", "No", "false"])
def test_a_yes_no_gate_accepts_true_false_yes_and_no(document: dict[str, Any], value: Any) -> None:
    put(document, ("sections", 0, "criteria", 0, "scoring", "gate", "equals"), value)

    assert problems(document) == []


def test_a_yes_no_gate_rejects_other_words(document: dict[str, Any]) -> None:
    gate: Loc = ("sections", 0, "criteria", 0, "scoring", "gate")
    put(document, (*gate, "equals"), "always")

    assert problems(document) == [
        ((*gate, "equals"), "a yes/no answer is compared with true or false, not 'always'")
    ]


def test_number_tests_need_a_number_question(document: dict[str, Any]) -> None:
    gate: Loc = ("sections", 0, "criteria", 0, "scoring", "gate")
    put(document, gate, {"at_least": 1})

    assert problems(document) == [
        ((*gate, "at_least"), "at_least compares numbers, but 'pays_rlw' is a yes_no question")
    ]


# --- award ----------------------------------------------------------------------------


def test_award_price_must_name_the_criterion_scored_by_price(document: dict[str, Any]) -> None:
    put(document, ("award", "price", "criterion"), "lowest_pay")

    assert problems(document) == [
        (
            ("award", "price", "criterion"),
            "criterion 'lowest_pay' must be scored with rule 'price'",
        ),
        (
            (*HOURLY_RATE, "scoring", "rule"),
            "only one criterion is scored by price, and award.price names 'lowest_pay'",
        ),
    ]


def test_award_price_must_name_an_existing_criterion(document: dict[str, Any]) -> None:
    put(document, ("award", "price", "criterion"), "hourly_rat")

    assert problems(document)[0] == (
        ("award", "price", "criterion"),
        "unknown criterion 'hourly_rat'; did you mean 'hourly_rate'?",
    )


def test_price_rule_without_award_price_is_a_problem(document: dict[str, Any]) -> None:
    del document["award"]["price"]
    document["award"]["tie_break"] = ["pillar:quality"]

    assert problems(document) == [
        (
            (*HOURLY_RATE, "scoring", "rule"),
            "rule 'price' needs a price formula: add award.price naming this criterion",
        )
    ]


def test_fixed_range_best_price_must_be_below_worst(document: dict[str, Any]) -> None:
    put(document, ("award", "price", "formula", "worst"), 20)

    assert problems(document) == [
        (
            ("award", "price", "formula", "worst"),
            "the worst price (20) must be above the best price (24.1)",
        )
    ]


def test_thresholds_name_something_of_their_scope(document: dict[str, Any]) -> None:
    document["award"]["minimum_thresholds"] = [
        {"scope": "criterion", "id": "fair_work", "min_points": 1},
        {"scope": "section", "id": "fair_work", "min_percent": 40},
        {"scope": "pillar", "id": "price", "min_points": 2},
        {"scope": "total", "id": "quality", "min_percent": 50},
    ]
    thresholds: Loc = ("award", "minimum_thresholds")

    assert problems(document) == [
        (
            (*thresholds, 0, "id"),
            "unknown criterion 'fair_work' (criteria: pays_rlw, lowest_pay, permanent_share, "
            "union, union_name, sick_pay, continuity, office_postcode, local_commitments, "
            "hourly_rate)",
        ),
        ((*thresholds, 2), "a pillar threshold needs min_percent"),
        ((*thresholds, 2, "min_points"), "a pillar threshold uses min_percent, not min_points"),
        ((*thresholds, 3, "id"), "a total threshold applies to the whole bid: no id"),
    ]


def test_tie_break_keys_name_existing_pillars_and_sections(document: dict[str, Any]) -> None:
    document["award"]["tie_break"] = ["pillar:quality", "section:fairwork", "pillar:social"]

    assert problems(document) == [
        (
            ("award", "tie_break", 1),
            "unknown section 'fairwork' (sections: fair_work, care_quality, local, price); "
            "did you mean 'fair_work'?",
        ),
        (
            ("award", "tie_break", 2),
            "unknown pillar 'social' (pillars: quality, social_value, price); "
            "did you mean 'social_value'?",
        ),
    ]


def test_wage_floor_and_abnormally_low_read_money_questions(document: dict[str, Any]) -> None:
    put(document, ("award", "wage_floor", "pay_criterion"), "permanent_share")
    put(document, ("award", "abnormally_low", "criterion"), "hourly")

    assert problems(document) == [
        (
            ("award", "abnormally_low", "criterion"),
            "unknown criterion 'hourly'; did you mean 'hourly_rate'?",
        ),
        (
            ("award", "wage_floor", "pay_criterion"),
            "criterion 'permanent_share' must be a money or decimal question, not percentage",
        ),
    ]
