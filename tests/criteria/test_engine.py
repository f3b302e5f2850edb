"""Scoring whole rounds: weights, gates, thresholds, flags, ranking and ties, all by hand.

Most tests use the small homecare framework from the factories: quality 60 (pay and care 60:
hourly pay 40, care plan 60; local wealth 40: ownership 50, office postcode 50) and price 40.
So the effective weights are hourly pay 14.4, care plan 21.6, ownership 12, office 12 and
price 40 points of 100.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from criteria.engine import RoundInputError, score_round
from criteria.hashing import content_hash
from criteria.inputs import Bid, CriterionMarks, Mark
from criteria.model import Framework
from criteria.result import RoundResult
from tests.criteria.factories import (
    bid,
    criterion,
    framework,
    homecare_bid,
    homecare_framework,
    marks,
    pillar,
    section,
)

MARKED = {"care_plan": marks(4, 4)}


def marked(*bids: Bid, care: CriterionMarks | None = None) -> dict[str, Any]:
    """Every bid's care plan marked 4 by both evaluators, unless `care` is given."""
    return {b.id: {"care_plan": care or marks(4, 4)} for b in bids}


def score(fw: Framework, *bids: Bid, **kwargs: Any) -> RoundResult:
    kwargs.setdefault("marks", marked(*bids))
    return score_round(fw, list(bids), **kwargs)


# --- weights and totals ---------------------------------------------------------------------


def test_effective_weights_multiply_pillar_section_and_criterion_shares() -> None:
    result = score(homecare_framework(), homecare_bid("a"))
    weights = {c.criterion_id: c.weight for c in result.bid("a").criteria}
    assert weights == {
        "hourly_pay": Fraction(72, 5),
        "care_plan": Fraction(108, 5),
        "ownership": 12,
        "office_postcode": 12,
        "price": 40,
    }


def test_a_single_bid_total_is_the_sum_of_hand_worked_contributions() -> None:
    result = score(homecare_framework(), homecare_bid("a"))
    a = result.bid("a")
    # pay 5/5 x 14.4 + care 4/5 x 21.6 + ownership 5/5 x 12 + office 5/5 x 12 + price 1 x 40
    assert a.total == Fraction("95.68")
    assert a.total == sum(c.contribution for c in a.criteria)
    assert (a.status, a.rank, result.winner) == ("ranked", 1, a)


def test_section_and_pillar_totals_add_up_with_their_weights() -> None:
    a = score(homecare_framework(), homecare_bid("a", ownership="company")).bid("a")
    sections = {s.id: (s.weight, s.score, s.percent) for s in a.sections}
    assert sections["pay_and_care"] == (Fraction(36), Fraction("31.68"), Fraction(88))
    assert sections["local_wealth"] == (
        Fraction(24),
        Fraction("14.4"),
        Fraction(60),
    )  # 1/5 x 12 + 12
    pillars = {p.id: (p.weight, p.score) for p in a.pillars}
    assert pillars == {
        "quality": (Fraction(60), Fraction("46.08")),
        "price": (Fraction(40), Fraction(40)),
    }
    assert a.pillar_score("quality") + a.pillar_score("price") == a.total


def test_the_result_names_the_framework_version_hash_weights_and_price_formula() -> None:
    fw = homecare_framework()
    result = score(fw, homecare_bid("a"))
    assert (result.framework_id, result.framework_version) == ("test-framework", "1")
    assert result.framework_hash == content_hash(fw)
    assert result.pillar_weights == {"quality": 60, "price": 40}
    assert result.price_formula == "lowest_over_bid"


def test_scaling_the_criterion_weights_of_a_section_changes_nothing() -> None:
    def one_section(w1: int, w2: int) -> Framework:
        return framework(
            section(
                "s",
                criterion(
                    "x",
                    "integer",
                    {"rule": "linear", "from": 0, "to": 10, "max_points": 1},
                    weight=w1,
                ),
                criterion(
                    "y",
                    "integer",
                    {"rule": "linear", "from": 0, "to": 10, "max_points": 1},
                    weight=w2,
                ),
            )
        )

    bids = [bid("a", x=10, y=5)]
    assert score_round(one_section(30, 70), bids).bid("a").total == 65
    assert score_round(one_section(3, 7), bids).bid("a").total == 65


