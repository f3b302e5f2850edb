"""Engine wording for people: parameter references in words, criteria by their titles."""

from __future__ import annotations

import pytest

from criteria.catalogue import load_builtin
from criteria.model import Framework
from criteria.wording import criterion_title, parameter_words, plain


@pytest.fixture(scope="module")
def ethical_care() -> Framework:
    return load_builtin("ethical-care")


def test_a_valued_reference_after_its_own_name_keeps_only_the_figure(
    ethical_care: Framework,
) -> None:
    text = "£12.95 is at least the National Living Wage ($national_living_wage = £12.71): 4 of 10"
    assert plain(text, ethical_care) == (
        "£12.95 is at least the National Living Wage (£12.71): 4 of 10"
    )


def test_a_figure_from_a_parameter_is_named_by_the_parameters_label(
    ethical_care: Framework,
) -> None:
    assert plain("£24.50 is below £32.14 ($minimum_sustainable_rate)", ethical_care) == (
        "£24.50 is below £32.14 (the minimum sustainable rate for homecare)"
    )


def test_a_reference_in_a_sentence_reads_as_the_label_of_its_value(
    ethical_care: Framework,
) -> None:
    assert plain("14% is at or above $profit_extraction_ceiling = 10%", ethical_care) == (
        "14% is at or above the profit extraction ceiling of 10%"
    )
    assert plain("above $price_ceiling", ethical_care) == "above the price ceiling"


def test_without_a_label_the_name_reads_with_spaces() -> None:
    assert parameter_words("national_living_wage", None) == "the national living wage"
    assert plain("below $national_living_wage = £12.71") == (
        "below the national living wage of £12.71"
    )
    # An unlabelled figure in brackets is dropped: the figure says enough.
    assert plain("£32.14 ($minimum_sustainable_rate) (100%)") == "£32.14 (100%)"


def test_every_parameter_and_criterion_of_the_built_in_framework_has_words(
    ethical_care: Framework,
) -> None:
    assert all(p.label for p in ethical_care.parameters.values())
    assert all(c.title for c in ethical_care.criteria.values())


def test_a_criterion_is_named_by_its_title_or_else_its_prompt(ethical_care: Framework) -> None:
    assert criterion_title(ethical_care.criteria["sv_narrative"]) == "Further social value"
    untitled = ethical_care.criteria["sv_narrative"].model_copy(update={"title": None})
    assert criterion_title(untitled) == untitled.prompt
