"""Self-assessment scoring and the self-assessment file, without a database or the web app.

Scores are the engine's for a one-bid round; a self-assessment counts only what it can judge
(never evaluator-marked answers nor price) and says so. The file's errors name file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.catalogue import load_builtin
from criteria.engine import score_round
from criteria.improvement import improvement_advice
from criteria.inputs import Bid
from criteria.loader import FrameworkError
from criteria.model import Criterion, Framework
from criteria.self_assessment import (
    EVALUATOR_MARKED,
    SelfAssessmentResult,
    assessed_sections,
    evaluator_marked,
    load_self_assessment,
    score_self_assessment,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "self-assessment" / "pennyfield-care.yaml"

FRAMEWORK = load_builtin("ethical-care")

ANSWERS: dict[str, Any] = {
    "fw_lowest_hourly_pay": "13.45",
    "fw_paid_travel_time": True,
    "fw_zero_hours_share": 20,
    "fw_sick_pay": "occupational",
    "fw_no_short_visits": True,
    "lo_ownership_form": "cooperative",
    "lo_registered_office": "WN2 4HQ",
    "sv_carbon_plan": "plan",
    "q_cqc_registered": True,
    "q_cqc_rating": "good",
    "q_person_centred": "Care plans are written with each person, in their own words.",
}


def _scored(answers: dict[str, Any]) -> SelfAssessmentResult:
    return score_self_assessment(FRAMEWORK, "Pennyfield Care Co-operative", answers)


def _auto(criterion_rule: str) -> bool:
    return criterion_rule != "evaluator_scale" and not criterion_rule.startswith("price")


# --- scoring --------------------------------------------------------------------------------


def test_the_price_section_is_not_asked_and_evaluator_questions_are_named() -> None:
    sections = [s.id for s in assessed_sections(FRAMEWORK)]
    assert "price" not in sections
    assert sections == [s.id for s in FRAMEWORK.sections if s.id != "price"]
    quality = next(s for s in FRAMEWORK.sections if s.id == "quality")
    assert [c.id for c in evaluator_marked(quality)] == ["q_person_centred", "q_safeguarding"]


def test_earned_points_are_the_engines_for_the_questions_scored_here() -> None:
    outcome = _scored(ANSWERS)
    engine = score_round(FRAMEWORK, [Bid(id="x", name="X", answers=ANSWERS)]).bid("x")
    asked = [s for s in engine.criteria if s.status != "not_applicable"]
    assert outcome.total.earned == engine.total  # nothing marked, no price: all earned is auto
    assert outcome.total.available == sum((s.weight for s in asked if _auto(s.rule)), Fraction(0))
    assert outcome.total.available == Fraction("41.5")
    assert outcome.total.evaluator_points == Fraction("38.5")
    assert outcome.total.price_points == 20
    quality = next(p for p in outcome.pillars if p.id == "quality")
    assert (quality.earned, quality.available) == (Fraction("7.5"), Fraction(10))  # Good: 3 of 4
    assert quality.percent == 75


def test_a_question_scores_in_words_or_says_why_it_has_no_points() -> None:
    outcome = _scored(ANSWERS)
    by_id = {s.criterion_id: s for scores in outcome.criteria.values() for s in scores}
    assert outcome.score_text(by_id["fw_lowest_hourly_pay"]) == "3.6 of 3.6 points"
    assert outcome.score_text(by_id["q_person_centred"]) == EVALUATOR_MARKED
    assert outcome.score_text(by_id["q_cqc_registered"]) == "Requirement met"
    assert outcome.score_text(by_id["q_cqc_provider_id"]) == "Asked for information: no points"
    assert "fw_travel_arrangements" not in by_id  # travel is paid, so the follow-up is not asked


def test_gates_would_exclude_a_tender_bid_and_say_so_for_a_self_assessment() -> None:
    failing = {**ANSWERS, "fw_lowest_hourly_pay": "11.00", "q_cqc_rating": "inadequate"}
    outcome = _scored(failing)
    reasons = " ".join(e.reason for e in outcome.exclusions)
    assert "below the National Living Wage" in reasons
    assert "rated Inadequate by the CQC" in reasons
    assert [a.kind for a in outcome.advice[:2]] == ["exclusion", "exclusion"]
    assert outcome.advice[0].message.startswith("A tender bid would be excluded: ")
    assert not any("This excluded your bid" in a.message for a in outcome.advice)


def test_minimums_that_count_evaluator_marks_wait_for_a_tender() -> None:
    outcome = _scored({**ANSWERS, "q_person_centred": ""})
    assert outcome.exclusions == []  # the quality minimums count evaluator-marked answers
    assert outcome.unjudged_thresholds


def test_advice_puts_evaluator_marked_questions_apart_largest_gain_first() -> None:
    outcome = _scored(ANSWERS)
    engine = score_round(FRAMEWORK, [Bid(id="x", name="X", answers=ANSWERS)]).bid("x")
    expected = [
        a.criterion_id
        for a in improvement_advice(FRAMEWORK, engine)
        if a.kind == "criterion" and not a.evaluator_marked
    ]
    assert [a.criterion_id for a in outcome.advice] == expected
    gains = [a.points_available for a in outcome.evaluator_advice]
    assert gains == sorted(gains, reverse=True)
    assert gains[0] == 16  # person-centred care: 40 x 40%
    assert all(a.evaluator_marked for a in outcome.evaluator_advice)


def test_answers_to_questions_the_framework_no_longer_asks_are_left_out() -> None:
    kept = _scored({**ANSWERS, "retired_question": "yes"})
    assert kept.total == _scored(ANSWERS).total


# --- properties -----------------------------------------------------------------------------

PROPERTY = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

_NUMBERS: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "money": lambda: st.decimals(0, 60, places=2).map(str),
    "percentage": lambda: st.integers(0, 100),
    "integer": lambda: st.integers(0, 600),
    "decimal": lambda: st.decimals(0, 40, places=1).map(str),
}


def _answer(criterion: Criterion) -> st.SearchStrategy[Any]:
    values = [c.value for c in criterion.choices or ()]
    if criterion.type in _NUMBERS:
        return _NUMBERS[criterion.type]()
    if criterion.type == "yes_no":
        return st.booleans()
    if criterion.type == "single_choice":
        return st.sampled_from(values)
    if criterion.type == "multiple_choice":
        return st.lists(st.sampled_from(values), unique=True)
    if criterion.type == "postcode":
        return st.sampled_from(["WN2 4HQ", "B3 2QT", "M29 7AB"])
    return st.sampled_from(["", "A short answer with an example from practice."])


@st.composite
def self_assessments(draw: st.DrawFn, framework: Framework = FRAMEWORK) -> dict[str, Any]:
    """Answers to a random subset of the questions a self-assessment asks."""
    asked = [c for s in assessed_sections(framework) for c in s.criteria]
    chosen = draw(st.lists(st.sampled_from(asked), unique_by=lambda c: c.id))
    return {c.id: draw(_answer(c)) for c in chosen}


@PROPERTY
@given(self_assessments())
def test_no_group_earns_more_than_it_makes_available(answers: dict[str, Any]) -> None:
    outcome = _scored(answers)
    for group in [outcome.total, *outcome.pillars, *outcome.sections]:
        assert 0 <= group.earned <= group.available, group.id
        assert 0 <= group.percent <= 100


@PROPERTY
@given(self_assessments())
def test_pillars_and_sections_add_up_to_the_total(answers: dict[str, Any]) -> None:
    outcome = _scored(answers)
    total = outcome.total
    for groups in (outcome.pillars, outcome.sections):
        assert sum((g.earned for g in groups), Fraction(0)) == total.earned
        assert sum((g.available for g in groups), Fraction(0)) == total.available
        assert sum((g.evaluator_points for g in groups), Fraction(0)) == total.evaluator_points
    assert total.available + total.evaluator_points + total.price_points <= 100
    assert all(not a.evaluator_marked for a in outcome.advice if a.kind == "criterion")
    gains = [a.points_available for a in outcome.advice if a.kind == "criterion"]
    assert gains == sorted(gains, reverse=True)


# --- the self-assessment file ---------------------------------------------------------------


def test_the_example_file_loads_with_its_framework_and_organisation() -> None:
    loaded = load_self_assessment(EXAMPLE)
    assert loaded.framework.id == "ethical-care"
    assert loaded.framework.version == "2026.1"
    assert loaded.organisation == "Pennyfield Care Co-operative"
    assert loaded.answers["fw_staff_voice"] == ["staff_forum", "paid_team_meetings"]
    assert "fw_continuity_of_worker" not in loaded.answers  # still being gathered
    outcome = score_self_assessment(loaded.framework, loaded.organisation, loaded.answers)
    assert outcome.exclusions == []
    assert outcome.advice, "the example is partly complete, so it has advice"
    unanswered = {a.criterion_id for a in outcome.evaluator_advice}
    assert "q_safeguarding" in unanswered


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str], Path]:
    def writer(text: str) -> Path:
        path = tmp_path / "self-assessment.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return writer


HEADER = "framework: ethical-care\norganisation: Pennyfield Care Co-operative\n"


def _error(path: Path) -> str:
    with pytest.raises(FrameworkError) as caught:
        load_self_assessment(path)
    return str(caught.value)


def test_an_unknown_question_id_is_an_error_on_its_line(write: Callable[[str], Path]) -> None:
    path = write(HEADER + "answers:\n  fw_paid_travel_time: true\n  fw_lowest_pay: 13.45\n")
    message = _error(path)
    assert message.startswith(f"{path}:5: answers.fw_lowest_pay: ")
    assert "has no question 'fw_lowest_pay'" in message
    assert "commonweal frameworks show ethical-care" in message


def test_every_unusable_answer_is_reported_with_its_line(write: Callable[[str], Path]) -> None:
    path = write(
        HEADER + "answers:\n"
        "  fw_sick_pay: sometimes\n"  # line 4
        "  q_cqc_registered: true\n"
        "  fw_zero_hours_share: lots\n"  # line 6
        "  pr_hourly_rate: 30.00\n"  # line 7
    )
    lines = _error(path).splitlines()
    assert [line.split(": ", 2)[:2] for line in lines] == [
        [f"{path}:4", "answers.fw_sick_pay"],
        [f"{path}:6", "answers.fw_zero_hours_share"],
        [f"{path}:7", "answers.pr_hourly_rate"],
    ]
    assert "does not ask for a price" in lines[2]


def test_an_unknown_key_and_a_missing_organisation_are_named(
    write: Callable[[str], Path],
) -> None:
    path = write("framework: ethical-care\nanswer:\n  fw_paid_travel_time: true\n")
    message = _error(path)
    assert message.splitlines() == [
        f"{path}:1: missing required key 'organisation'",
        f"{path}:2: unknown key 'answer'; did you mean 'answers'? "
        "(expected one of: framework, framework_version, organisation, answers)",
    ]


def test_an_unknown_framework_or_version_is_an_error_on_its_line(
    write: Callable[[str], Path],
) -> None:
    unknown = write("organisation: A\nframework: fair-care\n")
    assert _error(unknown).startswith(f"{unknown}:2: framework: there is no built-in framework")
    old = write('organisation: A\nframework: ethical-care\nframework_version: "1999.1"\n')
    assert _error(old).startswith(f"{old}:3: framework_version: ")
    assert "no version '1999.1'" in _error(old)


def test_a_missing_or_broken_file_is_reported(tmp_path: Path, write: Callable[[str], Path]) -> None:
    missing = tmp_path / "none.yaml"
    assert _error(missing).startswith(f"{missing}:1: cannot read the self-assessment file")
    broken = write(HEADER + "answers:\n  fw_sick_pay: [occupational\n")
    assert "YAML syntax error" in _error(broken)
