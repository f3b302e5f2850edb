"""A round's numbers: its parameter values, its pillar weights and each criterion's weight.

A round may override framework parameters (for example its local postcode districts) and move
pillar weights within the bounds the framework publishes. Each criterion's effective weight is
its share of the 100 available points:

    pillar weight x section weight / (sum of section weights in the pillar)
                  x criterion weight / (sum of criterion weights in the section)

so scaling every weight in a section (or every section in a pillar) by the same factor changes
nothing.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from criteria.errors import RoundInputError
from criteria.inputs import RoundSettings
from criteria.model import Framework

__all__ = ["TOTAL_POINTS", "criterion_weights", "round_parameters", "round_pillar_weights"]

TOTAL_POINTS = Fraction(100)


def _is_number(value: Any) -> bool:
    return isinstance(value, Decimal | int) and not isinstance(value, bool)


def round_parameters(framework: Framework, settings: RoundSettings) -> dict[str, Any]:
    """Framework parameter values overlaid with the round's; a number must stay a number."""
    values: dict[str, Any] = dict(framework.parameter_values())
    for name, value in sorted(settings.parameters.items()):
        if name not in values:
            known = ", ".join(f"${n}" for n in values) or "none"
            raise RoundInputError(
                f"The round sets parameter ${name}, which framework '{framework.id}' does not "
                f"have (its parameters: {known})"
            )
        if _is_number(values[name]) and not _is_number(value):
            raise RoundInputError(
                f"The round sets parameter ${name} to {value!r}, but it must be a number, "
                f"like {values[name]}"
            )
        values[name] = value
    return values


def round_pillar_weights(framework: Framework, settings: RoundSettings) -> dict[str, Fraction]:
    """The framework's pillar weights, or the round's within their bounds, summing to 100."""
    chosen = settings.pillar_weights or {}
    unknown = sorted(set(chosen) - set(framework.pillars))
    if unknown:
        known = ", ".join(framework.pillars)
        raise RoundInputError(
            f"The round sets a weight for pillar '{unknown[0]}', which framework "
            f"'{framework.id}' does not have (its pillars: {known})"
        )
    weights: dict[str, Fraction] = {}
    for pillar in framework.award.pillars:
        weight = chosen.get(pillar.id, pillar.weight)
        if pillar.id in chosen and not pillar.min_weight <= weight <= pillar.max_weight:
            raise RoundInputError(
                f"The round gives the {pillar.title} pillar ('{pillar.id}') a weight of "
                f"{weight}, outside the range {pillar.min_weight} to {pillar.max_weight} "
                f"that the framework allows"
            )
        weights[pillar.id] = Fraction(weight)
    total = sum(weights.values(), Fraction(0))
    if total != TOTAL_POINTS:
        listed = ", ".join(f"{p} {_plain(w)}" for p, w in weights.items())
        raise RoundInputError(
            f"Pillar weights must add up to 100, but they add up to {_plain(total)} ({listed})"
        )
    return weights


def _plain(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def _share(part: Decimal, whole: Fraction) -> Fraction:
    return Fraction(part) / whole if whole else Fraction(0)


def criterion_weights(
    framework: Framework, pillar_weights: dict[str, Fraction]
) -> dict[str, Fraction]:
    """Each criterion's share of the 100 points, by criterion id."""
    section_totals: dict[str, Fraction] = {}
    for section in framework.sections:
        section_totals[section.pillar] = section_totals.get(section.pillar, Fraction(0)) + (
            Fraction(section.weight)
        )
    weights: dict[str, Fraction] = {}
    for section in framework.sections:
        pillar_weight = pillar_weights.get(section.pillar, Fraction(0))
        section_weight = pillar_weight * _share(section.weight, section_totals[section.pillar])
        criteria_total = sum((Fraction(c.weight) for c in section.criteria), Fraction(0))
        for criterion in section.criteria:
            weights[criterion.id] = section_weight * _share(criterion.weight, criteria_total)
    return weights
