"""A seeded round of any size on the built-in ethical-care framework, for golden results and
benchmarks.

`generated_round(bids, seed)` gives the same bids, marks and price decisions every time for the
same arguments, on any machine: it draws from `random.Random(seed)` only. The answers are ones a
provider could submit (every one parses against its criterion), spread so that a round of a
few hundred bids has every outcome the engine can give: bids failing the pay, visit, CQC and
price gates, bids below the quality minimums, prices flagged as abnormally low or too low for
the promised pay (some accepted, some disregarded, some not yet decided), follow-up questions
answered when they are not asked, optional and required answers left blank, marks that agree,
differ or were moderated, and answers still waiting for marks.

Changing what it draws changes the golden results: regenerate them
(`python -m tests.criteria.golden --write`) and say why in the commit.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from criteria.answers import parse_answer
from criteria.catalogue import load_builtin
from criteria.inputs import Bid, CriterionMarks, Mark, ModeratedMark, PriceDecision, RoundSettings
from criteria.model import EvaluatorScaleRule, Framework

__all__ = ["GeneratedRound", "generated_round"]

FRAMEWORK_ID = "ethical-care"
EVALUATORS = ("amara.okafor", "ben.hughes", "carys.lloyd")
OWNERS = ("Hollin", "Meridian", "Hearthside", "Bramble", "Orrell", "Standish", "Lowton", "Ince")
KINDS = ("Care Co-operative", "Homecare Ltd", "Community Care CIC", "Care Services", "Home Help")
TEXT = (
    "care plans are written with each person and reviewed when needs change; workers are paid "
    "for travel and training; we measure continuity, missed visits and complaints every month "
    "and act on what people who draw on care tell us at quarterly panels"
)
WORDS = TEXT.split(" ")
POSTCODES = ("WN1 1AA", "WN2 4HQ", "WN5 9TP", "M29 7BT", "M46 0LE", "B3 2QT", "L1 8JQ", "WA3 1EZ")
TWIN_EVERY = 25  # every 25th bid answers as an earlier one did: equal totals, a tie to break
BLANK = 0.03  # the share of answers left blank
LOW_PAY = 0.05  # the share of bids paying some worker below the National Living Wage


@dataclass(frozen=True)
class GeneratedRound:
    framework: Framework
    bids: list[Bid]
    marks: dict[str, dict[str, CriterionMarks]]
    settings: RoundSettings
    decisions: dict[str, dict[str, PriceDecision]]


def _money(rng: random.Random, low: float, high: float) -> str:
    return f"{rng.uniform(low, high):.2f}"


def _narrative(rng: random.Random, words: int) -> str:
    start = rng.randrange(len(WORDS))
    chosen = [WORDS[(start + n) % len(WORDS)] for n in range(words)]
    return " ".join(chosen).capitalize() + "."


# A bid's answers by criterion id; a criterion not listed here is answered by its type.
Draw = Callable[[random.Random], Any]
ANSWERS: dict[str, Draw] = {
    "fw_lowest_hourly_pay": lambda rng: (
        _money(rng, 11.90, 12.70) if rng.random() < LOW_PAY else _money(rng, 12.71, 13.90)
    ),
    "fw_mileage_rate": lambda rng: rng.choice(("0", "0.20", "0.25", "0.30", "0.45", "0.50")),
    "fw_zero_hours_share": lambda rng: rng.choice((0, 5, 12.5, 20, 35, "48%", 60, 80)),
    "fw_continuity_of_worker": lambda rng: rng.randrange(40, 100),
    "fw_no_short_visits": lambda rng: rng.random() > 0.04,
    "lo_registered_office": lambda rng: rng.choice(POSTCODES),
    "lo_local_staff_share": lambda rng: rng.randrange(10, 96),
    "lo_local_supply_spend": lambda rng: round(rng.uniform(0, 70), 1),
    "lo_profit_extraction": lambda rng: rng.choice((0, 0, 2, 4.5, 8, 10, 14, 19.5)),
    "sv_local_jobs": lambda rng: rng.choice(("0", "0.5", "1", "3.5", "5", "8", "12", "20", "24")),
    "sv_apprenticeships": lambda rng: rng.randrange(0, 6),
    "sv_volunteering_hours": lambda rng: rng.choice((0, 40, 50, 120, 200, 350, 500, 800)),
    "q_cqc_registered": lambda rng: rng.random() > 0.03,
    "q_cqc_provider_id": lambda rng: f"1-{rng.randrange(10**9, 10**10)}",
    "q_cqc_rating": lambda rng: rng.choices(
        ("outstanding", "good", "requires_improvement", "inadequate", "not_yet_rated"),
        weights=(10, 55, 20, 4, 11),
    )[0],
    "pr_hourly_rate": lambda rng: (
        _money(rng, 27.0, 32.13) if rng.random() < 0.12 else _money(rng, 34.50, 41.50)
    ),
}


def _by_type(framework: Framework, criterion_id: str, rng: random.Random) -> Any:
    criterion = framework.criteria[criterion_id]
    values = criterion.choice_values
    if criterion.type == "yes_no":
        return rng.choice((True, True, False, "yes", "no"))
    if criterion.type == "single_choice":
        return rng.choice(values)
    if criterion.type == "multiple_choice":
        return [v for v in values if rng.random() < 0.4]  # now and then none: unanswered
    if criterion.type == "narrative":
        return _narrative(rng, rng.randrange(3, 16))
    raise ValueError(f"no way to draw an answer to {criterion_id} ({criterion.type})")


def _answers(framework: Framework, rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for criterion_id, criterion in framework.criteria.items():
        draw = ANSWERS.get(criterion_id)
        value = draw(rng) if draw else _by_type(framework, criterion_id, rng)
        if rng.random() < BLANK and criterion_id != "pr_hourly_rate":
            continue  # left blank
        if criterion.show_if is not None and rng.random() < 0.5:
            continue  # follow-ups are usually answered only when asked; sometimes regardless
        parse_answer(criterion, value)  # raises if the generator drew an answer no one could give
        answers[criterion_id] = value
    return answers


def _marks(
    framework: Framework, answers: dict[str, Any], rng: random.Random
) -> dict[str, CriterionMarks]:
    """Three evaluators' marks around the bid's own level; moderated where they differ most."""
    level = rng.choice((2, 3, 3, 3, 4, 4, 4, 5, 5))
    given: dict[str, CriterionMarks] = {}
    for criterion_id, criterion in framework.criteria.items():
        rule = criterion.scoring
        if not isinstance(rule, EvaluatorScaleRule) or criterion_id not in answers:
            continue
        if rng.random() < 0.02:
            continue  # not marked yet: awaiting evaluation
        top = framework.scales[rule.scale].maximum
        points = [min(max(level + rng.choice((-1, 0, 0, 1)), 0), top) for _ in EVALUATORS]
        marks = [
            Mark(evaluator=who, points=p, justification=f"Mark {p}: see notes")
            for who, p in zip(EVALUATORS, points, strict=True)
        ]
        moderated = None
        if max(points) - min(points) > 1 or rng.random() < 0.1:
            agreed = sorted(points)[1]
            moderated = ModeratedMark(
                points=agreed, rationale=f"Agreed at {agreed} on the evidence"
            )
        given[criterion_id] = CriterionMarks(marks=marks, moderated=moderated)
    return given


def _twin_of(bids: list[Bid], number: int) -> Bid:
    """The bid a twin copies: the one before it, or in every other turn the latest priced at
    or above the price ceiling (where no price earns points, so the lower price breaks the tie)."""
    if (number // TWIN_EVERY) % 2:
        dear = [b for b in bids if Decimal(str(b.answers["pr_hourly_rate"])) >= Decimal(40)]
        if dear:
            return dear[-1]
    return bids[-1]


def _twin_price(answers: dict[str, Any], rng: random.Random) -> str:
    """A price earning the same points as the twin's: another price at either end of the
    range (so the lower price breaks the tie), or the same price (so nothing does)."""
    price = Decimal(str(answers["pr_hourly_rate"]))
    if price <= Decimal("32.14"):
        return _money(rng, 27.0, 32.13)
    if price >= Decimal("40.00"):
        return _money(rng, 40.0, 41.5)
    return str(answers["pr_hourly_rate"])


def _decision(rng: random.Random, answers: dict[str, Any]) -> dict[str, PriceDecision] | None:
    """The council's decision on a low price, in turn: accepted, disregarded, or not yet."""
    price = Decimal(str(answers["pr_hourly_rate"]))
    pay = answers.get("fw_lowest_hourly_pay")
    low = price < Decimal("32.14")
    unfunded = pay is not None and price < Decimal(str(pay)) * Decimal("2.63")
    turn = rng.randrange(3)
    if turn == 2 or not (low or unfunded):
        return None
    if turn == 0:
        decision = PriceDecision(decision="accept", reason="Its cost breakdown funds the pay.")
    else:
        decision = PriceDecision(decision="disregard", reason="It could not show how it pays.")
    codes = (["abnormally_low"] if low else []) + (["wage_floor_not_funded"] if unfunded else [])
    return dict.fromkeys(codes, decision)


