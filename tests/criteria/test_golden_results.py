"""Scoring gives, to the last digit and the last word, the results kept in the golden files.

Each golden file (tests/criteria/data/golden/) holds one round's full result: every total,
pillar and section score as an exact fraction, every criterion's points and reason, gates,
thresholds, flags, ranks, tie-breaks, and the robustness analysis. Any change to the engine
that moves one of them fails here; when the change is meant, regenerate the files with
`PYTHONPATH=. .venv/bin/python -m tests.criteria.golden --write` and say why in the commit.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from criteria.model import Framework
from tests.criteria import golden


def _stored(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(golden.golden_path(name).read_text(encoding="utf-8"))
    return document


def _now(round_: golden.GoldenRound) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(golden.dumps(golden.golden_document(round_)))
    return document


@pytest.mark.parametrize("name", sorted(golden.CASES))
def test_scoring_the_round_gives_its_golden_results(name: str) -> None:
    found = golden.differences(_stored(name), _now(golden.CASES[name]()))
    assert not found, (
        f"{name} no longer scores as its golden file says; first differences:\n" + "\n".join(found)
    )


def test_the_golden_files_are_written_as_the_writer_writes_them() -> None:
    for name in golden.CASES:
        text = golden.golden_path(name).read_text(encoding="utf-8")
        assert golden.dumps(json.loads(text)) == text, f"{name}.json was edited by hand"


def test_the_generated_round_has_every_outcome_the_golden_results_should_cover() -> None:
    result = _stored("ethical-care-300")["result"]
    statuses = Counter(bid["status"] for bid in result["bids"])
    exclusions = Counter(e["kind"] for bid in result["bids"] for e in bid["exclusions"])
    flags = Counter(
        (flag["code"], flag["decision"]) for bid in result["bids"] for flag in bid["flags"]
    )
    assert len(result["bids"]) == 300
    assert set(statuses) == {"ranked", "excluded", "awaiting_evaluation"}
    assert set(exclusions) == {"gate", "threshold", "disregarded"}
    assert {decision for _, decision in flags} == {"accept", "disregard", None}
    assert {code for code, _ in flags} == {"abnormally_low", "wage_floor_not_funded"}
    assert {t["decided_by"] for t in result["tie_breaks"]} >= {None, "lowest_price"}


def _one_weight_moved(framework: Framework) -> Framework:
    """The framework with one point of weight moved between two criteria of a section."""
    document = framework.model_dump(by_alias=True, exclude_none=True)
    first, second = document["sections"][0]["criteria"][:2]
    first["weight"] += 1
    second["weight"] -= 1
    return Framework.model_validate(document)


def test_the_golden_comparison_notices_one_weight_moved() -> None:
    example = golden.CASES["homecare-2026"]()
    moved = replace(example, framework=_one_weight_moved(example.framework))
    found = golden.differences(_stored("homecare-2026"), _now(moved))
    assert any("contribution" in line or "weight" in line for line in found)
