"""Scoring a round: every bid against the framework, every number explained, ranks decided.

`score_round(framework, bids, marks, settings)` is pure and deterministic: no I/O, no clock,
and the result never depends on the order of bids, answers or marks. For each bid it parses
every answer (`criteria.answers`), leaves out follow-ups whose `show_if` is not met, scores each
criterion by its rule (answer-only rules from `criteria.rules.RULES`, evaluator marks from
`criteria.marking.MARKED_RULES`) and checks its gate. Price is scored last
(`criteria.price`): relative formulas compare the prices of the bids that passed every gate,
and price per quality point needs their quality points. Section and pillar totals, minimum
thresholds and flags follow (`criteria.judging`), then the ranking (`criteria.ranking`).

Excluded bids are scored in full and listed with their reasons, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from criteria.answers import AnswerError, describe_answer, display_answer, parse_answer
from criteria.conditions import condition_holds, describe_condition
from criteria.errors import RoundInputError
from criteria.hashing import content_hash
from criteria.inputs import Bid, CriterionMarks, RoundSettings
from criteria.judging import flags_for, group_scores, judge_thresholds
from criteria.marking import MARKED_RULES
from criteria.model import AnswerValue, Criterion, Framework, Rule
from criteria.price import PRICE_RULE, PricedBid, score_price
from criteria.ranking import rank_bids
from criteria.result import (
    BidResult,
    BidStatus,
    CriterionScore,
    CriterionStatus,
    Exclusion,
    RoundResult,
)
from criteria.round_inputs import check_round
from criteria.rules import RULES, Points
from criteria.weights import criterion_weights, round_parameters, round_pillar_weights

__all__ = ["SCORERS", "RoundInputError", "score_round"]

Marks = Mapping[str, Mapping[str, CriterionMarks]]


@dataclass(frozen=True, slots=True)
class _Round:
    """What every bid in the round is scored against."""

    framework: Framework
    params: dict[str, Any]
    weights: dict[str, Fraction]
    marks: Marks


@dataclass(slots=True)
class _Draft:
    """One bid part-way through scoring."""

    bid: Bid
    values: dict[str, AnswerValue | None]
    errors: dict[str, str]  # criterion id -> why the answer given could not be used
    hidden: dict[str, str] = field(default_factory=dict)  # criterion id -> why not asked
    scores: dict[str, CriterionScore] = field(default_factory=dict)
    gate_failures: list[Exclusion] = field(default_factory=list)

    def number(self, criterion_id: str) -> Decimal | None:
        value = self.values.get(criterion_id)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return None
        return Decimal(value)


# --- reading answers and deciding what was asked ----------------------------------------


def _read_answers(ctx: _Round, bid: Bid) -> _Draft:
    values: dict[str, AnswerValue | None] = {}
    errors: dict[str, str] = {}
    for criterion in ctx.framework.criteria.values():
        try:
            values[criterion.id] = parse_answer(criterion, bid.answers.get(criterion.id))
        except AnswerError as exc:
            values[criterion.id] = None
            errors[criterion.id] = exc.message
    draft = _Draft(bid, values, errors)
    for criterion in ctx.framework.criteria.values():
        _asked(ctx, draft, criterion, ())
    for criterion_id in draft.hidden:
        draft.values[criterion_id] = None  # an answer to a question not asked is not used
    return draft


def _asked(ctx: _Round, draft: _Draft, criterion: Criterion, path: tuple[str, ...]) -> bool:
    """Whether the question is asked of this bid; records why not in `draft.hidden`."""
    condition = criterion.show_if
    if condition is None:
        return True
    if criterion.id in path:
        raise RoundInputError(f"The show_if conditions loop through criterion '{criterion.id}'")
    parent = ctx.framework.criteria[condition.criterion]
    asked = _asked(ctx, draft, parent, (*path, criterion.id)) and parent.id not in draft.hidden
    if asked and condition_holds(condition, draft.values[parent.id], ctx.params):
        return True
    words = describe_condition(condition, ctx.params, parent)
    draft.hidden[criterion.id] = (
        f"Not asked: this question applies only when the answer to “{parent.prompt}” {words}"
    )
    return False


# --- scoring one criterion --------------------------------------------------------------

Scorer = Callable[[_Round, _Draft, Criterion, Rule], CriterionScore]


def _answer_rule(ctx: _Round, draft: _Draft, criterion: Criterion, rule: Rule) -> CriterionScore:
    points = RULES[rule.rule](draft.values[criterion.id], criterion, rule, ctx.params)
    return _criterion_score(ctx, draft, criterion, rule.rule, _explained(draft, criterion, points))


def _marked_rule(ctx: _Round, draft: _Draft, criterion: Criterion, rule: Rule) -> CriterionScore:
    marks = ctx.marks.get(draft.bid.id, {}).get(criterion.id)
    answered = draft.values[criterion.id] is not None
    marked = MARKED_RULES[rule.rule](criterion, rule, ctx.framework.scales, marks, answered)
    points = _explained(draft, criterion, marked.points)
    score = _criterion_score(ctx, draft, criterion, rule.rule, points)
    return replace(score, marks=marked.marks, moderated=marked.moderated)


SCORERS: dict[str, Scorer] = {
    **dict.fromkeys(RULES, _answer_rule),
    **dict.fromkeys(MARKED_RULES, _marked_rule),
}
"""How each rule other than price is scored, by rule name: from the answer, or from marks."""


def _explained(draft: _Draft, criterion: Criterion, points: Points) -> Points:
    """Say why an answer is missing: not given, optional, or given but unusable."""
    problem = draft.errors.get(criterion.id)
    if problem is not None:
        unusable = f"the answer given could not be used ({problem})"
        if points.status == "unanswered":
            return replace(points, reason=f"Not answered: {unusable}")
        return replace(points, reason=f"{points.reason}; {unusable}")
    if points.status == "unanswered" and not criterion.required:
        return replace(points, reason=f"{points.reason} (optional question)")
    return points


def _criterion_score(
    ctx: _Round, draft: _Draft, criterion: Criterion, rule_name: str, points: Points
) -> CriterionScore:
    section = ctx.framework.section_of[criterion.id]
    normalised = points.raw / points.max if points.max else Fraction(0)
    weight = ctx.weights[criterion.id]
    return CriterionScore(
        criterion_id=criterion.id,
        section_id=section.id,
        pillar_id=section.pillar,
        prompt=criterion.prompt,
        answer=display_answer(draft.values[criterion.id]),
        rule=rule_name,
        raw=points.raw,
        max=points.max,
        normalised=normalised,
        weight=weight,
        contribution=normalised * weight,
        reason=points.reason,
        status=points.status,
    )


def _not_asked(ctx: _Round, draft: _Draft, criterion: Criterion) -> CriterionScore:
    points = Points(Fraction(0), Fraction(0), draft.hidden[criterion.id], "not_applicable")
    return _criterion_score(ctx, draft, criterion, _rule_name(ctx, criterion), points)


def _unscored(ctx: _Round, draft: _Draft, criterion: Criterion) -> CriterionScore:
    if draft.values[criterion.id] is None:
        points = Points(Fraction(0), Fraction(0), "Not answered", "unanswered")
    else:
        points = Points(Fraction(0), Fraction(0), "Asked for information; not scored")
    return _criterion_score(ctx, draft, criterion, "none", _explained(draft, criterion, points))


def _rule_name(ctx: _Round, criterion: Criterion) -> str:
    if criterion.scoring is None:
        return "none"
    price = ctx.framework.award.price
    if criterion.scoring.rule == PRICE_RULE and price is not None:
        return f"{PRICE_RULE}:{price.formula.name}"
    return criterion.scoring.rule


def _check_gate(ctx: _Round, draft: _Draft, criterion: Criterion) -> bool | None:
    """Whether the criterion's gate passes (None without one); a failure is recorded."""
    gate = criterion.scoring.gate if criterion.scoring else None
    if gate is None or criterion.id in draft.hidden:
        return None
    value = draft.values[criterion.id]
    if condition_holds(gate, value, ctx.params):
        return True
    if gate.message:
        reason = gate.message
    else:
        if criterion.id in draft.errors:
            given = f"the answer given could not be used ({draft.errors[criterion.id]})"
        elif value is None:
            given = "the bid did not answer it"
        else:
            given = f"the bid answered {describe_answer(criterion, value)}"
        words = describe_condition(gate, ctx.params, criterion)
        reason = f"The answer to “{criterion.prompt}” {words}, but {given}"
    draft.gate_failures.append(Exclusion("gate", criterion.id, reason))
    return False


