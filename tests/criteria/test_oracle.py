"""The engine's totals and ranking agree with an independent weighted-sum model (pymcdm's WSM).

Each random round is built from seeded numbers; the test works out every normalised score and
every effective weight itself, straight from the answers and the framework's weights, without
calling the engine's rules. pymcdm's weighted-sum model then turns that decision matrix into
totals, which must match the engine's exact totals to 1e-9, and the engine's ranking must sort
the bids the same way. The price formula is absolute (`fixed_range`), so every bid's price score
depends on its own price only and the weighted-sum model applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from pymcdm.methods import WSM

from criteria.engine import score_round
from criteria.inputs import Bid, CriterionMarks, Mark, ModeratedMark
from criteria.model import Framework

CHOICES = ("never", "sometimes", "usually", "always")
CHOICE_POINTS = {"never": 0, "sometimes": 1, "usually": 3, "always": 4}
BANDS = ((20, 1), (50, 2), (80, 4))  # (at least, points); the top band's 4 points is the max
BEST_PRICE, WORST_PRICE = 18.0, 30.0


def as_is(column: np.ndarray, cost: bool) -> np.ndarray:
    """pymcdm normalisation that leaves the already-normalised scores alone."""
    return column


@dataclass
class RandomRound:
    framework: Framework
    bids: list[Bid]
    marks: dict[str, dict[str, CriterionMarks]]
    matrix: np.ndarray  # bids x criteria, normalised 0..1, worked out here
    weights: np.ndarray  # each criterion's share of 100, worked out here


def _question(kind: str, number: int, weight: int) -> dict[str, Any]:
    base: dict[str, Any] = {"id": f"q{number}", "prompt": f"Question {number}", "weight": weight}
    rules: dict[str, dict[str, Any]] = {
        "linear": {
            "type": "decimal",
            "scoring": {"rule": "linear", "from": 10, "to": 90, "max_points": 7},
        },
        "falling": {
            "type": "decimal",
            "scoring": {"rule": "linear", "from": 60, "to": 20, "max_points": 3},
        },
        "bands": {
            "type": "percentage",
            "scoring": {"rule": "bands", "bands": [{"at_least": a, "points": p} for a, p in BANDS]},
        },
        "choice": {
            "type": "single_choice",
            "choices": [{"value": c, "label": c.title()} for c in CHOICES],
            "scoring": {"rule": "choice_points", "points": CHOICE_POINTS},
        },
        "marked": {"type": "narrative", "scoring": {"rule": "evaluator_scale", "scale": "marks"}},
    }
    return base | rules[kind]


def _answer(kind: str, rng: np.random.Generator) -> tuple[Any, float, int | None]:
    """An answer, its normalised score worked out by hand, and a moderated mark if marked."""
    if kind == "linear":
        x = round(float(rng.uniform(0, 100)), 2)
        return x, min(1.0, max(0.0, (x - 10) / 80)), None
    if kind == "falling":
        x = round(float(rng.uniform(0, 80)), 2)
        return x, min(1.0, max(0.0, (60 - x) / 40)), None
    if kind == "bands":
        x = int(rng.integers(0, 101))
        reached = [points for at_least, points in BANDS if x >= at_least]
        return x, (reached[-1] if reached else 0) / 4, None
    if kind == "choice":
        choice = CHOICES[int(rng.integers(0, len(CHOICES)))]
        return choice, CHOICE_POINTS[choice] / 4, None
    mark = int(rng.integers(0, 6))
    return "Our answer, with evidence.", mark / 5, mark


def random_round(seed: int) -> RandomRound:
    rng = np.random.default_rng(seed)
    pillar_count = int(rng.integers(2, 5))
    cuts = np.sort(rng.choice(np.arange(1, 100), pillar_count - 1, replace=False))
    pillar_weights = np.diff(np.r_[0, cuts, 100])  # quality pillars, then price last
    kinds = ("linear", "falling", "bands", "choice", "marked")
    sections: list[dict[str, Any]] = []
    plan: list[tuple[str, str, float]] = []  # (criterion id, kind, effective weight)
    number = 0
    for p in range(pillar_count - 1):
        section_weights = rng.integers(1, 10, size=int(rng.integers(1, 4)))
        for s, section_weight in enumerate(section_weights):
            criterion_weights = rng.integers(1, 10, size=int(rng.integers(1, 5)))
            questions = []
            for criterion_weight in criterion_weights:
                kind = kinds[int(rng.integers(0, len(kinds)))]
                questions.append(_question(kind, number, int(criterion_weight)))
                share = (
                    pillar_weights[p]
                    * section_weight
                    / section_weights.sum()
                    * criterion_weight
                    / criterion_weights.sum()
                )
                plan.append((f"q{number}", kind, float(share)))
                number += 1
            sections.append(
                {
                    "id": f"s{p}_{s}",
                    "title": f"Section {p}.{s}",
                    "pillar": f"p{p}",
                    "weight": int(section_weight),
                    "criteria": questions,
                }
            )
    price = {"id": "price", "prompt": "Price", "type": "money", "weight": 1}
    sections.append(
        {
            "id": "cost",
            "title": "Cost",
            "pillar": "price",
            "weight": 1,
            "criteria": [price | {"scoring": {"rule": "price"}}],
        }
    )
    plan.append(("price", "price", float(pillar_weights[-1])))
    pillar_ids = [f"p{p}" for p in range(pillar_count - 1)] + ["price"]
    framework = Framework.model_validate(
        {
            "id": "oracle",
            "version": str(seed),
            "title": "Random round",
            "scales": {
                "marks": {
                    "title": "0-5",
                    "points": [
                        {"points": n, "label": str(n), "descriptor": f"mark {n}"} for n in range(6)
                    ],
                }
            },
            "sections": sections,
            "award": {
                "pillars": [
                    {"id": pid, "title": pid, "weight": int(w)}
                    for pid, w in zip(pillar_ids, pillar_weights, strict=True)
                ],
                "price": {
                    "criterion": "price",
                    "formula": {"name": "fixed_range", "best": BEST_PRICE, "worst": WORST_PRICE},
                },
            },
        }
    )
    bid_count = int(rng.integers(3, 25))
    bids, marks, rows = [], {}, []
    for b in range(bid_count):
        answers: dict[str, Any] = {}
        row: list[float] = []
        bid_marks: dict[str, CriterionMarks] = {}
        for criterion_id, kind, _ in plan[:-1]:
            answers[criterion_id], normalised, mark = _answer(kind, rng)
            row.append(normalised)
            if mark is not None:
                given = [Mark(evaluator=e, points=int(rng.integers(0, 6))) for e in ("ann", "raj")]
                bid_marks[criterion_id] = CriterionMarks(
                    marks=given, moderated=ModeratedMark(points=mark, rationale="agreed")
                )
        hourly = round(float(rng.uniform(15, 33)), 2)
        answers["price"] = f"{hourly:.2f}"
        row.append(min(1.0, max(0.0, (WORST_PRICE - hourly) / (WORST_PRICE - BEST_PRICE))))
        bids.append(Bid(id=f"b{b:02d}", name=f"Provider {b}", answers=answers))
        marks[f"b{b:02d}"] = bid_marks
        rows.append(row)
    weights = np.array([share for _, _, share in plan])
    return RandomRound(framework, bids, marks, np.array(rows), weights)


def test_the_oracle_itself_adds_up_a_hand_worked_decision_matrix() -> None:
    # Two bids, weights 60 / 40: bid A = 0.5 x 60 + 1 x 40 = 70, bid B = 1 x 60 + 0 x 40 = 60
    matrix = np.array([[0.5, 1.0], [1.0, 0.0]])
    totals = WSM(as_is)(matrix, np.array([0.6, 0.4]), np.ones(2), validation=False) * 100
    np.testing.assert_allclose(totals, [70, 60])


def test_the_random_rounds_weights_add_up_to_100() -> None:
    for seed in range(5):
        assert random_round(seed).weights.sum() == pytest.approx(100)


@pytest.mark.parametrize("seed", range(25))
def test_engine_totals_and_ranking_match_the_weighted_sum_model(seed: int) -> None:
    built = random_round(seed)
    result = score_round(built.framework, built.bids, built.marks)
    # validation=False: pymcdm's checks warn on dominated bids, which real rounds often have
    expected = (
        WSM(as_is)(
            built.matrix,
            built.weights / 100,
            np.ones(len(built.weights)),
            validation=False,
        )
        * 100
    )
    engine = {b.bid_id: b for b in result.bids}
    assert all(b.status == "ranked" for b in result.bids)
    for row, bid in enumerate(built.bids):
        assert float(engine[bid.id].total) == pytest.approx(expected[row], abs=1e-9)
    by_engine = [b.bid_id for b in result.ranked]
    by_oracle = [
        built.bids[row].id
        for row in sorted(range(len(built.bids)), key=lambda r: (-expected[r], built.bids[r].id))
    ]
    gaps = np.diff(np.sort(expected))
    if gaps.size == 0 or gaps.min() > 1e-9:  # no ties for a tie-break to reorder
        assert by_engine == by_oracle
    else:
        assert [engine[i].total for i in by_engine] == sorted(
            (engine[i].total for i in by_engine), reverse=True
        )
