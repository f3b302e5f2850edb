"""Scoring a round: every bid against the framework, every number explained, ranks decided.

`score_round(framework, bids, marks, settings, decisions)` is pure and deterministic: no I/O, no
clock, and the result never depends on the order of bids, answers or marks. Each criterion is first
made ready for the round (its rule's constants, its weight, where it counts). Then for each bid it
parses every answer (`criteria.answers`), leaves out follow-ups whose `show_if` is not met, scores
each criterion by its rule (`criteria.rules.RULE_SCORERS` for answer-only rules,
`criteria.marking.MARKED_SCORERS` for evaluator marks) and checks its gate. Price is scored last
(`criteria.price`): relative formulas compare the prices of the bids that passed every gate and were
not disregarded after a price check, and price per quality point needs their quality points. Section
and pillar totals, minimum thresholds and flags follow (`criteria.judging`), then the ranking
(`criteria.ranking`). A flagged price is ranked as scored until a commissioner decides: a decision
to disregard the tender excludes it, with the decision's reason.

Excluded bids are scored in full and listed with their reasons, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from criteria.answers import AnswerError, AnswerReader, answer_key, display_answer
from criteria.conditions import condition_holds, describe_condition, gate_failure
from criteria.errors import RoundInputError
from criteria.hashing import content_hash
from criteria.inputs import Bid, CriterionMarks, FlagCode, PriceDecision, RoundSettings
from criteria.judging import Grouping, add_up, apply_decisions, flags_for, judge_thresholds
from criteria.marking import MARKED_SCORERS, Marked
from criteria.model import AnswerValue, Condition, Criterion, Framework, Rule
from criteria.price import PRICE_RULE, PricedBid, PriceField, score_price_in
from criteria.ranking import rank_bids, round_notes
from criteria.result import (
    BidResult,
    BidStatus,
    CriterionScore,
    CriterionStatus,
    Exclusion,
    RoundResult,
    fmt,
)
from criteria.round_inputs import check_round
from criteria.rules import RULE_SCORERS, AnswerScorer, Points
from criteria.weights import criterion_weights, round_parameters, round_pillar_weights
from criteria.wording import criterion_title

__all__ = ["SCORERS", "Decisions", "Marks", "RoundInputError", "score_round"]

Marks = Mapping[str, Mapping[str, CriterionMarks]]
Decisions = Mapping[str, Mapping[FlagCode, PriceDecision]]

_ZERO = Fraction(0)


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


SlotScorer = Callable[[_Draft, "bool | None"], CriterionScore]
"""Scores one criterion of one bid, given whether its gate passed (None without a gate)."""


@dataclass(slots=True)
class _Slot:
    """One criterion made ready for the round: where it counts, what it weighs, how it scores.

    Answers given alike by many bids are parsed once, and the normalised score and contribution
    of each (raw, max) pair are worked out once and shared by every bid that earns them.
    """

    criterion: Criterion
    read: AnswerReader
    section_id: str
    pillar_id: str
    weight: Fraction
    rule_name: str  # as reported: "bands", "price:fixed_range", "none"
    gate: Condition | None
    score: SlotScorer | None = None  # None for price, which is scored last
    shares: dict[tuple[int, int, int, int], tuple[Fraction, Fraction]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Round:
    """What every bid in the round is scored against."""

    framework: Framework
    params: dict[str, Any]
    pillar_weights: dict[str, Fraction]
    marks: Marks
    grouping: Grouping
    slots: dict[str, _Slot] = field(default_factory=dict)  # by criterion id, framework order


# --- reading answers and deciding what was asked ----------------------------------------


def _read_answers(ctx: _Round, bid: Bid) -> _Draft:
    values: dict[str, AnswerValue | None] = {}
    errors: dict[str, str] = {}
    for criterion_id, slot in ctx.slots.items():
        try:
            values[criterion_id] = slot.read(bid.answers.get(criterion_id))
        except AnswerError as exc:
            values[criterion_id] = None
            errors[criterion_id] = exc.message
    draft = _Draft(bid, values, errors)
    for slot in ctx.slots.values():
        if slot.criterion.show_if is not None:
            _asked(ctx, draft, slot.criterion, ())
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


def _criterion_score(
    slot: _Slot,
    draft: _Draft,
    points: Points,
    gate_passed: bool | None,
    marked: Marked | None = None,
) -> CriterionScore:
    raw, top = points.raw, points.max
    key = raw.as_integer_ratio() + top.as_integer_ratio()
    shares = slot.shares.get(key)
    if shares is None:
        shares = slot.shares[key] = _shares(key, slot.weight)
    criterion = slot.criterion
    # Positional, in field order: a round builds tens of thousands of these, and keyword
    # arguments would cost half as much again.
    return CriterionScore(
        criterion.id,
        slot.section_id,
        slot.pillar_id,
        criterion.prompt,
        display_answer(draft.values[criterion.id]),
        slot.rule_name,
        raw,
        top,
        shares[0],
        slot.weight,
        shares[1],
        points.reason,
        points.status,
        gate_passed,
        marked.marks if marked else (),
        marked.moderated if marked else None,
    )


def _shares(key: tuple[int, int, int, int], weight: Fraction) -> tuple[Fraction, Fraction]:
    """(normalised, contribution): raw / max (0 when max is 0), and normalised x weight."""
    raw_n, raw_d, top_n, top_d = key
    if not top_n:
        return _ZERO, _ZERO
    normalised = Fraction(raw_n * top_d, raw_d * top_n)  # as `/` and `*`, minus their dispatch
    weight_n, weight_d = weight.as_integer_ratio()
    return normalised, Fraction(normalised.numerator * weight_n, normalised.denominator * weight_d)


def _explained(draft: _Draft, criterion: Criterion, points: Points) -> Points:
    """Say why an answer is missing: not given, optional, or given but unusable."""
    problem = draft.errors.get(criterion.id)
    if problem is not None:
        unusable = f"the answer given could not be used ({problem})"
        missing = points.status == "unanswered"
        reason = f"Not answered: {unusable}" if missing else f"{points.reason}; {unusable}"
    elif points.status == "unanswered" and not criterion.required:
        reason = f"{points.reason} (optional question)"
    else:
        return points
    return Points(points.raw, points.max, reason, points.status)


def _from_answer(slot: _Slot, score_answer: AnswerScorer) -> SlotScorer:
    criterion = slot.criterion
    # A score from the answer alone is the same for every bid giving that answer, so bids
    # share it (scores are immutable); an answer that could not be used is scored afresh.
    alike: dict[tuple[tuple[type, Any], bool | None], CriterionScore] = {}

    def score(draft: _Draft, gate_passed: bool | None) -> CriterionScore:
        value = draft.values[criterion.id]
        answer = answer_key(value) if criterion.id not in draft.errors else None
        if answer is not None and (answer, gate_passed) in alike:
            return alike[answer, gate_passed]
        points = _explained(draft, criterion, score_answer(value))
        result = _criterion_score(slot, draft, points, gate_passed)
        if answer is not None:
            alike[answer, gate_passed] = result
        return result

    return score


def _not_scored(answer: AnswerValue | None) -> Points:
    if answer is None:
        return Points(_ZERO, _ZERO, "Not answered", "unanswered")
    return Points(_ZERO, _ZERO, "Asked for information; not scored")


ScorerMaker = Callable[[_Round, _Slot, Rule], SlotScorer]  # makes a criterion's scorer


def _answer_rule(ctx: _Round, slot: _Slot, rule: Rule) -> SlotScorer:
    return _from_answer(slot, RULE_SCORERS[rule.rule](slot.criterion, rule, ctx.params))


def _marked_rule(ctx: _Round, slot: _Slot, rule: Rule) -> SlotScorer:
    criterion = slot.criterion
    mark = MARKED_SCORERS[rule.rule](criterion, rule, ctx.framework.scales)

    def score(draft: _Draft, gate_passed: bool | None) -> CriterionScore:
        marks = ctx.marks.get(draft.bid.id, {}).get(criterion.id)
        marked = mark(marks, draft.values[criterion.id] is not None)
        points = _explained(draft, criterion, marked.points)
        return _criterion_score(slot, draft, points, gate_passed, marked)

    return score


SCORERS: dict[str, ScorerMaker] = {
    **dict.fromkeys(RULE_SCORERS, _answer_rule),
    **dict.fromkeys(MARKED_SCORERS, _marked_rule),
}
"""How each rule other than price is scored, by rule name: from the answer, or from marks."""


def _check_gate(ctx: _Round, draft: _Draft, slot: _Slot) -> bool | None:
    """Whether the criterion's gate passes (None without one); a failure is recorded."""
    criterion_id = slot.criterion.id
    if slot.gate is None or criterion_id in draft.hidden:
        return None
    value, problem = draft.values[criterion_id], draft.errors.get(criterion_id)
    reason = gate_failure(slot.gate, slot.criterion, value, problem, ctx.params)
    if reason is not None:
        draft.gate_failures.append(Exclusion("gate", criterion_id, reason))
    return reason is None