def _score_before_price(ctx: _Round, draft: _Draft) -> None:
    """Every criterion except price, and every gate (the price's own gate too)."""
    for criterion in ctx.framework.criteria.values():
        gate_passed = _check_gate(ctx, draft, criterion)
        rule = criterion.scoring
        if criterion.id in draft.hidden:
            score = _not_asked(ctx, draft, criterion)
        elif rule is None:
            score = _unscored(ctx, draft, criterion)
        elif rule.rule == PRICE_RULE:
            continue
        else:
            score = SCORERS[rule.rule](ctx, draft, criterion, rule)
        draft.scores[criterion.id] = replace(score, gate_passed=gate_passed)


# --- price ------------------------------------------------------------------------------


def _score_prices(ctx: _Round, drafts: Sequence[_Draft]) -> None:
    """Price last: against the bids with a valid price that passed every gate."""
    award = ctx.framework.award.price
    if award is None:
        return
    criterion = ctx.framework.criteria[award.criterion]
    quality = {
        d.bid.id: sum((s.contribution for s in d.scores.values()), Fraction(0)) for d in drafts
    }
    eligible = [
        PricedBid(d.bid.id, price, quality[d.bid.id])
        for d in drafts
        if not d.gate_failures and (price := d.number(criterion.id)) is not None and price > 0
    ]
    for draft in drafts:
        if criterion.id in draft.hidden:
            continue
        price = draft.number(criterion.id)
        priced = score_price(
            award.formula, draft.bid.id, price, quality[draft.bid.id], eligible, ctx.params
        )
        problem = draft.errors.get(criterion.id)
        reason = f"{priced.reason}: {problem}" if problem else priced.reason
        status: CriterionStatus = "unanswered" if price is None else "scored"
        points = Points(priced.normalised * 100, Fraction(100), reason, status)
        if priced.failure is not None:
            failure = f"{priced.failure}: {problem}" if problem else priced.failure
            draft.gate_failures.append(Exclusion("gate", criterion.id, failure))
        passed = all(e.target != criterion.id for e in draft.gate_failures)
        score = _criterion_score(ctx, draft, criterion, _rule_name(ctx, criterion), points)
        draft.scores[criterion.id] = replace(score, gate_passed=passed)


