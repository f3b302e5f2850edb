"""Checking what a round feeds the engine before anything is scored.

Problems are raised as `RoundInputError` with a message for the person who prepared the round:
which bid, which criterion, what was given and what was expected. The framework's own
cross-references are checked too (the loader already does so for every file it loads; a
framework built in code gets the same protection here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from criteria.errors import RoundInputError
from criteria.inputs import Bid, CriterionMarks, FlagCode, PriceDecision
from criteria.marking import MARKED_RULES, scale_problem
from criteria.model import Framework
from criteria.price import PRICE_RULE

__all__ = ["check_framework_references", "check_round"]


def check_round(
    framework: Framework,
    bids: Sequence[Bid],
    marks: Mapping[str, Mapping[str, CriterionMarks]],
    decisions: Mapping[str, Mapping[FlagCode, PriceDecision]] | None = None,
) -> None:
    """Raise RoundInputError for the first problem in the round's bids, marks and decisions."""
    check_framework_references(framework)
    repeated = sorted(bid_id for bid_id, n in Counter(b.id for b in bids).items() if n > 1)
    if repeated:
        raise RoundInputError(
            f"Bid id '{repeated[0]}' is used by more than one bid; each bid needs its own id"
        )
    asked = framework.criteria.keys()
    for bid in sorted(bids, key=lambda b: b.id):
        if asked >= bid.answers.keys():
            continue
        unknown = sorted(set(bid.answers) - set(framework.criteria))
        if unknown:
            raise RoundInputError(
                f"Bid '{bid.id}' ({bid.name}) answers {_ids(unknown)}, which framework "
                f"'{framework.id}' {framework.version} does not ask"
            )
    bid_ids = {b.id for b in bids}
    for bid_id in sorted(marks):
        if bid_id not in bid_ids:
            raise RoundInputError(f"Marks are given for bid '{bid_id}', which is not in the round")
        for criterion_id in sorted(marks[bid_id]):
            _check_marks(framework, bid_id, criterion_id, marks[bid_id][criterion_id])
    for bid_id in sorted(decisions or {}):
        if bid_id not in bid_ids:
            raise RoundInputError(
                f"A price decision is given for bid '{bid_id}', which is not in the round"
            )


def _ids(ids: Sequence[str]) -> str:
    quoted = ", ".join(f"'{i}'" for i in ids)
    return f"criterion {quoted}" if len(ids) == 1 else f"criteria {quoted}"


def _check_marks(
    framework: Framework, bid_id: str, criterion_id: str, marks: CriterionMarks
) -> None:
    where = f"Bid '{bid_id}', criterion '{criterion_id}'"
    criterion = framework.criteria.get(criterion_id)
    if criterion is None:
        raise RoundInputError(
            f"{where}: marks are given for a criterion framework '{framework.id}' does not have"
        )
    rule = criterion.scoring
    if rule is None or rule.rule not in MARKED_RULES:
        how = f"by its {rule.rule} rule" if rule else "not at all"
        raise RoundInputError(
            f"{where}: marks are given, but this criterion is not marked by evaluators "
            f"(it is scored {how})"
        )
    evaluators = [m.evaluator for m in marks.marks]
    if len(set(evaluators)) < len(evaluators):
        repeated = sorted(e for e, n in Counter(evaluators).items() if n > 1)
        raise RoundInputError(f"{where}: evaluator '{repeated[0]}' has more than one mark")
    scale = framework.scales[getattr(rule, "scale", "")]
    problem = scale_problem(scale, marks)
    if problem is not None:
        raise RoundInputError(f"{where}: {problem}")


def check_framework_references(framework: Framework) -> None:
    """Raise RoundInputError if the framework names a criterion, pillar, section or scale it
    does not have, or its price criterion and price formula do not match."""
    problems = list(_reference_problems(framework))
    if problems:
        raise RoundInputError(f"Framework '{framework.id}' {framework.version}: {problems[0]}")


def _reference_problems(framework: Framework) -> list[str]:
    award = framework.award
    criteria = framework.criteria
    sections = {s.id for s in framework.sections}
    problems: list[str] = []
    priced = sorted(c.id for c in criteria.values() if c.scoring and c.scoring.rule == PRICE_RULE)
    named = [award.price.criterion] if award.price else []
    if priced != named:
        problems.append(
            f"award.price names {_ids(named) if named else 'no criterion'}, but the criteria "
            f"scored by price are {', '.join(priced) or 'none'}"
        )
    for criterion in criteria.values():
        if criterion.show_if and criterion.show_if.criterion not in criteria:
            parent = criterion.show_if.criterion
            problems.append(f"'{criterion.id}' is shown only if unknown criterion '{parent}'")
        scale = getattr(criterion.scoring, "scale", None)
        if scale is not None and scale not in framework.scales:
            problems.append(f"'{criterion.id}' uses scale '{scale}', which is not defined")
    for section in framework.sections:
        if section.pillar not in framework.pillars:
            problems.append(f"section '{section.id}' is in unknown pillar '{section.pillar}'")
    for key in award.tie_break:
        kind, _, target = key.partition(":")
        known = {"pillar": set(framework.pillars), "section": sections}.get(kind)
        if known is not None and target not in known:
            problems.append(f"tie-break '{key}' names a {kind} the framework does not have")
    scopes = {"criterion": set(criteria), "section": sections, "pillar": set(framework.pillars)}
    for threshold in award.minimum_thresholds:
        known = scopes.get(threshold.scope)
        if known is not None and threshold.id not in known:
            problems.append(
                f"a minimum threshold names {threshold.scope} '{threshold.id}', "
                "which does not exist"
            )
    checks = [award.abnormally_low.criterion] if award.abnormally_low else []
    if award.wage_floor:
        checks += [award.wage_floor.pay_criterion, award.wage_floor.price_criterion]
    problems += [f"award checks unknown criterion '{c}'" for c in checks if c not in criteria]
    return problems