def _score_before_price(ctx: _Round, draft: _Draft) -> None:
    """Every criterion except price, and every gate (the price's own gate too)."""
    for criterion_id, slot in ctx.slots.items():
        gate_passed = _check_gate(ctx, draft, slot) if slot.gate is not None else None
        if criterion_id in draft.hidden:
            points = Points(_ZERO, _ZERO, draft.hidden[criterion_id], "not_applicable")
            draft.scores[criterion_id] = _criterion_score(slot, draft, points, None)
        elif slot.score is not None:
            draft.scores[criterion_id] = slot.score(draft, gate_passed)


# --- price ------------------------------------------------------------------------------


def _score_prices(ctx: _Round, drafts: Sequence[_Draft], disregarded: frozenset[str]) -> None:
    """Price last: against the bids with a valid price that passed every gate.

    A tender disregarded after a price check is not in the field: its price does not set the
    lowest price (or best ratio) that the other bids are scored against.
    """
    award = ctx.framework.award.price
    if award is None:
        return
    slot = ctx.slots[award.criterion]
    criterion = slot.criterion
    quality = {d.bid.id: add_up(s.contribution for s in d.scores.values()) for d in drafts}
    field = PriceField(
        PricedBid(d.bid.id, price, quality[d.bid.id])
        for d in drafts
        if not d.gate_failures
        and d.bid.id not in disregarded
        and (price := d.number(criterion.id)) is not None
        and price > 0
    )
    for draft in drafts:
        if criterion.id in draft.hidden:
            continue
        price = draft.number(criterion.id)
        priced = score_price_in(
            award.formula, draft.bid.id, price, quality[draft.bid.id], field, ctx.params
        )
        problem = draft.errors.get(criterion.id)
        reason = f"{priced.reason}: {problem}" if problem else priced.reason
        status: CriterionStatus = "unanswered" if price is None else "scored"
        points = Points(priced.normalised * 100, Fraction(100), reason, status)
        if priced.failure is not None:
            failure = f"{priced.failure}: {problem}" if problem else priced.failure
            draft.gate_failures.append(Exclusion("gate", criterion.id, failure))
        passed = all(e.target != criterion.id for e in draft.gate_failures)
        draft.scores[criterion.id] = _criterion_score(slot, draft, points, passed)