def test_a_criterion_without_scoring_is_reported_but_adds_nothing() -> None:
    fw = framework(
        section(
            "s",
            criterion("notes", "narrative", weight=0),
            criterion(
                "staff", "integer", {"rule": "bands", "bands": [{"at_least": 1, "points": 1}]}
            ),
        )
    )
    result = score_round(fw, [bid("a", notes="Thank you", staff=3)])
    notes = result.bid("a").criterion("notes")
    assert (notes.rule, notes.contribution, notes.reason) == (
        "none",
        Fraction(0),
        "Asked for information; not scored",
    )
    assert result.bid("a").total == 100


# --- answers: missing, unusable, hidden -----------------------------------------------------


def test_a_required_question_left_unanswered_scores_zero_and_says_not_answered() -> None:
    a = score(homecare_framework(), homecare_bid("a", ownership="")).bid("a")
    ownership = a.criterion("ownership")
    assert (ownership.status, ownership.raw, ownership.max, ownership.reason) == (
        "unanswered",
        Fraction(0),
        Fraction(5),
        "Not answered",
    )
    assert ownership.answer is None


def test_an_optional_question_left_unanswered_says_it_was_optional() -> None:
    fw = framework(
        section(
            "s",
            criterion(
                "x",
                "integer",
                {"rule": "bands", "bands": [{"at_least": 1, "points": 2}]},
                required=False,
            ),
        )
    )
    x = score_round(fw, [bid("a")]).bid("a").criterion("x")
    assert x.reason == "Not answered (optional question)"


def test_an_answer_that_cannot_be_read_counts_as_unanswered_with_the_reason() -> None:
    a = score(homecare_framework(), homecare_bid("a", postcode="Wigan")).bid("a")
    office = a.criterion("office_postcode")
    assert (office.status, office.raw) == ("unanswered", Fraction(0))
    assert office.reason == (
        "Not answered: the answer given could not be used (Enter a full UK postcode, like WN1 1AA)"
    )


def follow_up_framework() -> Framework:
    accredited = criterion(
        "rlw_accredited",
        "yes_no",
        {"rule": "choice_points", "points": {"yes": 4, "no": 0}},
        prompt="Are you an accredited Real Living Wage employer?",
        weight=50,
    )
    plan = criterion(
        "rlw_plan",
        "integer",
        {"rule": "bands", "bands": [{"at_least": 1, "points": 2}], "gate": {"at_most": 24}},
        prompt="In how many months will you be accredited?",
        weight=50,
        show_if={"criterion": "rlw_accredited", "equals": False},
    )
    return framework(section("pay", accredited, plan))


def test_a_follow_up_whose_show_if_is_not_met_is_not_applicable() -> None:
    result = score_round(follow_up_framework(), [bid("a", rlw_accredited="yes", rlw_plan=99)])
    plan = result.bid("a").criterion("rlw_plan")
    assert (plan.status, plan.raw, plan.contribution, plan.answer) == (
        "not_applicable",
        Fraction(0),
        Fraction(0),
        None,
    )
    assert plan.reason == (
        "Not asked: this question applies only when the answer to "
        "“Are you an accredited Real Living Wage employer?” must be no"
    )
    # The hidden answer of 99 months would fail the follow-up's gate; it is not asked, so
    # its gate is not applied either.
    assert result.bid("a").status == "ranked"
    assert plan.gate_passed is None


def test_a_follow_up_whose_show_if_is_met_is_scored_and_gated() -> None:
    result = score_round(follow_up_framework(), [bid("a", rlw_accredited="no", rlw_plan=30)])
    a = result.bid("a")
    assert a.criterion("rlw_plan").status == "scored"
    assert a.criterion("rlw_plan").contribution == 50
    assert [e.target for e in a.exclusions] == ["rlw_plan"]


# --- gates ----------------------------------------------------------------------------------


def test_pay_below_the_national_living_wage_fails_the_pay_gate_but_is_still_scored() -> None:
    result = score(homecare_framework(), homecare_bid("a"), homecare_bid("b", pay="12.00"))
    b = result.bid("b")
    assert b.status == "excluded"
    assert b.rank is None
    assert [(e.kind, e.target) for e in b.exclusions] == [("gate", "hourly_pay")]
    assert b.exclusions[0].reason == (
        "The answer to “What is the lowest hourly rate you pay care workers?” must be at "
        "least £12.71 ($national_living_wage), but the bid answered £12.00"
    )
    assert b.criterion("hourly_pay").gate_passed is False
    assert b.total == Fraction("81.28")  # scored in full: 0 + 17.28 + 12 + 12 + 40
    assert result.bid("a").criterion("hourly_pay").gate_passed is True


