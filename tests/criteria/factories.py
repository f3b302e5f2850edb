"""Small builders for synthetic frameworks, bids and marks used by the domain tests.

Frameworks are built from plain dicts shaped like the YAML files, then validated by the real
model, so a test reads like the framework it describes. Nothing here depends on the built-in
frameworks.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from criteria.inputs import Bid, CriterionMarks, Mark, ModeratedMark
from criteria.model import Criterion, Framework

SCALE_0_5: dict[str, Any] = {
    "title": "Quality 0-5",
    "points": [
        {"points": 0, "label": "Unacceptable", "descriptor": "No answer or no relevant content."},
        {"points": 1, "label": "Poor", "descriptor": "Major gaps."},
        {"points": 2, "label": "Weak", "descriptor": "Some gaps."},
        {"points": 3, "label": "Satisfactory", "descriptor": "Meets the requirement."},
        {"points": 4, "label": "Good", "descriptor": "Meets it well, with evidence."},
        {"points": 5, "label": "Excellent", "descriptor": "Exceeds it, with strong evidence."},
    ],
}

PARAMETERS: dict[str, Any] = {
    "real_living_wage": {
        "value": Decimal("13.45"),
        "description": "Real Living Wage 2025-26",
        "unit": "£/hour",
    },
    "national_living_wage": {
        "value": Decimal("12.71"),
        "description": "National Living Wage from April 2026",
        "unit": "£/hour",
    },
    "minimum_price": {
        "value": Decimal("32.14"),
        "description": "Homecare Association minimum price for homecare 2025-26",
        "unit": "£/hour",
    },
    "local_districts": {"value": ["WN1", "WN2", "WN3"], "description": "Local districts"},
    "on_cost_factor": {"value": Decimal("1.6"), "description": "Price needed per £1 of hourly pay"},
}


def criterion(
    criterion_id: str,
    answer_type: str = "integer",
    scoring: dict[str, Any] | None = None,
    *,
    weight: int | str = 100,
    **fields: Any,
) -> dict[str, Any]:
    """One question as the YAML would write it."""
    data: dict[str, Any] = {
        "id": criterion_id,
        "prompt": fields.pop("prompt", f"Question {criterion_id}?"),
        "type": answer_type,
        "weight": weight,
        **fields,
    }
    if scoring is not None:
        data["scoring"] = scoring
    return data


def choices(*values: str) -> list[dict[str, str]]:
    """Choices whose labels are the values in title case ("co_op" -> "Co Op")."""
    return [{"value": v, "label": v.replace("_", " ").title()} for v in values]


def section(
    section_id: str,
    *criteria: dict[str, Any],
    pillar: str = "quality",
    weight: int | str = 100,
    title: str | None = None,
) -> dict[str, Any]:
    return {
        "id": section_id,
        "title": title or section_id.replace("_", " ").capitalize(),
        "pillar": pillar,
        "weight": weight,
        "criteria": list(criteria),
    }


def pillar(pillar_id: str, weight: int | str, low: int = 0, high: int = 100) -> dict[str, Any]:
    return {
        "id": pillar_id,
        "title": pillar_id.replace("_", " ").capitalize(),
        "weight": weight,
        "min_weight": low,
        "max_weight": high,
    }


def framework(
    *sections: dict[str, Any],
    pillars: list[dict[str, Any]] | None = None,
    price: dict[str, Any] | None = None,
    parameters: dict[str, Any] | None = None,
    **award: Any,
) -> Framework:
    """A framework with one `quality` pillar of 100 unless pillars are given.

    `price` is the award's price formula (for a criterion named `price`); other keyword
    arguments go into `award` as written (minimum_thresholds, tie_break, abnormally_low ...).
    """
    award_data: dict[str, Any] = {"pillars": pillars or [pillar("quality", 100)], **award}
    if price is not None:
        award_data["price"] = {"criterion": "price", "formula": price}
    return Framework.model_validate(
        {
            "id": "test-framework",
            "version": "1",
            "title": "Test framework",
            "parameters": PARAMETERS if parameters is None else parameters,
            "scales": {"quality": SCALE_0_5},
            "sections": list(sections),
            "award": award_data,
        }
    )


def price_section(weight: int | str = 100, **fields: Any) -> dict[str, Any]:
    """The usual price section: one money criterion named `price` in the `price` pillar."""
    question = criterion("price", "money", {"rule": "price", **fields}, prompt="Hourly rate?")
    return section("pricing", question, pillar="price", weight=weight)


def one_question(answer_type: str = "integer", **fields: Any) -> Criterion:
    """A lone criterion with the given type and fields, validated by the model."""
    return Criterion.model_validate(
        {"id": "q", "prompt": "Question?", "type": answer_type, **fields}
    )


def bid(bid_id: str, name: str | None = None, **answers: Any) -> Bid:
    return Bid(id=bid_id, name=name or f"Provider {bid_id.upper()}", answers=answers)


def marks(*points: int, moderated: int | None = None, rationale: str = "") -> CriterionMarks:
    """Marks from evaluators e1, e2, ... and optionally the moderated mark."""
    return CriterionMarks(
        marks=[
            Mark(evaluator=f"e{i}", points=p, justification=f"Reason {i}")
            for i, p in enumerate(points, start=1)
        ],
        moderated=None
        if moderated is None
        else ModeratedMark(points=moderated, rationale=rationale),
    )


def homecare_framework(formula: dict[str, Any] | None = None, **award: Any) -> Framework:
    """A small two-pillar homecare framework: quality 60 (pay, care plan, ownership, local
    office) and price 40, with a National Living Wage gate on pay."""
    pay = criterion(
        "hourly_pay",
        "money",
        {
            "rule": "bands",
            "bands": [
                {"at_least": "$national_living_wage", "points": 2, "label": "National Living Wage"},
                {"at_least": "$real_living_wage", "points": 5, "label": "Real Living Wage"},
            ],
            "gate": {"at_least": "$national_living_wage"},
        },
        prompt="What is the lowest hourly rate you pay care workers?",
        weight=40,
    )
    care = criterion(
        "care_plan",
        "narrative",
        {"rule": "evaluator_scale", "scale": "quality"},
        prompt="How will you plan care with each person?",
        weight=60,
        required=True,
    )
    ownership = criterion(
        "ownership",
        "single_choice",
        {"rule": "choice_points", "points": {"co_op": 5, "charity": 4, "company": 1}},
        choices=choices("co_op", "charity", "company"),
        weight=50,
    )
    office = criterion(
        "office_postcode",
        "postcode",
        {"rule": "postcode_area", "areas": "$local_districts", "points": 5},
        weight=50,
    )
    return framework(
        section("pay_and_care", pay, care, weight=60),
        section("local_wealth", ownership, office, weight=40),
        price_section(),
        pillars=[pillar("quality", 60, 50, 80), pillar("price", 40, 20, 50)],
        price=formula or {"name": "lowest_over_bid"},
        **award,
    )


def homecare_bid(
    bid_id: str,
    price: str | Decimal = "25.00",
    pay: str = "13.45",
    ownership: str = "co_op",
    postcode: str = "WN1 1AA",
    care_plan: str = "We plan care with each person and their family.",
    **more: Any,
) -> Bid:
    return bid(
        bid_id,
        price=price,
        hourly_pay=pay,
        ownership=ownership,
        office_postcode=postcode,
        care_plan=care_plan,
        **more,
    )