# --- the bid and the round --------------------------------------------------------------


def _prepare(framework: Framework, settings: RoundSettings, marks: Marks) -> _Round:
    """What is the same for every bid, worked out once: parameters, weights, scorers."""
    params = round_parameters(framework, settings)
    pillar_weights = round_pillar_weights(framework, settings)
    weights = criterion_weights(framework, pillar_weights)
    ctx = _Round(framework, params, pillar_weights, marks, Grouping(framework, weights))
    price = framework.award.price
    for criterion in framework.criteria.values():
        section, rule = framework.section_of[criterion.id], criterion.scoring
        rule_name: str = rule.rule if rule else "none"
        if rule_name == PRICE_RULE and price is not None:
            rule_name = f"{PRICE_RULE}:{price.formula.name}"
        slot = _Slot(
            criterion=criterion,
            read=AnswerReader(criterion),
            section_id=section.id,
            pillar_id=section.pillar,
            weight=weights[criterion.id],
            rule_name=rule_name,
            gate=rule.gate if rule else None,
        )
        if rule is None:
            slot.score = _from_answer(slot, _not_scored)
        elif rule.rule != PRICE_RULE:
            slot.score = SCORERS[rule.rule](ctx, slot, rule)
        ctx.slots[criterion.id] = slot
    return ctx