def test_a_gate_on_an_unanswered_question_fails() -> None:
    b = score(homecare_framework(), homecare_bid("b", pay="")).bid("b")
    assert b.status == "excluded"
    assert b.exclusions[0].reason.endswith("but the bid did not answer it")


def test_a_gate_on_an_unusable_answer_says_why_it_could_not_be_used() -> None:
    b = score(homecare_framework(), homecare_bid("b", pay="about thirteen")).bid("b")
    assert b.exclusions[0].reason.endswith(
        "but the answer given could not be used (Your answer to “What is the lowest hourly "
        "rate you pay care workers?” must be an amount in pounds, like 13.45)"
    )


def test_a_gate_rule_uses_its_message_when_the_framework_gives_one() -> None:
    cqc = criterion(
        "cqc_registered",
        "yes_no",
        {
            "rule": "gate",
            "gate": {"equals": True, "message": "Providers must be registered with the CQC."},
        },
        weight=0,
    )
    fw = framework(
        section(
            "s",
            cqc,
            criterion("x", "integer", {"rule": "bands", "bands": [{"at_least": 0, "points": 1}]}),
        )
    )
    result = score_round(
        fw, [bid("a", cqc_registered=False, x=1), bid("b", cqc_registered=True, x=1)]
    )
    assert result.bid("a").exclusions[0].reason == "Providers must be registered with the CQC."
    assert result.bid("a").criterion("cqc_registered").status == "gate_only"
    assert result.bid("b").status == "ranked"


# --- price ----------------------------------------------------------------------------------


def test_price_is_scored_against_the_bids_that_passed_every_gate() -> None:
    # b's £20.00 would be the lowest, but b fails the pay gate, so a's £25.00 is the lowest
    # eligible price and a scores the full 40 price points.
    result = score(
        homecare_framework(),
        homecare_bid("a", price="25.00"),
        homecare_bid("c", price="30.00"),
        homecare_bid("b", price="20.00", pay="11.00"),
    )
    assert result.bid("a").criterion("price").contribution == 40
    assert result.bid("c").criterion("price").normalised == Fraction(5, 6)
    # The excluded bid is still scored: against the eligible field and its own price.
    assert result.bid("b").criterion("price").normalised == 1


@pytest.mark.parametrize(("price", "given"), [("0", "£0.00"), ("", None)])
def test_a_zero_or_missing_price_fails_the_gate_with_a_clear_reason(
    price: str, given: str | None
) -> None:
    result = score(homecare_framework(), homecare_bid("a"), homecare_bid("z", price=price))
    z = result.bid("z")
    assert z.status == "excluded"
    why = f"the bid gave {given}" if given else "the bid gave no price that could be used"
    assert [e.reason for e in z.exclusions] == [f"A price of more than £0 is needed; {why}"]
    assert z.criterion("price").contribution == 0
    assert z.criterion("price").gate_passed is False
    assert result.bid("a").criterion("price").normalised == 1


def test_a_negative_price_in_a_decimal_question_fails_the_gate() -> None:
    # A framework may let a decimal go below 0; the price rule still refuses it.
    priced = criterion("price", "decimal", {"rule": "price"}, min=-10)
    fw = framework(
        section("pricing", priced, pillar="price"),
        pillars=[pillar("price", 100)],
        price={"name": "lowest_over_bid"},
    )
    z = score_round(fw, [bid("z", price=-3)]).bid("z")
    assert z.exclusions[0].reason == "A price of more than £0 is needed; the bid gave -£3.00"


def test_the_price_criterion_is_reported_with_its_formula_out_of_100() -> None:
    result = score(
        homecare_framework(), homecare_bid("a", price="25.00"), homecare_bid("b", price="20.00")
    )
    price = result.bid("a").criterion("price")
    assert (price.rule, price.raw, price.max, price.normalised) == (
        "price:lowest_over_bid",
        Fraction(80),
        Fraction(100),
        Fraction(4, 5),
    )
    assert price.reason == "The lowest price £20.00 divided by this price £25.00: 80%"