# --- the bid and the round --------------------------------------------------------------


def _finish(ctx: _Round, draft: _Draft) -> BidResult:
    framework = ctx.framework
    scores = {c: draft.scores[c] for c in framework.criteria}
    pillars, sections = group_scores(framework, scores)
    exclusions = (*draft.gate_failures, *judge_thresholds(framework, scores))
    awaiting = tuple(c for c, s in scores.items() if s.status == "awaiting_evaluation")
    status: BidStatus = (
        "excluded" if exclusions else ("awaiting_evaluation" if awaiting else "ranked")
    )
    return BidResult(
        bid_id=draft.bid.id,
        name=draft.bid.name,
        status=status,
        total=sum((s.contribution for s in scores.values()), Fraction(0)),
        pillars=pillars,
        sections=sections,
        criteria=tuple(scores.values()),
        exclusions=tuple(exclusions),
        flags=tuple(flags_for(framework, draft.values, ctx.params)),
        awaiting=awaiting,
    )


def _notes(results: Sequence[BidResult], ranked: Sequence[BidResult]) -> tuple[str, ...]:
    if not results:
        return ("No bids were submitted.",)
    notes: list[str] = []
    if all(b.status == "excluded" for b in results):
        notes.append("Every bid is excluded: no bid can be recommended.")
    waiting = sum(1 for b in results if b.status == "awaiting_evaluation")
    if waiting:
        noun = "bid is" if waiting == 1 else "bids are"
        notes.append(
            f"{waiting} {noun} awaiting evaluators' marks: the ranking is not final until "
            "every bid is marked."
        )
    first = [b for b in ranked if b.rank == 1]
    if len(first) > 1:
        names = ", ".join(b.name for b in first)
        notes.append(
            f"First place is shared by {names}: the published tie-break does not separate "
            "them, so the award needs a further decision."
        )
    return tuple(notes)


def score_round(
    framework: Framework,
    bids: Sequence[Bid],
    marks: Marks | None = None,
    settings: RoundSettings | None = None,
) -> RoundResult:
    """Score, explain and rank every bid in a round. Raises RoundInputError on bad input."""
    settings = settings or RoundSettings()
    marks = marks or {}
    check_round(framework, bids, marks)
    params = round_parameters(framework, settings)
    pillar_weights = round_pillar_weights(framework, settings)
    ctx = _Round(framework, params, criterion_weights(framework, pillar_weights), marks)
    drafts = [_read_answers(ctx, bid) for bid in sorted(bids, key=lambda b: b.id)]
    for draft in drafts:
        _score_before_price(ctx, draft)
    _score_prices(ctx, drafts)
    results = [_finish(ctx, draft) for draft in drafts]
    price_award = framework.award.price
    prices = {d.bid.id: d.number(price_award.criterion) if price_award else None for d in drafts}
    ranking = rank_bids([r for r in results if r.status == "ranked"], framework, prices)
    waiting = [r for r in results if r.status == "awaiting_evaluation"]
    excluded = [r for r in results if r.status == "excluded"]
    return RoundResult(
        framework_id=framework.id,
        framework_version=framework.version,
        framework_hash=content_hash(framework),
        pillar_weights=pillar_weights,
        price_formula=price_award.formula.name if price_award else None,
        bids=(*ranking.bids, *waiting, *excluded),
        tie_breaks=ranking.tie_breaks,
        notes=_notes(results, ranking.bids),
    )
