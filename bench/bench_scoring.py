"""Benchmark: score a large synthetic round and analyse its robustness, against a numpy baseline.

Run from the repository root:

    python bench/bench_scoring.py [--bids 1000] [--criteria 60] [--evaluators 3]
                                  [--samples 10000] [--repeat 5] [--price-formula fixed_range]

It builds a synthetic framework (criteria spread over sections in four pillars, mixing bands,
linear, choice-points and evaluator-scale rules, plus one price criterion) and a round of bids
each marked by every evaluator, then times, as the median of `--repeat` runs:

* scoring: `criteria.engine.score_round`, every number explained in exact fractions;
* robustness: `criteria.robustness.analyse` (Monte Carlo first-place probabilities, the
  smallest winning weight change, and rank reversal when the price formula is relative);
* the baseline: the same round's weighted sum in plain numpy (decision matrix @ weights, then
  a ranking), which explains nothing and so bounds how fast scoring could possibly be.

The target is scoring plus robustness under 2 seconds for 1,000 bids x 60 criteria x 3
evaluators with 10,000 samples. Exit status is 0 whether or not the target is met.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from criteria.engine import score_round
from criteria.inputs import Bid, CriterionMarks, Mark, RoundSettings
from criteria.model import RELATIVE_PRICE_FORMULAS, Framework
from criteria.result import RoundResult
from criteria.robustness import analyse

TARGET_SECONDS = 2.0
PILLARS = (  # id, title, weight, min, max, sections
    ("quality", "Quality of care", 40, 30, 60, 3),
    ("fair_work", "Fair work", 25, 15, 35, 2),
    ("community", "Community wealth", 15, 5, 25, 2),
    ("price", "Price", 20, 10, 40, 0),
)
RULE_KINDS = ("bands", "linear", "choice_points", "evaluator_scale")
PRICE_FORMULAS: dict[str, dict[str, Any]] = {
    "fixed_range": {"name": "fixed_range", "best": 18, "worst": 32},
    "lowest_over_bid": {"name": "lowest_over_bid"},
    "linear_deduction": {"name": "linear_deduction"},
    "price_per_quality_point": {"name": "price_per_quality_point"},
}
CHOICES = ("none", "some", "most", "all")


def _criterion(kind: str, index: int) -> dict[str, Any]:
    base: dict[str, Any] = {"id": f"c{index:03d}", "prompt": f"Question {index}", "weight": 1}
    if kind == "bands":
        bands = [{"at_least": n, "points": p} for n, p in ((10, 1), (40, 3), (70, 5))]
        return base | {"type": "percentage", "scoring": {"rule": "bands", "bands": bands}}
    if kind == "linear":
        rule = {"rule": "linear", "from": 0, "to": 100, "max_points": 10}
        return base | {"type": "decimal", "scoring": rule}
    if kind == "choice_points":
        points = {value: n for n, value in enumerate(CHOICES)}
        choices = [{"value": value, "label": value.title()} for value in CHOICES]
        rule = {"rule": "choice_points", "points": points}
        return base | {"type": "single_choice", "choices": choices, "scoring": rule}
    rule = {"rule": "evaluator_scale", "scale": "zero_to_five"}
    return base | {"type": "narrative", "scoring": rule}


ANSWERS: dict[str, Callable[[np.random.Generator], Any]] = {
    "bands": lambda rng: int(rng.integers(0, 101)),
    "linear": lambda rng: round(float(rng.uniform(0, 100)), 2),
    "choice_points": lambda rng: CHOICES[int(rng.integers(0, len(CHOICES)))],
    "evaluator_scale": lambda rng: "We describe our approach with examples.",
}


def build_framework(criteria: int, price_formula: str) -> tuple[Framework, dict[str, str]]:
    """A framework with `criteria` criteria (one of them price) and the rule kind of each."""
    sections: list[dict[str, Any]] = []
    kinds: dict[str, str] = {}
    section_slots = [(p[0], n) for p in PILLARS for n in range(p[5])]
    scored = criteria - 1
    for slot, (pillar, number) in enumerate(section_slots):
        members = range(slot, scored, len(section_slots))
        entries = []
        for index in members:
            kind = RULE_KINDS[index % len(RULE_KINDS)]
            kinds[f"c{index:03d}"] = kind
            entries.append(_criterion(kind, index))
        sections.append(
            {
                "id": f"{pillar}_{number}",
                "title": f"{pillar} {number}",
                "pillar": pillar,
                "weight": 1,
                "criteria": entries,
            }
        )
    price = {"id": "hourly_rate", "prompt": "Hourly rate", "type": "money", "weight": 1}
    price["scoring"] = {"rule": "price"}
    sections.append(
        {"id": "cost", "title": "Price", "pillar": "price", "weight": 1, "criteria": [price]}
    )
    scale_points = [
        {"points": n, "label": f"Mark {n}", "descriptor": f"Meets descriptor {n}"} for n in range(6)
    ]
    pillars = [
        {"id": p, "title": t, "weight": w, "min_weight": lo, "max_weight": hi}
        for p, t, w, lo, hi, _ in PILLARS
    ]
    framework = Framework.model_validate(
        {
            "id": "bench-framework",
            "version": "1",
            "title": "Synthetic benchmark framework",
            "scales": {"zero_to_five": {"title": "0 to 5", "points": scale_points}},
            "sections": sections,
            "award": {
                "pillars": pillars,
                "price": {"criterion": "hourly_rate", "formula": PRICE_FORMULAS[price_formula]},
            },
        }
    )
    return framework, kinds


def build_round(
    kinds: dict[str, str], bids: int, evaluators: int, seed: int = 0
) -> tuple[list[Bid], dict[str, dict[str, CriterionMarks]]]:
    """Bids with seeded random answers and a mark from every evaluator on every marked answer."""
    rng = np.random.default_rng(seed)
    marked = [c for c, kind in kinds.items() if kind == "evaluator_scale"]
    round_bids = []
    marks: dict[str, dict[str, CriterionMarks]] = {}
    for number in range(bids):
        bid_id = f"bid{number:05d}"
        answers = {c: ANSWERS[kind](rng) for c, kind in kinds.items()}
        answers["hourly_rate"] = f"{rng.uniform(17, 33):.2f}"
        round_bids.append(Bid(id=bid_id, name=f"Provider {number}", answers=answers))
        marks[bid_id] = {
            c: CriterionMarks(
                marks=[
                    Mark(evaluator=f"e{e}", points=int(rng.integers(0, 6)), justification="ok")
                    for e in range(evaluators)
                ]
            )
            for c in marked
        }
    return round_bids, marks


def baseline_matrix(result: RoundResult) -> tuple[np.ndarray, np.ndarray]:
    """The decision matrix of normalised criterion scores and the criterion weights."""
    order = [c.criterion_id for c in result.bids[0].criteria]
    weights = np.array([float(c.weight) for c in result.bids[0].criteria])
    matrix = np.array(
        [[float(c.normalised) for c in bid.criteria] for bid in result.bids], dtype=np.float64
    )
    assert all([c.criterion_id for c in bid.criteria] == order for bid in result.bids)
    return matrix, weights


def weighted_sum(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The baseline: totals and a ranking, nothing explained."""
    totals = matrix @ weights
    return np.argsort(-totals, kind="stable")