def test_price_per_quality_point_uses_the_non_price_contributions() -> None:
    fw = homecare_framework({"name": "price_per_quality_point"})
    result = score(
        fw, homecare_bid("a", price="20.00"), homecare_bid("b", price="20.00", ownership="company")
    )
    # a: quality 14.4 + 17.28 + 12 + 12 = 55.68; b: 55.68 - 9.6 = 46.08 at the same price.
    assert result.bid("a").criterion("price").normalised == 1
    assert result.bid("b").criterion("price").normalised == Fraction("46.08") / Fraction("55.68")


def test_fixed_price_above_the_cap_excludes_the_bid() -> None:
    fw = homecare_framework({"name": "fixed_price", "price": 26})
    result = score(fw, homecare_bid("a", price="26.00"), homecare_bid("b", price="26.50"))
    assert result.bid("a").criterion("price").contribution == 40
    assert result.bid("b").exclusions[0].reason == "£26.50 is above the fixed price of £26.00"


# --- flags ----------------------------------------------------------------------------------

LOW = {
    "criterion": "price",
    "below": "$minimum_price",
    "reason": "ask the provider to show how it will pay the promised wage at this price",
}
FLOOR = {
    "pay_criterion": "hourly_pay",
    "price_criterion": "price",
    "factor": "$on_cost_factor",
    "reason": "the rate cannot cover the promised pay plus on-costs",
}


def test_a_price_below_the_minimum_sustainable_rate_is_flagged_with_the_figures() -> None:
    fw = homecare_framework(abnormally_low=LOW)
    result = score(fw, homecare_bid("a", price="28.50"), homecare_bid("b", price="33.00"))
    flags = result.bid("a").flags
    assert [(f.code, f.criterion_id) for f in flags] == [("abnormally_low", "price")]
    assert flags[0].reason == (
        "£28.50 is below £32.14 ($minimum_price): ask the provider to show how it will pay "
        "the promised wage at this price"
    )
    assert result.bid("b").flags == ()


def test_a_price_that_cannot_fund_the_promised_pay_is_flagged() -> None:
    fw = homecare_framework(wage_floor=FLOOR)
    result = score(
        fw,
        homecare_bid("a", price="21.00", pay="13.45"),
        homecare_bid("b", price="21.52", pay="13.45"),
    )
    flags = result.bid("a").flags
    assert [f.code for f in flags] == ["wage_floor_not_funded"]
    assert flags[0].reason == (
        "£21.00 is below the £21.52 needed to fund the promised pay of £13.45 x 1.6 "
        "($on_cost_factor): the rate cannot cover the promised pay plus on-costs"
    )
    assert result.bid("b").flags == ()  # exactly 13.45 x 1.6 is enough


def test_flags_never_change_scores_or_ranks() -> None:
    bids = (homecare_bid("a", price="21.00"), homecare_bid("b", price="35.00"))
    plain = score(homecare_framework(), *bids)
    flagged = score(homecare_framework(abnormally_low=LOW, wage_floor=FLOOR), *bids)
    assert len(flagged.bid("a").flags) == 2
    assert [(b.bid_id, b.total, b.rank) for b in flagged.bids] == [
        (b.bid_id, b.total, b.rank) for b in plain.bids
    ]


# --- minimum thresholds ---------------------------------------------------------------------


def test_missing_a_criterion_minimum_excludes_with_the_figures() -> None:
    fw = homecare_framework(
        minimum_thresholds=[{"scope": "criterion", "id": "care_plan", "min_points": 3}]
    )
    result = score_round(
        fw,
        [homecare_bid("a"), homecare_bid("b")],
        marks={"a": {"care_plan": marks(3, 3)}, "b": {"care_plan": marks(2, 3)}},
    )
    assert result.bid("a").status == "ranked"
    b = result.bid("b")
    assert [(e.kind, e.target) for e in b.exclusions] == [("threshold", "criterion:care_plan")]
    assert b.exclusions[0].reason == (
        "The answer to “How will you plan care with each person?” scored 2.5 of 5 points, "
        "below the published minimum of 3"
    )


def test_missing_a_section_minimum_excludes_with_the_percentage() -> None:
    fw = homecare_framework(
        minimum_thresholds=[{"scope": "section", "id": "pay_and_care", "min_percent": 60}]
    )
    care = marks(2, 2)
    result = score(
        fw,
        homecare_bid("a"),
        homecare_bid("b", pay="13.00"),
        marks={"a": {"care_plan": care}, "b": {"care_plan": care}},
    )
    # a: (14.4 + 2/5 x 21.6) / 36 = 64%; b: (2/5 x 14.4 + 8.64) / 36 = 40%.
    assert result.bid("a").status == "ranked"
    assert result.bid("b").exclusions[0].reason == (
        "Section “Pay and care” scored 40% (14.4 of 36 points), below the published minimum of 60%"
    )


