"""Checks on the shape of a framework: unique ids, and weights that add up to 100.

Weights combine down the tree: pillar weights add up to 100; within each pillar the section
weights add up to 100; within each section the weights of the scored criteria add up to 100.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from criteria.checks.registry import (
    CheckProblem,
    Loc,
    check,
    criteria_with_paths,
    listing,
    suggest,
)
from criteria.model import Framework

__all__ = ["criterion_weights", "pillar_weights", "section_weights", "unique_ids"]

HUNDRED = Decimal(100)


def _weights_text(parts: list[tuple[str, Decimal]]) -> str:
    return ", ".join(f"{name} {weight}" for name, weight in parts)


def _first_use(seen: dict[str, Loc], name: str, path: Loc, what: str) -> Iterator[CheckProblem]:
    if name in seen:
        yield CheckProblem(path, f"{what} '{name}' is already used", seen[name])
    seen.setdefault(name, path)


@check
def unique_ids(framework: Framework) -> Iterator[CheckProblem]:
    """Section and criterion ids are unique across the framework, choice values per question."""
    sections: dict[str, Loc] = {}
    for i, section in enumerate(framework.sections):
        yield from _first_use(sections, section.id, ("sections", i, "id"), "section id")
    criteria: dict[str, Loc] = {}
    for where, criterion in criteria_with_paths(framework):
        yield from _first_use(criteria, criterion.id, (*where, "id"), "criterion id")
        values: dict[str, Loc] = {}
        for k, choice in enumerate(criterion.choices or ()):
            path: Loc = (*where, "choices", k, "value")
            yield from _first_use(values, choice.value, path, "choice value")
    pillars: dict[str, Loc] = {}
    for k, pillar in enumerate(framework.award.pillars):
        yield from _first_use(pillars, pillar.id, ("award", "pillars", k, "id"), "pillar id")


@check
def pillar_weights(framework: Framework) -> Iterator[CheckProblem]:
    """Pillar weights add up to 100, each within its own bounds; every pillar has sections."""
    pillars = framework.award.pillars
    total = sum((p.weight for p in pillars), Decimal(0))
    if total != HUNDRED:
        weights = _weights_text([(p.id, p.weight) for p in pillars])
        yield CheckProblem(
            ("award", "pillars"), f"the pillar weights add up to {total}, not 100 ({weights})"
        )
    for k, pillar in enumerate(pillars):
        path: Loc = ("award", "pillars", k)
        if pillar.min_weight > pillar.max_weight:
            yield CheckProblem(
                (*path, "min_weight"),
                f"min_weight {pillar.min_weight} is above max_weight {pillar.max_weight}",
            )
        elif not pillar.min_weight <= pillar.weight <= pillar.max_weight:
            yield CheckProblem(
                (*path, "weight"),
                f"weight {pillar.weight} is outside the pillar's own range "
                f"{pillar.min_weight} to {pillar.max_weight}",
            )
        if not any(s.pillar == pillar.id for s in framework.sections):
            yield CheckProblem(path, f"pillar '{pillar.id}' has no sections")


@check
def section_weights(framework: Framework) -> Iterator[CheckProblem]:
    """Every section's pillar exists; the section weights in each pillar add up to 100.

    A sum that is off is reported at the weight of the pillar's first section.
    """
    pillars = framework.pillars
    by_pillar: dict[str, list[tuple[str, Decimal]]] = {}
    first_weight: dict[str, Loc] = {}
    for i, section in enumerate(framework.sections):
        if section.pillar not in pillars:
            yield CheckProblem(
                ("sections", i, "pillar"),
                f"unknown pillar '{section.pillar}' (pillars: {listing(pillars)})"
                + suggest(section.pillar, pillars),
            )
            continue
        by_pillar.setdefault(section.pillar, []).append((section.id, section.weight))
        first_weight.setdefault(section.pillar, ("sections", i, "weight"))
    for pillar_id, weights in by_pillar.items():
        total = sum((weight for _, weight in weights), Decimal(0))
        if total != HUNDRED:
            yield CheckProblem(
                first_weight[pillar_id],
                f"the weights of the sections in pillar '{pillar_id}' add up to {total}, "
                f"not 100 ({_weights_text(weights)})",
            )


@check
def criterion_weights(framework: Framework) -> Iterator[CheckProblem]:
    """The scored criteria of a section add up to 100; only points-giving rules carry weight.

    A section of weight 0 whose criteria all have weight 0 holds only gates: that is allowed.
    """
    for i, section in enumerate(framework.sections):
        weights = [(c.id, c.weight) for c in section.criteria if c.weight > 0]
        total = sum((weight for _, weight in weights), Decimal(0))
        gates_only = total == 0 and section.weight == 0
        if total != HUNDRED and not gates_only:
            detail = f" ({_weights_text(weights)})" if weights else ""
            yield CheckProblem(
                ("sections", i),
                f"the weights of the scored criteria in section '{section.id}' add up to "
                f"{total}, not 100{detail}",
            )
        for j, criterion in enumerate(section.criteria):
            rule = criterion.scoring.rule if criterion.scoring else None
            if criterion.weight > 0 and rule in (None, "gate"):
                yield CheckProblem(
                    ("sections", i, "criteria", j, "weight"),
                    f"weight {criterion.weight} needs a rule that gives points (a gate, or no "
                    "scoring, earns nothing): set weight 0 or add a scoring rule",
                )
