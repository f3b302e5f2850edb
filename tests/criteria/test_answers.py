"""Reading providers' answers: every answer type, its errors, and the answer back in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from criteria.answers import (
    ANSWER_DESCRIBERS,
    ANSWER_PARSERS,
    AnswerError,
    describe_answer,
    display_answer,
    format_number,
    outward_code,
    parse_answer,
)
from criteria.model import ANSWER_TYPES
from tests.criteria.factories import choices, one_question


def error_message(answer_type: str, raw: Any, **fields: Any) -> str:
    with pytest.raises(AnswerError) as caught:
        parse_answer(one_question(answer_type, **fields), raw)
    assert caught.value.criterion_id == "q"
    return caught.value.message


def test_every_answer_type_has_a_parser_and_a_describer() -> None:
    assert set(ANSWER_PARSERS) == set(ANSWER_TYPES)
    assert set(ANSWER_DESCRIBERS) == set(ANSWER_TYPES)


@pytest.mark.parametrize("answer_type", ANSWER_TYPES)
@pytest.mark.parametrize("raw", [None, "", "   ", []])
def test_none_blank_and_empty_list_mean_not_answered(answer_type: str, raw: Any) -> None:
    question = one_question(answer_type, choices=choices("a", "b"))
    assert parse_answer(question, raw) is None


def test_answer_error_names_the_criterion_and_keeps_the_message_for_the_form() -> None:
    error = AnswerError("hourly_pay", "Enter an amount in pounds, like 13.45")
    assert str(error) == "hourly_pay: Enter an amount in pounds, like 13.45"
    assert error.message == "Enter an amount in pounds, like 13.45"


# --- yes/no ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(True, True), (False, False), ("yes", True), ("No", False), (" YES ", True)],
)
def test_yes_no_accepts_booleans_and_the_words_yes_and_no(raw: Any, expected: bool) -> None:
    assert parse_answer(one_question("yes_no"), raw) is expected


@pytest.mark.parametrize("raw", ["maybe", 1, 0, ["yes"]])
def test_yes_no_rejects_anything_else(raw: Any) -> None:
    assert error_message("yes_no", raw) == "Select yes or no"


# --- numbers --------------------------------------------------------------------------------
# Messages name the question: by its `error_name` where it has one, else by quoting its prompt.


@pytest.mark.parametrize(("raw", "expected"), [(12, 12), ("12", 12), ("1,200", 1200), (12.0, 12)])
def test_integer_accepts_whole_numbers_as_numbers_or_text(raw: Any, expected: int) -> None:
    value = parse_answer(one_question("integer"), raw)
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize("raw", ["12.5", 12.5, "twelve", True, "1e3", float("nan")])
def test_integer_rejects_fractions_words_and_booleans(raw: Any) -> None:
    message = error_message("integer", raw, error_name="the staff count")
    assert message == "The staff count must be a whole number, like 12"


def test_decimal_reads_floats_through_their_repr_so_they_stay_exact() -> None:
    value = parse_answer(one_question("decimal"), 0.1)
    assert value == Decimal("0.1")
    assert value != Decimal(0.1)  # noqa: RUF032 - the inexact binary value, on purpose


@pytest.mark.parametrize("raw", ["inf", float("inf"), "NaN", "12,5", "1,2345", "1.2.3"])
def test_decimal_rejects_infinities_and_malformed_text(raw: Any) -> None:
    message = error_message("decimal", raw, error_name="the number of local jobs")
    assert message == "The number of local jobs must be a number, like 12.5"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13.45", Decimal("13.45")),
        ("£13.45", Decimal("13.45")),
        (13.5, Decimal("13.5")),
        (0, Decimal(0)),
        ("£1,234.50", Decimal("1234.50")),
    ],
)
def test_money_accepts_pounds_and_pence(raw: Any, expected: Decimal) -> None:
    assert parse_answer(one_question("money"), raw) == expected


@pytest.mark.parametrize("raw", ["thirteen pounds", "forty five pence", "13.45p", "£"])
def test_money_rejects_text_that_is_not_an_amount(raw: str) -> None:
    message = error_message("money", raw, error_name="the hourly rate")
    assert message == "The hourly rate must be an amount in pounds, like 13.45"


def test_money_rejects_a_negative_amount_as_out_of_range() -> None:
    message = error_message("money", "-1.00", error_name="the hourly rate")
    assert message == "The hourly rate must be between £0 and £1,000,000"


def test_money_rejects_fractions_of_a_penny() -> None:
    message = error_message("money", "13.455", error_name="the hourly rate")
    assert message == (
        "The hourly rate must be in pounds and pence, with no more than 2 decimal places"
    )


def test_money_allows_trailing_zeros_beyond_the_pence() -> None:
    assert parse_answer(one_question("money"), "13.450") == Decimal("13.45")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("85", Decimal(85)), ("85%", Decimal(85)), (0, Decimal(0)), (100, Decimal(100))],
)
def test_percentage_accepts_0_to_100_with_or_without_a_percent_sign(
    raw: Any, expected: Decimal
) -> None:
    assert parse_answer(one_question("percentage"), raw) == expected


@pytest.mark.parametrize("raw", ["101", -1, "100.01"])
def test_percentage_outside_0_to_100_is_out_of_range(raw: Any) -> None:
    message = error_message("percentage", raw, error_name="the share of local staff")
    assert message == "The share of local staff must be between 0% and 100%"


def test_percentage_that_is_not_a_number_is_in_the_wrong_form() -> None:
    message = error_message("percentage", "half", error_name="the share of local staff")
    assert message == "The share of local staff must be a percentage, like 25"


def test_money_below_the_criterion_minimum_names_the_range_in_pounds() -> None:
    message = error_message("money", "9.99", min=Decimal(10), error_name="the hourly rate")
    assert message == "The hourly rate must be between £10 and £1,000,000"


def test_integer_above_the_criterion_maximum_names_the_range() -> None:
    message = error_message("integer", 31, max=Decimal(30), error_name="the staff count")
    assert message == "The staff count must be between 0 and 30"


def test_percentage_range_is_shown_in_percent() -> None:
    message = error_message("percentage", 40, min=Decimal(50), error_name="the local share")
    assert message == "The local share must be between 50% and 100%"


def test_a_range_of_one_value_names_that_value() -> None:
    message = error_message("integer", 3, min=Decimal(2), max=Decimal(2))
    assert message == "Your answer to “Question?” must be 2"


def test_numbers_on_the_criterion_limits_are_accepted() -> None:
    question = one_question("decimal", min=Decimal(1), max=Decimal(2))
    assert parse_answer(question, 1) == Decimal(1)
    assert parse_answer(question, "2") == Decimal(2)


def test_a_question_without_an_error_name_is_named_by_its_prompt() -> None:
    question = one_question("money", prompt="What hourly rate do you charge?")
    with pytest.raises(AnswerError) as caught:
        parse_answer(question, "lots")
    assert caught.value.message == (
        "Your answer to “What hourly rate do you charge?” must be an amount in pounds, like 13.45"
    )


# --- choices --------------------------------------------------------------------------------


def test_single_choice_must_be_one_of_the_choice_values() -> None:
    fields = {"choices": choices("co_op", "charity")}
    assert parse_answer(one_question("single_choice", **fields), "charity") == "charity"
    message = error_message("single_choice", "plc", **fields)
    assert message == "Select one of the options: Co Op, Charity"


def test_multiple_choice_returns_the_values_in_the_frameworks_order() -> None:
    question = one_question("multiple_choice", choices=choices("a", "b", "c"))
    assert parse_answer(question, ["c", "a"]) == ["a", "c"]


def test_multiple_choice_rejects_duplicates() -> None:
    message = error_message("multiple_choice", ["a", "a"], choices=choices("a", "b"))
    assert message == "Select each option only once"


def test_multiple_choice_names_the_unknown_values() -> None:
    message = error_message("multiple_choice", ["a", "z"], choices=choices("a", "b"))
    assert message == "z is not among the options: A, B"
    message = error_message("multiple_choice", ["y", "z"], choices=choices("a", "b"))
    assert message == "y, z are not among the options: A, B"


def test_multiple_choice_needs_a_list() -> None:
    message = error_message("multiple_choice", "a", choices=choices("a", "b"))
    assert message == "Select one or more of the options: A, B"


# --- text, postcodes, dates and documents ------------------------------------------------


def test_narrative_is_trimmed_text() -> None:
    assert parse_answer(one_question("narrative"), "  We listen.  ") == "We listen."


def test_narrative_over_the_word_limit_says_how_many_words_it_has() -> None:
    message = error_message("narrative", "one two three four", max_words=3)
    assert message == "Answer in 3 words or fewer (this answer has 4 words)"


def test_narrative_at_the_word_limit_is_accepted() -> None:
    assert parse_answer(one_question("narrative", max_words=3), "one two three")


def test_short_text_is_one_line_with_its_spaces_tidied() -> None:
    assert parse_answer(one_question("text"), "  1-123\n 456  789 ") == "1-123 456 789"


def test_short_text_over_100_characters_says_how_long_it_is() -> None:
    assert parse_answer(one_question("text"), "A" * 100) == "A" * 100
    message = error_message("text", "A" * 101)
    assert message == "Answer in 100 characters or fewer (this answer has 101)"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("wn1 1aa", "WN1 1AA"),
        ("WN11AA", "WN1 1AA"),
        ("  ec1a  1bb ", "EC1A 1BB"),
        ("M1 1AE", "M1 1AE"),
    ],
)
def test_postcode_is_upper_case_with_one_space(raw: str, expected: str) -> None:
    assert parse_answer(one_question("postcode"), raw) == expected


@pytest.mark.parametrize("raw", ["WN1", "12345", "WN1 1A", 12])
def test_postcode_must_be_a_full_uk_postcode(raw: Any) -> None:
    assert error_message("postcode", raw) == "Enter a full UK postcode, like WN1 1AA"


@pytest.mark.parametrize(
    ("postcode", "district"), [("WN1 1AA", "WN1"), ("ec1a1bb", "EC1A"), ("M60 1QD", "M60")]
)
def test_outward_code_is_the_postcode_district(postcode: str, district: str) -> None:
    assert outward_code(postcode) == district


def test_outward_code_of_something_that_is_not_a_postcode_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a full UK postcode"):
        outward_code("nowhere")


def test_date_accepts_iso_text_and_date_objects() -> None:
    question = one_question("date")
    assert parse_answer(question, "2026-04-01") == dt.date(2026, 4, 1)
    assert parse_answer(question, dt.date(2026, 4, 1)) == dt.date(2026, 4, 1)


@pytest.mark.parametrize("raw", ["01/04/2026", "2026-02-30", 20260401])
def test_date_rejects_other_forms_and_impossible_dates(raw: Any) -> None:
    message = error_message("date", raw)
    assert message == "Enter a real date in the form yyyy-mm-dd, like 2026-04-01"


def test_evidence_is_a_reference_string() -> None:
    assert parse_answer(one_question("evidence"), " cqc-report.pdf ") == "cqc-report.pdf"
    assert error_message("evidence", 42) == "Attach the document or give its reference"


# --- back into words and JSON ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("13.45"), "13.45"),
        (dt.date(2026, 4, 1), "2026-04-01"),
        (True, True),
        (False, False),
        (7, 7),
        (["a", "b"], ["a", "b"]),
        ("text", "text"),
        (None, None),
    ],
)
def test_display_answer_is_json_ready(value: Any, expected: Any) -> None:
    assert display_answer(value) == expected


@pytest.mark.parametrize(
    ("answer_type", "value", "expected"),
    [
        ("money", Decimal("13.5"), "£13.50"),
        ("money", Decimal("1234.5"), "£1,234.50"),
        ("percentage", Decimal("85.0"), "85%"),
        ("yes_no", True, "Yes"),
        ("integer", 12, "12"),
        ("date", dt.date(2026, 4, 1), "1 April 2026"),
        ("postcode", "WN1 1AA", "WN1 1AA"),
        ("narrative", "We listen to people.", "a written answer of 4 words"),
        ("text", "1-123456789", "1-123456789"),
    ],
)
def test_describe_answer_reads_as_a_person_would_say_it(
    answer_type: str, value: Any, expected: str
) -> None:
    assert describe_answer(one_question(answer_type), value) == expected


def test_describe_answer_uses_choice_labels() -> None:
    question = one_question("multiple_choice", choices=choices("co_op", "charity"))
    assert describe_answer(question, ["co_op", "charity"]) == "Co Op, Charity"
    assert describe_answer(question, None) == "no answer"


def test_format_number_gives_units_by_answer_type() -> None:
    assert format_number("money", Decimal("12.71")) == "£12.71"
    assert format_number("money", Decimal("-5")) == "-£5.00"
    assert format_number(None, Decimal("12.710")) == "12.71"
    assert format_number("integer", Decimal("1E+2")) == "100"