def test_pillar_and_total_minimums_are_judged_on_their_percentages() -> None:
    fw = homecare_framework(
        minimum_thresholds=[
            {"scope": "pillar", "id": "quality", "min_percent": 80},
            {"scope": "total", "min_percent": 90},
        ]
    )
    b = score(fw, homecare_bid("b", ownership="company", postcode="M1 1AA")).bid("b")
    # quality: 14.4 + 17.28 + 2.4 + 0 = 34.08 of 60 = 56.8%; total 74.08.
    assert [e.target for e in b.exclusions] == ["pillar:quality", "total"]
    assert b.exclusions[0].reason == (
        "The Quality pillar scored 56.8% (34.08 of 60 points), below the published minimum of 80%"
    )
    assert b.exclusions[1].reason == (
        "The total scored 74.08% (74.08 of 100 points), below the published minimum of 90%"
    )


def test_a_threshold_waiting_on_marks_is_not_judged_yet() -> None:
    fw = homecare_framework(
        minimum_thresholds=[
            {"scope": "section", "id": "pay_and_care", "min_percent": 60},
            {"scope": "section", "id": "local_wealth", "min_percent": 60},
        ]
    )
    a = score_round(fw, [homecare_bid("a", ownership="company", postcode="M1 1AA")]).bid("a")
    # pay_and_care awaits the care plan's marks; local_wealth (10%) is judged now.
    assert a.status == "excluded"
    assert [e.target for e in a.exclusions] == ["section:local_wealth"]


# --- awaiting evaluation and marks ------------------------------------------------------------


def test_a_bid_without_marks_awaits_evaluation_and_is_not_ranked() -> None:
    result = score_round(
        homecare_framework(), [homecare_bid("a"), homecare_bid("b")], marks={"a": MARKED}
    )
    b = result.bid("b")
    assert (b.status, b.rank, b.awaiting) == ("awaiting_evaluation", None, ("care_plan",))
    assert b.criterion("care_plan").status == "awaiting_evaluation"
    assert result.bid("a").rank == 1
    assert result.notes == (
        "1 bid is awaiting evaluators' marks: the ranking is not final until every bid is marked.",
    )


def test_marks_and_moderation_are_reported_on_the_criterion() -> None:
    care = marks(3, 5, moderated=4, rationale="Agreed after discussing the examples")
    result = score(homecare_framework(), homecare_bid("a"), marks={"a": {"care_plan": care}})
    care_plan = result.bid("a").criterion("care_plan")
    assert care_plan.raw == 4
    assert [m["points"] for m in care_plan.marks] == [3, 5]
    assert care_plan.moderated == {"points": 4, "rationale": "Agreed after discussing the examples"}


def test_a_mark_outside_the_scale_is_a_clear_input_error() -> None:
    with pytest.raises(RoundInputError) as caught:
        score(homecare_framework(), homecare_bid("a"), marks={"a": {"care_plan": marks(4, 6)}})
    assert str(caught.value) == (
        "Bid 'a', criterion 'care_plan': e2 gave 6, which is not on the scale 'Quality 0-5' "
        "(allowed: 0, 1, 2, 3, 4, 5)"
    )


@pytest.mark.parametrize(
    ("round_marks", "message"),
    [
        ({"zz": MARKED}, "Marks are given for bid 'zz', which is not in the round"),
        ({"a": {"nope": marks(1)}}, "Bid 'a', criterion 'nope': marks are given for a criterion"),
        (
            {"a": {"ownership": marks(1)}},
            "this criterion is not marked by evaluators (it is scored by its choice_points rule)",
        ),
        (
            {
                "a": {
                    "care_plan": CriterionMarks(
                        marks=[Mark(evaluator="e1", points=1), Mark(evaluator="e1", points=2)]
                    )
                }
            },
            "evaluator 'e1' has more than one mark",
        ),
    ],
)
def test_marks_that_do_not_fit_the_round_are_input_errors(
    round_marks: dict[str, Any], message: str
) -> None:
    with pytest.raises(RoundInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        score_round(homecare_framework(), [homecare_bid("a")], marks=round_marks)
