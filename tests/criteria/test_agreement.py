"""Evaluator agreement: spreads per bid and Krippendorff's alpha per criterion and pooled."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping

import krippendorff
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from criteria.agreement import Agreement, CriterionAgreement, agreement, ordinal_alpha
from criteria.cli import main
from criteria.inputs import CriterionMarks, Mark
from criteria.round_file import load_round
from tests.criteria.factories import criterion, framework, marks, section
from tests.criteria.test_examples import ROUND_FILE as EXAMPLE_ROUND

SCALED = {"rule": "evaluator_scale", "scale": "quality"}

FRAMEWORK = framework(
    section(
        "quality",
        criterion("plan", "narrative", SCALED, weight=40, prompt="How will you plan care?"),
        criterion("staff", "integer", {"rule": "linear", "from": 0, "to": 10, "max_points": 5}),
        criterion("voice", "narrative", SCALED, weight=30, prompt="How do people shape it?"),
    )
)

Marks = dict[str, dict[str, CriterionMarks]]

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: four observers,
# twelve units, values 1-5 with gaps. Published: nominal 0.743, ordinal 0.815, interval 0.849.
KRIPPENDORFF_EXAMPLE: list[list[int | None]] = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def _by_unit(rows: list[list[int | None]]) -> dict[str, CriterionMarks]:
    """Observers x units, as the marks for one criterion by bid id (unit 1 is bid 'u01')."""
    units: dict[str, CriterionMarks] = {}
    for column in range(len(rows[0])):
        given = [
            Mark(evaluator=f"e{row + 1}", points=value)
            for row, value in enumerate(r[column] for r in rows)
            if value is not None
        ]
        units[f"u{column + 1:02d}"] = CriterionMarks(marks=given)
    return units


def _on(criterion_id: str, by_bid: Mapping[str, CriterionMarks]) -> Marks:
    return {bid: {criterion_id: given} for bid, given in by_bid.items()}


def _criterion(result: Agreement, criterion_id: str) -> CriterionAgreement:
    return next(c for c in result.criteria if c.criterion_id == criterion_id)


# --- spreads and what is counted -------------------------------------------------------------


def test_spread_is_highest_minus_lowest_mark_for_bids_with_two_or_more_marks() -> None:
    result = agreement(
        FRAMEWORK,
        {
            "a": {"plan": marks(1, 4, 3)},
            "b": {"plan": marks(3, 3)},
            "c": {"plan": marks(5)},
        },
    )
    plan = _criterion(result, "plan")
    assert plan.spreads == {"a": 3, "b": 0}
    assert plan.max_spread == 3
    assert plan.n_marks == 6
    assert plan.prompt == "How will you plan care?"


def test_only_evaluator_marked_criteria_are_reported_in_framework_order() -> None:
    result = agreement(FRAMEWORK, {})
    assert [c.criterion_id for c in result.criteria] == ["plan", "voice"]
    assert all(c.max_spread is None and c.alpha is None and c.n_marks == 0 for c in result.criteria)
    assert result.overall_alpha is None


def test_moderated_marks_do_not_count_towards_agreement() -> None:
    independent = {"a": {"plan": marks(1, 4)}, "b": {"plan": marks(2, 2)}}
    moderated = {
        "a": {"plan": marks(1, 4, moderated=3, rationale="Agreed at moderation")},
        "b": {"plan": marks(2, 2, moderated=5, rationale="Agreed at moderation")},
    }
    assert agreement(FRAMEWORK, moderated) == agreement(FRAMEWORK, independent)
    assert _criterion(agreement(FRAMEWORK, moderated), "plan").n_marks == 4


def test_flagged_bids_have_a_spread_at_or_over_the_threshold_sorted_by_bid() -> None:
    plan = _criterion(
        agreement(
            FRAMEWORK,
            {"c": {"plan": marks(0, 2)}, "a": {"plan": marks(1, 4)}, "b": {"plan": marks(3, 4)}},
        ),
        "plan",
    )
    assert plan.flagged(2) == ["a", "c"]
    assert plan.flagged(3) == ["a"]
    assert plan.flagged(4) == []


def test_round_flags_list_the_widest_spreads_first_with_the_round_threshold() -> None:
    given = {
        "a": {"plan": marks(1, 3), "voice": marks(0, 5)},
        "b": {"plan": marks(2, 5), "voice": marks(4, 4)},
    }
    assert agreement(FRAMEWORK, given).flagged() == [
        ("a", "voice", 5),
        ("b", "plan", 3),
        ("a", "plan", 2),
    ]
    assert agreement(FRAMEWORK, given, threshold=3).flagged() == [
        ("a", "voice", 5),
        ("b", "plan", 3),
    ]


# --- alpha ------------------------------------------------------------------------------------


def test_alpha_matches_krippendorffs_published_ordinal_example() -> None:
    plan = _criterion(agreement(FRAMEWORK, _on("plan", _by_unit(KRIPPENDORFF_EXAMPLE))), "plan")
    assert plan.alpha == pytest.approx(0.815, abs=0.0005)
    assert plan.n_marks == 41
    assert plan.spreads["u06"] == 3


def test_alpha_for_two_bids_each_marked_zero_and_five_is_minus_a_half() -> None:
    # Worked by hand: n = 4 values (two 0s, two 5s), one ordinal distance d for every
    # disagreeing pair; observed 4 pairs x d, expected 2 x 2 x 2 x d / (n - 1) = 8d / 3;
    # alpha = 1 - 4d / (8d / 3) = -0.5.
    result = agreement(FRAMEWORK, {"a": {"plan": marks(0, 5)}, "b": {"plan": marks(5, 0)}})
    assert _criterion(result, "plan").alpha == pytest.approx(-0.5)


def test_perfect_agreement_with_variation_gives_alpha_one() -> None:
    result = agreement(FRAMEWORK, {"a": {"plan": marks(1, 1, 1)}, "b": {"plan": marks(4, 4)}})
    plan = _criterion(result, "plan")
    assert plan.alpha == 1.0
    assert plan.max_spread == 0


def test_identical_marks_everywhere_give_alpha_one_by_convention_not_nan() -> None:
    result = agreement(FRAMEWORK, {"a": {"plan": marks(3, 3)}, "b": {"plan": marks(3, 3, 3)}})
    plan = _criterion(result, "plan")
    assert plan.alpha == 1.0
    assert plan.max_spread == 0
    assert result.overall_alpha == 1.0


def test_alpha_is_none_when_fewer_than_two_bids_have_two_marks() -> None:
    result = agreement(FRAMEWORK, {"a": {"plan": marks(0, 5)}, "b": {"plan": marks(2)}})
    plan = _criterion(result, "plan")
    assert plan.alpha is None
    assert plan.max_spread == 5
    assert result.overall_alpha is None


def test_overall_alpha_pools_bid_criterion_pairs_across_criteria() -> None:
    # Neither criterion alone has two bids with two marks; pooled there are two units.
    result = agreement(FRAMEWORK, {"a": {"plan": marks(0, 5)}, "b": {"voice": marks(5, 0)}})
    assert [c.alpha for c in result.criteria] == [None, None]
    assert result.overall_alpha == pytest.approx(-0.5)


def test_overall_alpha_is_alpha_over_every_bid_and_criterion_unit() -> None:
    given = {
        "a": {"plan": marks(1, 2, 2), "voice": marks(4, 5)},
        "b": {"plan": marks(3, 3), "voice": marks(0, 2, 1)},
        "c": {"plan": marks(5, 4), "voice": marks(2, 2)},
    }
    units = [[m.points for m in cm.marks] for by in given.values() for cm in by.values()]
    assert agreement(FRAMEWORK, given).overall_alpha == pytest.approx(
        ordinal_alpha(units, range(6))
    )


# --- the JSON summary ---------------------------------------------------------------------------


def test_to_dict_is_json_ready_and_lists_flags() -> None:
    result = agreement(FRAMEWORK, {"a": {"plan": marks(1, 4)}, "b": {"plan": marks(2, 2)}})
    summary = json.loads(json.dumps(result.to_dict()))
    assert summary["threshold"] == 2
    assert summary["flagged"] == [{"bid": "a", "criterion": "plan", "spread": 3}]
    assert [c["criterion"] for c in summary["criteria"]] == ["plan", "voice"]
    assert summary["criteria"][0]["spreads"] == {"a": 3, "b": 0}
    assert summary["criteria"][0]["flagged"] == ["a"]
    assert summary["criteria"][1] == {
        "criterion": "voice",
        "prompt": "How do people shape it?",
        "alpha": None,
        "max_spread": None,
        "marks": 0,
        "spreads": {},
        "flagged": [],
    }


def test_example_round_evaluators_agree_closely() -> None:
    loaded = load_round(EXAMPLE_ROUND)
    result = agreement(loaded.framework, loaded.round.marks)
    assert result.criteria
    assert result.flagged() == []
    assert result.overall_alpha is not None
    assert 0.8 < result.overall_alpha <= 1


def test_score_explain_ends_with_the_evaluator_agreement_block() -> None:
    outcome = CliRunner().invoke(main, ["score", str(EXAMPLE_ROUND), "--explain"])
    assert outcome.exit_code == 0, outcome.output
    block = outcome.output.split("Evaluator agreement (independent marks, before moderation)")[1]
    rows = [" ".join(line.split()) for line in block.splitlines()]
    assert "criterion alpha widest spread marks" in rows
    assert "Recruiting, paying and keeping care workers 0.94 1 24" in rows
    assert "All evaluator-marked criteria: alpha 0.90" in block
    assert "No bid's marks are 2 or more points apart." in block


def test_score_without_explain_leaves_agreement_out() -> None:
    outcome = CliRunner().invoke(main, ["score", str(EXAMPLE_ROUND)])
    assert outcome.exit_code == 0, outcome.output
    assert "Evaluator agreement" not in outcome.output


def test_score_json_carries_the_agreement_summary() -> None:
    outcome = CliRunner().invoke(main, ["score", str(EXAMPLE_ROUND), "--format", "json"])
    assert outcome.exit_code == 0, outcome.output
    loaded = load_round(EXAMPLE_ROUND)
    expected = agreement(loaded.framework, loaded.round.marks).to_dict()
    assert json.loads(outcome.output)["agreement"] == json.loads(json.dumps(expected))


# --- properties -------------------------------------------------------------------------------

points = st.integers(min_value=0, max_value=5)
unit_marks = st.lists(points, min_size=0, max_size=4)
round_marks = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d", "e", "f"]),
    st.fixed_dictionaries({"plan": unit_marks, "voice": unit_marks}),
    max_size=6,
)


def _marks_from(raw: dict[str, dict[str, list[int]]]) -> Marks:
    return {bid: {c: marks(*given) for c, given in by.items()} for bid, by in raw.items()}


def _shuffled(raw: dict[str, dict[str, list[int]]], seed: int) -> Marks:
    """The same marks with bids, criteria and evaluators in another order."""
    shuffle = random.Random(seed).sample
    result: Marks = {}
    for bid in shuffle(list(raw), len(raw)):
        by = raw[bid]
        result[bid] = {}
        for c in shuffle(list(by), len(by)):
            given = marks(*by[c]).marks
            result[bid][c] = CriterionMarks(marks=shuffle(given, len(given)))
    return result


@settings(max_examples=150, deadline=None)
@given(round_marks, st.integers(min_value=0, max_value=2**16))
def test_agreement_does_not_depend_on_the_order_of_bids_criteria_or_evaluators(
    raw: dict[str, dict[str, list[int]]], seed: int
) -> None:
    first = agreement(FRAMEWORK, _marks_from(raw))
    again = agreement(FRAMEWORK, _shuffled(raw, seed))
    assert again == first
    assert json.dumps(again.to_dict()) == json.dumps(first.to_dict())


@settings(max_examples=150, deadline=None)
@given(round_marks)
def test_spreads_lie_on_the_scale_and_alpha_between_minus_one_and_one(
    raw: dict[str, dict[str, list[int]]],
) -> None:
    result = agreement(FRAMEWORK, _marks_from(raw))
    for found in result.criteria:
        assert all(0 <= spread <= 5 for spread in found.spreads.values())
        assert found.max_spread == max(found.spreads.values(), default=None)
        assert found.alpha is None or -1 <= found.alpha <= 1
    assert result.overall_alpha is None or -1 <= result.overall_alpha <= 1


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(points, st.integers(min_value=2, max_value=4)), min_size=2, max_size=6))
def test_evaluators_giving_each_bid_the_same_mark_agree_perfectly(
    units: list[tuple[int, int]],
) -> None:
    given = {f"b{i}": {"plan": marks(*[p] * n)} for i, (p, n) in enumerate(units)}
    plan = _criterion(agreement(FRAMEWORK, given), "plan")
    assert plan.max_spread == 0
    assert plan.alpha == 1.0
    assert plan.flagged(1) == []


@settings(max_examples=100, deadline=None)
@given(st.lists(unit_marks, min_size=2, max_size=6))
def test_alpha_equals_krippendorff_on_evaluators_by_bids_data(units: list[list[int]]) -> None:
    found = ordinal_alpha(units, range(6))
    pairable = [u for u in units if len(u) >= 2]
    if len(pairable) < 2:
        assert found is None
        return
    if len({p for u in pairable for p in u}) == 1:
        assert found == 1.0
        return
    # evaluator i gave each unit's i-th mark; NaN where a unit has fewer marks
    data = [[u[i] if i < len(u) else math.nan for u in units] for i in range(4)]
    expected = krippendorff.alpha(
        reliability_data=data, value_domain=list(range(6)), level_of_measurement="ordinal"
    )
    assert found == pytest.approx(expected, abs=1e-9)
