"""Conditions for gates and follow-up questions: what holds, and how it is said."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from criteria.conditions import condition_holds, describe_condition, describe_threshold
from criteria.model import Condition
from tests.criteria.factories import choices, one_question

PARAMS = {"national_living_wage": Decimal("12.71"), "cap": Decimal("15")}


def holds(condition: dict[str, Any], answer: Any) -> bool:
    return condition_holds(Condition.model_validate(condition), answer, PARAMS)


@pytest.mark.parametrize("written", [True, "yes", "Yes", "true"])
def test_yes_no_equals_accepts_true_or_yes_as_written_in_yaml(written: Any) -> None:
    assert holds({"equals": written}, True)
    assert not holds({"equals": written}, False)


@pytest.mark.parametrize("written", [False, "no"])
def test_yes_no_equals_no_matches_a_no_answer(written: Any) -> None:
    assert holds({"equals": written}, False)
    assert not holds({"equals": written}, True)


def test_single_choice_in_and_not_in() -> None:
    assert holds({"in": ["co_op", "charity"]}, "charity")
    assert not holds({"in": ["co_op", "charity"]}, "plc")
    assert holds({"not_in": ["private_equity"]}, "charity")
    assert not holds({"not_in": ["private_equity"]}, "private_equity")


def test_multiple_choice_in_means_any_chosen_value_is_listed() -> None:
    assert holds({"in": ["union"]}, ["training", "union"])
    assert not holds({"in": ["union"]}, ["training"])


def test_multiple_choice_not_in_means_no_chosen_value_is_listed() -> None:
    assert holds({"not_in": ["zero_hours"]}, ["training", "union"])
    assert not holds({"not_in": ["zero_hours"]}, ["training", "zero_hours"])


def test_multiple_choice_equals_means_that_value_was_chosen() -> None:
    assert holds({"equals": "union"}, ["training", "union"])
    assert not holds({"equals": "union"}, ["training"])


def test_numbers_compare_by_value_whatever_their_form() -> None:
    assert holds({"equals": 5}, 5)
    assert holds({"equals": 5}, Decimal("5.00"))
    assert not holds({"equals": 5}, Decimal("5.01"))


def test_at_least_resolves_a_parameter() -> None:
    assert holds({"at_least": "$national_living_wage"}, Decimal("12.71"))
    assert not holds({"at_least": "$national_living_wage"}, Decimal("12.70"))


def test_at_most_is_inclusive() -> None:
    assert holds({"at_most": "$cap"}, Decimal("15.00"))
    assert not holds({"at_most": "$cap"}, Decimal("15.01"))


def test_at_least_and_at_most_together_make_a_range() -> None:
    condition = {"at_least": 1, "at_most": 3}
    assert [holds(condition, n) for n in (0, 1, 3, 4)] == [False, True, True, False]


def test_a_number_test_on_an_answer_that_is_not_a_number_fails() -> None:
    assert not holds({"at_least": 1}, "text")
    assert not holds({"at_least": 0}, True)


@pytest.mark.parametrize(
    "condition",
    [
        {"equals": "yes"},
        {"in": ["a"]},
        {"not_in": ["a"]},
        {"at_least": 0},
        {"at_most": 99},
        {"answered": True},
    ],
)
def test_an_unanswered_question_fails_every_test(condition: dict[str, Any]) -> None:
    assert not holds(condition, None)


def test_an_unanswered_question_passes_answered_false_only() -> None:
    assert holds({"answered": False}, None)
    assert not holds({"answered": False}, "something")
    assert holds({"answered": True}, "something")


def test_every_test_set_must_hold() -> None:
    assert not holds({"answered": True, "at_least": 10}, 9)
    assert holds({"answered": True, "at_least": 10}, 10)


# --- in words -------------------------------------------------------------------------------


def describe(condition: dict[str, Any], **question: Any) -> str:
    criterion = one_question(**question) if question else None
    return describe_condition(Condition.model_validate(condition), PARAMS, criterion)


def test_describes_a_money_minimum_with_pounds_and_the_parameter_name() -> None:
    words = describe({"at_least": "$national_living_wage"}, answer_type="money")
    assert words == "must be at least £12.71 ($national_living_wage)"


def test_describes_a_number_without_a_unit_when_the_question_is_unknown() -> None:
    assert describe({"at_least": "$national_living_wage"}) == (
        "must be at least 12.71 ($national_living_wage)"
    )
    assert describe({"at_most": 40}) == "must be at most 40"


def test_describes_yes_no_as_yes_or_no() -> None:
    assert describe({"equals": True}, answer_type="yes_no") == "must be yes"
    assert describe({"equals": "no"}, answer_type="yes_no") == "must be no"


def test_describes_choices_by_their_labels() -> None:
    fields = {"answer_type": "single_choice", "choices": choices("co_op", "charity", "plc")}
    assert describe({"in": ["co_op", "charity"]}, **fields) == "must be one of Co Op, Charity"
    assert describe({"not_in": ["plc"]}, **fields) == "must not be any of Plc"


def test_describes_multiple_choice_as_including() -> None:
    fields = {"answer_type": "multiple_choice", "choices": choices("union", "zero_hours")}
    assert describe({"in": ["union"]}, **fields) == "must include at least one of Union"
    assert describe({"not_in": ["zero_hours"]}, **fields) == "must include none of Zero Hours"
    assert describe({"equals": "union"}, **fields) == "must include Union"


def test_describes_several_tests_joined_with_and() -> None:
    words = describe({"answered": True, "at_least": 1, "at_most": 3}, answer_type="integer")
    assert words == "must be answered and must be at least 1 and must be at most 3"


def test_describes_answered_false() -> None:
    assert describe({"answered": False}) == "must be left unanswered"


def test_describe_threshold_names_the_parameter_after_the_figure() -> None:
    assert describe_threshold("$cap", PARAMS, "money") == "£15.00 ($cap)"
    assert describe_threshold(Decimal("2.5"), PARAMS) == "2.5"
