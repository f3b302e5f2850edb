"""The example round in examples/homecare-2026: it is well formed, and it scores the way a
commissioner reading it would expect.

Eight fictional providers bid. The worker co-operative, the employee-owned trust and the charity
lead; the private-equity-backed group is ranked but flagged twice over its price; the offshore
group is excluded by two gates; the new social enterprise misses the safeguarding minimum.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

import criteria
from criteria.answers import parse_answer
from criteria.inputs import Round
from criteria.model import Framework
from criteria.result import RoundResult

ROOT = Path(__file__).resolve().parents[2]
ROUND_FILE = ROOT / "examples" / "homecare-2026" / "round.yaml"
README = ROOT / "examples" / "README.md"
FRAMEWORK_FILE = Path(criteria.__file__).parent / "frameworks" / "ethical-care.yaml"

CO_OP = "hollin-brook"
PRIVATE_EQUITY = "meridian-crest"
OFFSHORE = "northgate-horizon"
NEW_SOCIAL_ENTERPRISE = "rise-together"


@pytest.fixture(scope="module")
def round_() -> Round:
    return Round.model_validate(yaml.safe_load(ROUND_FILE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def framework() -> Framework:
    return Framework.model_validate(yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8")))


# --- the file is well formed ---------------------------------------------------------------


def test_round_file_parses_and_names_the_ethical_care_framework(round_: Round) -> None:
    assert round_.id == "homecare-2026"
    assert round_.framework == "ethical-care"
    assert round_.framework_version == "2026.1"


def test_round_file_loads_with_its_framework_through_the_round_loader() -> None:
    from criteria.round_file import load_round

    loaded = load_round(ROUND_FILE)
    assert loaded.framework.id == "ethical-care"
    assert len(loaded.round.bids) == 8


def test_eight_providers_bid_with_distinct_ownership_forms(round_: Round) -> None:
    forms = [b.answers["lo_ownership_form"] for b in round_.bids]
    assert len(round_.bids) == 8
    assert sorted(forms) == sorted(
        [
            "cooperative",
            "private_equity",
            "community_interest_company",
            "charity",
            "independent_sme",
            "employee_owned_trust",
            "offshore_parent",
            "social_enterprise",
        ]
    )


def test_every_answer_is_a_valid_answer_to_a_framework_question(
    round_: Round, framework: Framework
) -> None:
    for bid in round_.bids:
        for criterion_id, raw in bid.answers.items():
            assert criterion_id in framework.criteria, (bid.id, criterion_id)
            assert parse_answer(framework.criteria[criterion_id], raw) is not None


def test_every_bid_answers_every_question_that_is_always_asked(
    round_: Round, framework: Framework
) -> None:
    always_asked = [c.id for c in framework.criteria.values() if c.show_if is None]
    for bid in round_.bids:
        assert [c for c in always_asked if c not in bid.answers] == [], bid.id


def test_hourly_prices_lie_between_24_and_36_pounds_and_a_half(round_: Round) -> None:
    prices = [Decimal(str(b.answers["pr_hourly_rate"])) for b in round_.bids]
    assert min(prices) >= 24
    assert max(prices) <= Decimal("36.50")


def test_written_answers_have_three_independent_marks_with_justifications(
    round_: Round, framework: Framework
) -> None:
    marked = {
        c.id
        for c in framework.criteria.values()
        if c.scoring is not None and c.scoring.rule == "evaluator_scale"
    }
    assert set(round_.marks) == {b.id for b in round_.bids}
    for bid_id, by_criterion in round_.marks.items():
        assert set(by_criterion) == marked, bid_id
        for criterion_id, marks in by_criterion.items():
            evaluators = [m.evaluator for m in marks.marks]
            assert len(set(evaluators)) == 3, (bid_id, criterion_id)
            for mark in marks.marks:
                assert 0 <= mark.points <= 5
                assert len(mark.justification.split()) >= 3, (bid_id, criterion_id)


def test_marks_that_disagree_are_moderated_with_a_rationale(round_: Round) -> None:
    for bid_id, by_criterion in round_.marks.items():
        for criterion_id, marks in by_criterion.items():
            disagree = len({m.points for m in marks.marks}) > 1
            assert (marks.moderated is not None) == disagree, (bid_id, criterion_id)
            if marks.moderated is not None:
                points = [m.points for m in marks.marks]
                assert min(points) <= marks.moderated.points <= max(points)
                assert len(marks.moderated.rationale.split()) >= 10


def test_readme_gives_the_command_that_scores_the_round() -> None:
    text = README.read_text(encoding="utf-8")
    assert "commonweal score examples/homecare-2026/round.yaml --format table" in text


# --- scoring it ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result(round_: Round) -> RoundResult:
    from criteria.engine import score_round
    from criteria.round_file import load_round

    loaded = load_round(ROUND_FILE)
    scored: RoundResult = score_round(
        loaded.framework, loaded.round.bids, loaded.round.marks, loaded.round.settings
    )
    return scored


def test_six_bids_are_ranked_and_two_excluded(result: RoundResult) -> None:
    assert len(result.ranked) == 6
    excluded = {b.bid_id for b in result.bids if b.status == "excluded"}
    assert excluded == {OFFSHORE, NEW_SOCIAL_ENTERPRISE}


def test_ranking_puts_the_co_operative_first_ahead_of_the_charity_and_the_trust(
    result: RoundResult,
) -> None:
    order = [b.bid_id for b in result.ranked]
    assert order == [
        CO_OP,
        "lantern-trust",
        "kestrel",
        "hearthside",
        "birchall",
        PRIVATE_EQUITY,
    ]
    assert result.winner is not None
    assert result.winner.bid_id == CO_OP


def test_co_operative_total_matches_the_hand_computed_score(result: RoundResult) -> None:
    co_op = result.bid(CO_OP)
    # Quality: rating Good 3/4 of 10, person-centred 4/5 of 16, safeguarding 4/5 of 14.
    assert co_op.pillar_score("quality") == Fraction(63, 2)
    # Fair work 17.856 of 18 (continuity 86% earns 0.9 of 1.44); local ownership 11.7 of 12
    # (local supply spend 45% earns 0.75 of 1.2).
    assert co_op.pillar_score("fair_work_ownership") == Fraction("29.556")
    # Jobs 8/10 of 2, apprenticeships 7/10 of 1.5, volunteering 6/10 of 1, carbon plan 2/4
    # of 1.5, co-design 5/5 of 2, social value answer 4/5 of 2.
    assert co_op.pillar_score("social_value") == Fraction("7.6")
    # Price 35.90 on the fixed range 32.14 to 40.00: (40 - 35.90) / (40 - 32.14) of 20.
    assert co_op.pillar_score("price") == Fraction(4100, 393)
    assert co_op.total == Fraction("68.656") + Fraction(4100, 393)


def test_private_equity_group_is_ranked_but_flagged_abnormally_low_and_wage_floor_not_funded(
    result: RoundResult,
) -> None:
    group = result.bid(PRIVATE_EQUITY)
    assert group.status == "ranked"
    assert sorted(f.code for f in group.flags) == ["abnormally_low", "wage_floor_not_funded"]
    # Full price points cannot rescue weak fair work and ownership answers.
    assert group.pillar_score("price") == 20
    assert group.pillar_score("fair_work_ownership") < 5


def test_offshore_group_is_excluded_for_pay_below_the_legal_minimum_and_an_inadequate_rating(
    result: RoundResult,
) -> None:
    group = result.bid(OFFSHORE)
    gates = {e.target: e.reason for e in group.exclusions if e.kind == "gate"}
    assert set(gates) == {"fw_lowest_hourly_pay", "q_cqc_rating"}
    assert "National Living Wage" in gates["fw_lowest_hourly_pay"]
    assert "Inadequate" in gates["q_cqc_rating"]
    thresholds = {e.target for e in group.exclusions if e.kind == "threshold"}
    assert thresholds == {"criterion:q_safeguarding", "pillar:quality"}
    assert group.rank is None


def test_new_social_enterprise_misses_only_the_safeguarding_minimum(result: RoundResult) -> None:
    enterprise = result.bid(NEW_SOCIAL_ENTERPRISE)
    assert [(e.kind, e.target) for e in enterprise.exclusions] == [
        ("threshold", "criterion:q_safeguarding")
    ]
    assert enterprise.criterion("q_safeguarding").raw == 1
    assert enterprise.criterion("q_cqc_inspection_due").status != "not_applicable"


def test_round_settings_make_atherton_local_for_the_social_enterprise(
    result: RoundResult,
) -> None:
    # M46 is not in the framework's default WN list; the round's own districts add it.
    assert result.bid(NEW_SOCIAL_ENTERPRISE).criterion("lo_registered_office").normalised == 1
    assert result.bid("lantern-trust").criterion("lo_registered_office").normalised == 0


def test_only_the_two_cheapest_bids_are_flagged(result: RoundResult) -> None:
    flagged = {b.bid_id for b in result.bids if b.flags}
    assert flagged == {PRIVATE_EQUITY, OFFSHORE}


def test_ranking_does_not_depend_on_the_order_of_the_bids(
    round_: Round, framework: Framework, result: RoundResult
) -> None:
    from criteria.engine import score_round

    settings = round_.settings
    reversed_result = score_round(framework, list(reversed(round_.bids)), round_.marks, settings)
    assert [b.bid_id for b in reversed_result.bids] == [b.bid_id for b in result.bids]
    assert [b.total for b in reversed_result.bids] == [b.total for b in result.bids]


def test_score_command_prints_the_table_from_the_readme() -> None:
    from click.testing import CliRunner

    from criteria.cli import main

    outcome = CliRunner().invoke(main, ["score", str(ROUND_FILE), "--format", "table"])
    assert outcome.exit_code == 0, outcome.output
    assert "Recommended: Hollin Brook Care Co-operative" in outcome.output
    assert "Northgate Horizon Care Ltd" in outcome.output
    assert "Excluded bids:" in outcome.output
