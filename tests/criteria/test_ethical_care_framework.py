"""The built-in `ethical-care` framework's content: the facts a commissioner relies on.

Wage floors, the minimum sustainable price, pillar weights, gates and the advice providers see.
How it scores small, hand-made bids is in test_ethical_care_scoring.py.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

import criteria
from criteria.model import BandsRule, FixedRange, Framework, resolve_number

FRAMEWORKS = Path(criteria.__file__).parent / "frameworks"
FRAMEWORK_FILE = FRAMEWORKS / "ethical-care.yaml"


@pytest.fixture(scope="module")
def framework() -> Framework:
    """The framework as the model reads it (the loader's cross-checks are tested separately)."""
    return Framework.model_validate(yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8")))


def scored(framework: Framework) -> list[Any]:
    """Every criterion that carries points."""
    return [c for c in framework.criteria.values() if c.weight > 0]


# --- it loads -------------------------------------------------------------------------------


def test_framework_file_matches_the_model(framework: Framework) -> None:
    assert framework.id == "ethical-care"
    assert framework.version == "2026.1"
    assert len(framework.criteria) == 34


def test_framework_loads_with_the_loader_and_passes_every_cross_check(
    framework: Framework,
) -> None:
    from criteria.loader import load_framework

    loaded = load_framework(FRAMEWORK_FILE)
    assert loaded == framework


def test_framework_passes_the_cross_checks(framework: Framework) -> None:
    from criteria.checks import check_framework

    assert check_framework(framework) == []


# --- the facts it holds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("real_living_wage", "13.45"),
        ("national_living_wage", "12.71"),
        ("minimum_sustainable_rate", "32.14"),
        ("hmrc_mileage_rate", "0.45"),
        ("rate_to_pay_factor", "2.63"),
    ],
)
def test_rate_parameters_hold_the_published_figures(
    framework: Framework, name: str, value: str
) -> None:
    assert framework.parameters[name].value == Decimal(value)


def test_rate_to_pay_factor_is_the_minimum_price_over_the_wage_it_was_built_on(
    framework: Framework,
) -> None:
    # Homecare Association 2025-26: 32.14 per contact hour on a National Living Wage of 12.21.
    factor = framework.parameters["rate_to_pay_factor"].value
    assert factor == (Decimal("32.14") / Decimal("12.21")).quantize(Decimal("0.01"))
    assert "32.14 / 12.21" in framework.parameters["rate_to_pay_factor"].description


def test_every_parameter_says_what_it_is_its_unit_and_a_dated_source(
    framework: Framework,
) -> None:
    for name, parameter in framework.parameters.items():
        assert parameter.description.strip(), name
        assert parameter.unit, name
        assert parameter.source, name
        assert any(ch.isdigit() for ch in parameter.source), name


def test_social_value_proxies_are_marked_as_placeholders_for_licensed_values(
    framework: Framework,
) -> None:
    proxies = {n: p for n, p in framework.parameters.items() if n.startswith("proxy_value_")}
    assert len(proxies) == 3
    for parameter in proxies.values():
        assert "placeholder" in parameter.description.lower()
        assert "licensed" in parameter.description.lower()


def test_default_local_area_is_the_wigan_postcode_districts(framework: Framework) -> None:
    expected = [f"WN{n}" for n in range(1, 9)]
    assert framework.parameters["local_postcode_districts"].value == expected


def test_pay_bands_refer_to_the_wage_parameters_not_written_in_figures(
    framework: Framework,
) -> None:
    rule = framework.criteria["fw_lowest_hourly_pay"].scoring
    assert isinstance(rule, BandsRule)
    assert [b.at_least for b in rule.bands] == ["$national_living_wage", "$real_living_wage"]
    assert rule.gate is not None
    assert rule.gate.at_least == "$national_living_wage"


def test_every_money_threshold_is_a_parameter_so_a_new_year_is_a_data_change(
    framework: Framework,
) -> None:
    money = [c for c in framework.criteria.values() if c.type == "money" and c.scoring]
    assert {c.id for c in money} == {"fw_lowest_hourly_pay", "fw_mileage_rate", "pr_hourly_rate"}
    for criterion in money:
        rule = criterion.scoring
        if isinstance(rule, BandsRule):
            assert all(str(b.at_least).startswith("$") for b in rule.bands), criterion.id
    price = framework.award.price
    assert price is not None
    assert isinstance(price.formula, FixedRange)
    assert (price.formula.best, price.formula.worst) == (
        "$minimum_sustainable_rate",
        "$price_ceiling",
    )


# --- weights --------------------------------------------------------------------------------


def test_pillars_weigh_quality_40_fair_work_30_social_value_10_price_20(
    framework: Framework,
) -> None:
    weights = {p.id: p.weight for p in framework.award.pillars}
    assert weights == {
        "quality": 40,
        "fair_work_ownership": 30,
        "social_value": 10,
        "price": 20,
    }


def test_every_pillar_weight_lies_within_its_own_bounds(framework: Framework) -> None:
    for pillar in framework.award.pillars:
        assert pillar.min_weight <= pillar.weight <= pillar.max_weight, pillar.id
    assert framework.pillars["social_value"].min_weight >= 10


def test_criterion_weights_add_up_to_100_in_every_section(framework: Framework) -> None:
    for section in framework.sections:
        assert sum(c.weight for c in section.criteria) == 100, section.id


def test_section_weights_add_up_to_100_in_every_pillar(framework: Framework) -> None:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for section in framework.sections:
        totals[section.pillar] += section.weight
    assert totals == dict.fromkeys(framework.pillars, 100)