def _median_seconds(runs: list[float]) -> float:
    return statistics.median(runs)


def run(args: argparse.Namespace) -> dict[str, float]:
    framework, kinds = build_framework(args.criteria, args.price_formula)
    bids, marks = build_round(kinds, args.bids, args.evaluators)
    settings = RoundSettings()
    scoring: list[float] = []
    robustness: list[float] = []
    totals: list[float] = []
    baseline: list[float] = []
    result: RoundResult | None = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = score_round(framework, bids, marks, settings)
        scored = time.perf_counter()
        analyse(framework, result, bids, marks, settings, samples=args.samples, seed=0)
        done = time.perf_counter()
        scoring.append(scored - start)
        robustness.append(done - scored)
        totals.append(done - start)
        matrix, weights = baseline_matrix(result)
        start = time.perf_counter()
        weighted_sum(matrix, weights)
        baseline.append(time.perf_counter() - start)
    assert result is not None
    ranked = len(result.ranked)
    return {
        "scoring": _median_seconds(scoring),
        "robustness": _median_seconds(robustness),
        "total": _median_seconds(totals),
        "baseline": _median_seconds(baseline),
        "ranked": ranked,
    }


def report(args: argparse.Namespace, medians: dict[str, float]) -> str:
    ratio = medians["total"] / medians["baseline"] if medians["baseline"] else float("inf")
    relative = args.price_formula in RELATIVE_PRICE_FORMULAS
    meets = "yes" if medians["total"] < TARGET_SECONDS else "no"
    lines = [
        f"Round: {args.bids} bids x {args.criteria} criteria x {args.evaluators} evaluators, "
        f"{args.samples} samples, price formula {args.price_formula} "
        f"({'relative: rank reversal checked' if relative else 'absolute: no rank reversal'}), "
        f"{int(medians['ranked'])} bids ranked; median of {args.repeat} runs",
        "",
        f"{'measure':<28}{'median seconds':>16}",
        f"{'scoring (score_round)':<28}{medians['scoring']:>16.4f}",
        f"{'robustness (analyse)':<28}{medians['robustness']:>16.4f}",
        f"{'total':<28}{medians['total']:>16.4f}",
        f"{'numpy weighted-sum baseline':<28}{medians['baseline']:>16.6f}",
        f"{'total / baseline':<28}{ratio:>16.0f}x",
        "",
        f"Target: total under {TARGET_SECONDS:g} s: {meets}",
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bids", type=int, default=1000)
    parser.add_argument("--criteria", type=int, default=60, help="including the price criterion")
    parser.add_argument("--evaluators", type=int, default=3)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--price-formula",
        choices=sorted(PRICE_FORMULAS),
        default="fixed_range",
        help="an absolute formula by default; a relative one adds the rank reversal check",
    )
    args = parser.parse_args(argv)
    sections = sum(pillar[5] for pillar in PILLARS)
    if args.criteria <= sections or args.bids < 1 or args.repeat < 1:
        parser.error(f"need at least {sections + 1} criteria, 1 bid and 1 repeat")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(report(args, run(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
