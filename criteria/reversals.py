"""Rank reversal under relative price formulas: does withdrawing one bid reorder the others?

A relative price formula scores each price against the field's best, so dropping a bid can move
the reference price and, with it, the order of two other bids. `rank_reversals` drops each bid
that could matter, re-scores the round and lists every pair whose order flips.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from criteria.answers import AnswerError, parse_answer
from criteria.engine import Decisions, score_round
from criteria.inputs import Bid, CriterionMarks, RoundSettings
from criteria.model import RELATIVE_PRICE_FORMULAS, Framework
from criteria.price import PricedBid
from criteria.result import RoundResult

__all__ = ["REFERENCE_HOLDERS", "RankReversal", "rank_reversals"]

Marks = Mapping[str, Mapping[str, CriterionMarks]]


@dataclass(frozen=True, slots=True)
class RankReversal:
    """Withdrawing `dropped` swaps two other ranked bids: `ahead` was above `behind`, now below."""

    dropped: str
    ahead: str
    behind: str
    totals_before: tuple[Fraction, Fraction]  # (ahead, behind) in the full round
    totals_after: tuple[Fraction, Fraction]  # (ahead, behind) without `dropped`


def _ranks(result: RoundResult) -> dict[str, tuple[int, Fraction]]:
    return {b.bid_id: (b.rank or 0, b.total) for b in result.ranked}


def _reversals_without(
    dropped: str, before: dict[str, tuple[int, Fraction]], after: dict[str, tuple[int, Fraction]]
) -> list[RankReversal]:
    common = sorted((bid for bid in before if bid in after), key=lambda bid: (before[bid], bid))
    return [
        RankReversal(
            dropped=dropped,
            ahead=ahead,
            behind=behind,
            totals_before=(before[ahead][1], before[behind][1]),
            totals_after=(after[ahead][1], after[behind][1]),
        )
        for position, ahead in enumerate(common)
        for behind in common[position + 1 :]
        if before[ahead][0] < before[behind][0] and after[ahead][0] > after[behind][0]
    ]


def _lowest_price(field: Sequence[PricedBid]) -> list[str]:
    lowest = min(b.price for b in field)
    return [b.bid_id for b in field if b.price == lowest]


def _best_ratio(field: Sequence[PricedBid]) -> list[str]:
    best = max(b.quality / Fraction(b.price) for b in field)
    return [b.bid_id for b in field if b.quality / Fraction(b.price) == best]


REFERENCE_HOLDERS: dict[str, Callable[[Sequence[PricedBid]], list[str]]] = {
    "lowest_over_bid": _lowest_price,
    "linear_deduction": _lowest_price,
    "price_per_quality_point": _best_ratio,
}
"""For each relative formula, the bids in the field that set every other bid's price score."""


def _withdrawals_that_matter(
    framework: Framework, result: RoundResult, bids: Sequence[Bid]
) -> list[str]:
    """The bids whose withdrawal could change another bid's score; the rest need no re-score.

    Only the price field couples bids: the bids with a usable price, no failed gate and not
    disregarded after a price check (`criteria.price`). Withdrawing a bid outside it changes
    nothing. Within it, a formula in `REFERENCE_HOLDERS` depends on the field only through its best
    value (the lowest price, the best ratio), which moves only when its sole holder leaves; any
    other relative formula is checked for every bid in the field.
    """
    award = framework.award.price
    assert award is not None
    criterion = framework.criteria[award.criterion]
    answers = {bid.id: bid.answers.get(criterion.id) for bid in bids}
    field = []
    for scored in result.bids:
        price_score = scored.criterion(criterion.id)
        if price_score.status == "not_applicable" or any(
            e.kind in ("gate", "disregarded") for e in scored.exclusions
        ):
            continue
        try:
            price = parse_answer(criterion, answers[scored.bid_id])
        except AnswerError:
            continue
        if isinstance(price, int | Decimal) and not isinstance(price, bool) and price > 0:
            quality = scored.total - price_score.contribution
            field.append(PricedBid(scored.bid_id, Decimal(price), quality))
    holders = REFERENCE_HOLDERS.get(award.formula.name)
    if holders is None or not field:
        return sorted(b.bid_id for b in field)
    setting = holders(field)
    return setting if len(setting) == 1 else []


def rank_reversals(
    framework: Framework,
    bids: Sequence[Bid],
    marks: Marks | None = None,
    settings: RoundSettings | None = None,
    *,
    decisions: Decisions | None = None,
    scored: RoundResult | None = None,
    screen: bool = True,
) -> list[RankReversal]:
    """Every pair of ranked bids whose order flips when one other bid is withdrawn.

    Only relative price formulas (`model.RELATIVE_PRICE_FORMULAS`) can cause this; for an
    absolute formula, or a framework without price, the answer is [] without any scoring.
    Otherwise each bid is dropped in turn (with its marks) and the round re-scored; with
    `screen` (the default), only bids whose withdrawal can change another bid's price score
    are re-scored (see `_withdrawals_that_matter`), which gives the same answer in one or no
    re-scoring instead of one per bid. `scored` may pass the full round's result to save
    scoring it again. Reversals are listed by dropped bid id, then in the full round's order.
    """
    price = framework.award.price
    if price is None or price.formula.name not in RELATIVE_PRICE_FORMULAS:
        return []
    marks = marks or {}
    decisions = decisions or {}
    full = scored or score_round(framework, bids, marks, settings, decisions)
    before = _ranks(full)
    droppable = (
        set(_withdrawals_that_matter(framework, full, bids)) if screen else {b.id for b in bids}
    )
    found: list[RankReversal] = []
    for dropped in sorted(droppable):
        remaining = [bid for bid in bids if bid.id != dropped]
        kept = {bid_id: given for bid_id, given in marks.items() if bid_id != dropped}
        decided = {bid_id: given for bid_id, given in decisions.items() if bid_id != dropped}
        after = _ranks(score_round(framework, remaining, kept, settings, decided))
        found.extend(_reversals_without(dropped, before, after))
    return found