def test_fair_work_and_local_ownership_share_the_fair_work_pillar(framework: Framework) -> None:
    sections = {s.id: s for s in framework.sections}
    assert sections["fair_work"].pillar == "fair_work_ownership"
    assert sections["local_ownership"].pillar == "fair_work_ownership"
    assert sections["fair_work"].weight + sections["local_ownership"].weight == 100


# --- what providers are told -----------------------------------------------------------------


def test_every_scored_criterion_has_a_hint_and_improvement_advice(framework: Framework) -> None:
    for criterion in scored(framework):
        assert criterion.hint, criterion.id
        assert criterion.hint.strip(), criterion.id
        assert criterion.improve, criterion.id
        assert len(criterion.improve.split()) >= 8, criterion.id


def test_criterion_ids_start_with_their_section_prefix(framework: Framework) -> None:
    prefixes = {
        "fair_work": "fw_",
        "local_ownership": "lo_",
        "social_value": "sv_",
        "quality": "q_",
        "price": "pr_",
    }
    for section in framework.sections:
        for criterion in section.criteria:
            assert criterion.id.startswith(prefixes[section.id]), criterion.id


def test_unscored_questions_carry_no_weight_and_scored_ones_have_a_rule(
    framework: Framework,
) -> None:
    for criterion in framework.criteria.values():
        if criterion.scoring is None or criterion.scoring.rule == "gate":
            assert criterion.weight == 0, criterion.id
        else:
            assert criterion.weight > 0, criterion.id


def test_written_answers_are_marked_on_the_0_to_5_scale_with_a_word_limit(
    framework: Framework,
) -> None:
    scale = framework.scales["quality_0_5"]
    assert [p.label for p in scale.points] == [
        "Unacceptable",
        "Poor",
        "Satisfactory",
        "Good",
        "Very good",
        "Excellent",
    ]
    marked = [c for c in scored(framework) if c.scoring and c.scoring.rule == "evaluator_scale"]
    assert {c.id for c in marked} == {
        "fw_narrative",
        "lo_narrative",
        "sv_codesign",
        "sv_narrative",
        "q_person_centred",
        "q_safeguarding",
    }
    for criterion in marked:
        assert criterion.max_words is not None, criterion.id


def test_follow_up_questions_are_asked_only_when_they_apply(framework: Framework) -> None:
    follow_ups = {c.id: c.show_if for c in framework.criteria.values() if c.show_if}
    assert set(follow_ups) == {
        "fw_travel_arrangements",
        "fw_union_name",
        "lo_ultimate_owner",
        "q_cqc_inspection_due",
    }
    travel = follow_ups["fw_travel_arrangements"]
    assert travel is not None
    assert travel.criterion == "fw_paid_travel_time"
    assert travel.equals is False


def test_ownership_and_registered_office_are_profile_facts(framework: Framework) -> None:
    for criterion_id in ("lo_ownership_form", "lo_registered_office", "q_cqc_provider_id"):
        assert framework.criteria[criterion_id].profile, criterion_id


def test_safeguarding_answer_asks_for_the_safeguarding_policy(framework: Framework) -> None:
    evidence = framework.criteria["q_safeguarding"].evidence
    assert evidence is not None
    assert evidence.required
    assert "safeguarding" in evidence.description.lower()


# --- award rules ---------------------------------------------------------------------------------


def test_price_uses_a_fixed_range_from_the_minimum_sustainable_rate(framework: Framework) -> None:
    assert framework.award.price is not None
    formula = framework.award.price.formula
    assert isinstance(formula, FixedRange)
    params = framework.parameter_values()
    assert resolve_number(formula.best, params) == Decimal("32.14")
    assert resolve_number(formula.worst, params) > resolve_number(formula.best, params)


def test_abnormally_low_policy_names_the_homecare_association_minimum_price(
    framework: Framework,
) -> None:
    policy = framework.award.abnormally_low
    assert policy is not None
    assert policy.below == "$minimum_sustainable_rate"
    assert "Homecare Association" in policy.reason
    assert "Minimum Price for Homecare" in policy.reason


def test_wage_floor_check_compares_price_with_the_bid_s_own_lowest_pay(
    framework: Framework,
) -> None:
    check = framework.award.wage_floor
    assert check is not None
    assert check.pay_criterion == "fw_lowest_hourly_pay"
    assert check.price_criterion == "pr_hourly_rate"
    assert check.factor == "$rate_to_pay_factor"


def test_quality_minimums_are_satisfactory_answers_and_half_the_quality_points(
    framework: Framework,
) -> None:
    minimums = {(t.scope, t.id): t for t in framework.award.minimum_thresholds}
    assert minimums[("criterion", "q_person_centred")].min_points == 2
    assert minimums[("criterion", "q_safeguarding")].min_points == 2
    assert minimums[("pillar", "quality")].min_percent == 50


def test_ties_go_to_quality_then_fair_work_then_the_lower_price(framework: Framework) -> None:
    assert framework.award.tie_break == [
        "pillar:quality",
        "pillar:fair_work_ownership",
        "lowest_price",
    ]


def test_gates_exclude_unregistered_inadequate_and_15_minute_visit_bids(
    framework: Framework,
) -> None:
    gated = {c.id for c in framework.criteria.values() if c.scoring and c.scoring.gate}
    assert gated == {
        "fw_lowest_hourly_pay",
        "fw_no_short_visits",
        "q_cqc_registered",
        "q_cqc_rating",
    }
    for criterion in framework.criteria.values():
        if criterion.scoring and criterion.scoring.gate:
            assert criterion.scoring.gate.message, criterion.id