def _finish(ctx: _Round, draft: _Draft, decisions: Mapping[FlagCode, PriceDecision]) -> BidResult:
    framework = ctx.framework
    scores = {c: draft.scores[c] for c in ctx.slots}
    totals = ctx.grouping.totals(scores)
    flags, disregarded = apply_decisions(flags_for(framework, draft.values, ctx.params), decisions)
    exclusions = (
        *draft.gate_failures,
        *judge_thresholds(framework, scores, totals),
        *disregarded,
    )
    awaiting = tuple(c for c, s in scores.items() if s.status == "awaiting_evaluation")
    status: BidStatus = (
        "excluded" if exclusions else ("awaiting_evaluation" if awaiting else "ranked")
    )
    return BidResult(
        bid_id=draft.bid.id,
        name=draft.bid.name,
        status=status,
        total=totals.total,
        pillars=totals.pillars,
        sections=totals.sections,
        criteria=tuple(scores.values()),
        exclusions=tuple(exclusions),
        flags=tuple(flags),
        awaiting=awaiting,
    )


def _disregarded(ctx: _Round, drafts: Sequence[_Draft], decisions: Decisions) -> frozenset[str]:
    """The bids a commissioner disregarded on a flag they raise (flags never need a price score)."""
    return frozenset(
        d.bid.id
        for d in drafts
        if d.bid.id in decisions
        and apply_decisions(flags_for(ctx.framework, d.values, ctx.params), decisions[d.bid.id])[1]
    )


def score_round(
    framework: Framework,
    bids: Sequence[Bid],
    marks: Marks | None = None,
    settings: RoundSettings | None = None,
    decisions: Decisions | None = None,
) -> RoundResult:
    """Score, explain and rank every bid in a round. Raises RoundInputError on bad input.

    `decisions` holds commissioners' price decisions by bid id, then flag code.
    """
    settings = settings or RoundSettings()
    marks = marks or {}
    decisions = decisions or {}
    check_round(framework, bids, marks, decisions)
    ctx = _prepare(framework, settings, marks)
    drafts = [_read_answers(ctx, bid) for bid in sorted(bids, key=lambda b: b.id)]
    for draft in drafts:
        _score_before_price(ctx, draft)
    _score_prices(ctx, drafts, _disregarded(ctx, drafts, decisions))
    results = [_finish(ctx, draft, decisions.get(draft.bid.id, {})) for draft in drafts]
    price_award = framework.award.price
    prices = {d.bid.id: d.number(price_award.criterion) if price_award else None for d in drafts}
    ranking = rank_bids([r for r in results if r.status == "ranked"], framework, prices)
    waiting = [r for r in results if r.status == "awaiting_evaluation"]
    excluded = [r for r in results if r.status == "excluded"]
    return RoundResult(
        framework_id=framework.id,
        framework_version=framework.version,
        framework_hash=content_hash(framework),
        pillar_weights=ctx.pillar_weights,
        price_formula=price_award.formula.name if price_award else None,
        bids=(*ranking.bids, *waiting, *excluded),
        tie_breaks=ranking.tie_breaks,
        notes=(*round_notes(results, ranking.bids), *_answer_notes(ctx, drafts, results)),
    )


def _answer_notes(
    ctx: _Round, drafts: Sequence[_Draft], results: Sequence[BidResult]
) -> tuple[str, ...]:
    """A note for each required answer that is missing, and each answer that could not be
    used, where it cost the bid the criterion's points: the board sees it, not only the
    criterion's reason line."""
    notes: list[str] = []
    for draft, result in zip(drafts, results, strict=True):
        for score in result.criteria:
            slot = ctx.slots[score.criterion_id]
            criterion = slot.criterion
            problem = draft.errors.get(criterion.id)
            if score.status != "unanswered" or not slot.weight:
                continue
            if problem is None and not criterion.required:
                continue
            what = (
                f"could not be used ({problem.rstrip('.')})"
                if problem is not None
                else "is missing"
            )
            notes.append(
                f"Bid {draft.bid.name}: the answer to “{criterion_title(criterion)}” {what}; "
                f"it scored 0 of {_points(slot.weight)} points."
            )
    return tuple(notes)


def _points(weight: Fraction) -> str:
    """A criterion's weight as points of the 100: 20, 2.5, 1.33."""
    return fmt(weight, 2).rstrip("0").rstrip(".")
