"""Golden results: the full, exact outcome of scoring two rounds, kept in
tests/criteria/data/golden/ so that any change to a score, a reason or a rank shows up.

Each golden file holds what `score_round` and `robustness.analyse` give for one round: every
bid's total, pillar and section scores as exact fractions ("1234/25", never rounded), every
criterion's answer, rule, points, weight, reason and status, the marks used, gates,
exclusions, flags and decisions, ranks, tie-breaks and notes, then the first-place
probabilities and the smallest winning weight changes.

The rounds:

* `homecare-2026`: the example round, examples/homecare-2026/round.yaml, as
  `commonweal score` reads and scores it;
* `ethical-care-300`: 300 seeded bids on the built-in ethical-care framework
  (`tests.criteria.generated_round`).

tests/criteria/test_golden_results.py compares. When a change is meant to move the results,
regenerate the files from the repository root and commit them with the change, saying why:

    PYTHONPATH=. .venv/bin/python -m tests.criteria.golden --write
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, dataclass, fields, is_dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from criteria.engine import score_round
from criteria.inputs import Bid, CriterionMarks, PriceDecision, RoundSettings
from criteria.model import Framework
from criteria.result import CriterionScore
from criteria.robustness import analyse
from criteria.round_file import load_round
from tests.criteria.generated_round import generated_round

__all__ = ["CASES", "GOLDEN_DIR", "GoldenRound", "golden_document", "golden_path", "main"]

REPOSITORY = Path(__file__).resolve().parents[2]
GOLDEN_DIR = Path(__file__).parent / "data" / "golden"
EXAMPLE_ROUND = REPOSITORY / "examples" / "homecare-2026" / "round.yaml"
SAMPLES = 10_000  # as `commonweal score --robustness` draws by default
SEED = 0


@dataclass(frozen=True)
class GoldenRound:
    """A round's inputs, as `score_round` and `analyse` take them."""

    framework: Framework
    bids: Sequence[Bid]
    marks: Mapping[str, Mapping[str, CriterionMarks]]
    settings: RoundSettings
    decisions: Mapping[str, Mapping[Any, PriceDecision]]


def _example_round() -> GoldenRound:
    loaded = load_round(EXAMPLE_ROUND)
    round_ = loaded.round
    return GoldenRound(
        loaded.framework, round_.bids, round_.marks, round_.settings, round_.decisions
    )


def _generated_round() -> GoldenRound:
    made = generated_round(300)
    return GoldenRound(made.framework, made.bids, made.marks, made.settings, made.decisions)


CASES: dict[str, Callable[[], GoldenRound]] = {
    "homecare-2026": _example_round,
    "ethical-care-300": _generated_round,
}
"""Each golden round by name: its file is tests/criteria/data/golden/<name>.json."""


def exact(value: Any) -> Any:
    """A result as JSON-ready data that loses nothing: fractions as "numerator/denominator"."""
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: exact(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): exact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [exact(v) for v in value]
    if isinstance(value, float):
        raise TypeError(f"a float ({value!r}) in a result that should be exact")
    return value


SHARED = ("prompt", "section_id", "pillar_id", "rule", "weight")
"""What a criterion's score repeats in every bid: written once, under "criteria"."""

UNSET = {f.name: exact(f.default) for f in fields(CriterionScore) if f.default is not MISSING}
"""A criterion score's fields left at their defaults (no gate, no marks), not written."""