def generated_round(bids: int, seed: int = 2026) -> GeneratedRound:
    """`bids` bids with their marks and price decisions, the same for the same arguments."""
    framework = load_builtin(FRAMEWORK_ID)
    rng = random.Random(seed)
    round_bids: list[Bid] = []
    marks: dict[str, dict[str, CriterionMarks]] = {}
    decisions: dict[str, dict[str, PriceDecision]] = {}
    for number in range(bids):
        bid_id = f"bid-{number:05d}"
        name = f"{OWNERS[number % len(OWNERS)]} {KINDS[number % len(KINDS)]} {number}"
        if number % TWIN_EVERY == TWIN_EVERY - 1:
            twin = _twin_of(round_bids, number)
            answers = {**twin.answers, "pr_hourly_rate": _twin_price(twin.answers, rng)}
            marks[bid_id] = marks[twin.id]
        else:
            answers = _answers(framework, rng)
            marks[bid_id] = _marks(framework, answers, rng)
        round_bids.append(Bid(id=bid_id, name=name, answers=answers))
        decision = _decision(rng, answers)
        if decision:
            decisions[bid_id] = decision
    settings = RoundSettings(
        parameters={"local_postcode_districts": ["WN1", "WN2", "WN3", "WN4", "WN5", "M29"]}
    )
    return GeneratedRound(framework, round_bids, marks, settings, decisions)