def _compact(result: dict[str, Any]) -> dict[str, Any]:
    """The exact result without repeating itself, so the golden file stays readable.

    What every bid repeats about a criterion (its prompt, section, pillar, rule and weight) is
    written once, under "criteria", with the order the criteria come in; each bid's scores are
    keyed by criterion id and leave out fields at their defaults. Nothing is lost: a bid whose
    score differs from the round's on a shared field, or whose criteria come in another
    order, keeps its own value, so the difference still shows.
    """
    shared: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for bid in result["bids"]:
        for score in bid["criteria"]:
            if score["criterion_id"] not in shared:
                shared[score["criterion_id"]] = {k: score[k] for k in SHARED}
        order = order or [score["criterion_id"] for score in bid["criteria"]]
    for bid in result["bids"]:
        scores = {score.pop("criterion_id"): score for score in bid["criteria"]}
        if list(scores) != order:
            bid["criterion_order"] = list(scores)
        bid["criteria"] = {
            criterion_id: {
                k: v
                for k, v in score.items()
                if shared[criterion_id].get(k, UNSET.get(k, v)) != v
                or (k not in SHARED and k not in UNSET)
            }
            for criterion_id, score in scores.items()
        }
    return {"criteria": shared, "criterion_order": order, **result}


def golden_document(round_: GoldenRound) -> dict[str, Any]:
    """The round scored and analysed, every number exact (robustness as it is published)."""
    result = score_round(
        round_.framework, round_.bids, round_.marks, round_.settings, round_.decisions
    )
    robustness = analyse(
        round_.framework,
        result,
        round_.bids,
        round_.marks,
        round_.settings,
        samples=SAMPLES,
        seed=SEED,
        decisions=round_.decisions,
    )
    return {"result": _compact(exact(result)), "robustness": robustness.to_dict()}


def golden_path(name: str) -> Path:
    return GOLDEN_DIR / f"{name}.json"


LINE_DEPTH = 5
"""Values this deep (one criterion's score in one bid) are written on one line each."""


def dumps(document: Mapping[str, Any]) -> str:
    """The stable text of a golden file: sorted keys, UTF-8 as it reads, one line for each
    criterion of each bid, so that a change reads as a one-line diff."""
    return _text(document, 0) + "\n"


def _text(value: Any, depth: int) -> str:
    if depth >= LINE_DEPTH or not isinstance(value, dict | list) or not value:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    inner = " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{json.dumps(k)}: {_text(value[k], depth + 1)}" for k in sorted(value)]
        opening, closing = "{", "}"
    else:
        items = [_text(v, depth + 1) for v in value]
        opening, closing = "[", "]"
    body = ",\n".join(inner + item for item in items)
    return f"{opening}\n{body}\n{' ' * depth}{closing}"


def differences(expected: Any, found: Any, path: str = "", limit: int = 10) -> list[str]:
    """Where two documents differ, as "path: expected ... found ...", at most `limit` of them."""
    if isinstance(expected, dict) and isinstance(found, dict):
        lines: list[str] = []
        for key in sorted(expected.keys() | found.keys()):
            if key not in found or key not in expected:
                where = "golden file" if key in expected else "new result"
                lines.append(f"{path}/{key}: only in the {where}")
            else:
                lines += differences(expected[key], found[key], f"{path}/{key}", limit - len(lines))
            if len(lines) >= limit:
                break
        return lines[:limit]
    if isinstance(expected, list) and isinstance(found, list) and len(expected) == len(found):
        lines = []
        for index, (was, now) in enumerate(zip(expected, found, strict=True)):
            lines += differences(was, now, f"{path}[{index}]", limit - len(lines))
            if len(lines) >= limit:
                break
        return lines[:limit]
    if expected != found:
        return [
            f"{path}: golden {json.dumps(expected, ensure_ascii=False)[:200]}, "
            f"now {json.dumps(found, ensure_ascii=False)[:200]}"
        ]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write or check the golden results.")
    parser.add_argument("--write", action="store_true", help="write the golden files afresh")
    parser.add_argument("names", nargs="*", default=sorted(CASES), help="rounds (default: all)")
    args = parser.parse_args(argv)
    failed = 0
    for name in args.names:
        document = golden_document(CASES[name]())
        path = golden_path(name)
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dumps(document), encoding="utf-8")
            print(f"wrote {path.relative_to(REPOSITORY)}")
            continue
        stored = json.loads(path.read_text(encoding="utf-8"))
        found = differences(stored, json.loads(dumps(document)))
        failed += bool(found)
        print(f"{name}: {'differs' if found else 'matches'}", *found, sep="\n  ")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
