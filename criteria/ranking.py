"""Ranking scored bids: totals first, then the framework's published tie-break, in order.

Ties are broken only by the keys the framework published in advance (`award.tie_break`):
`pillar:<id>` and `section:<id>` (the higher score wins) and `lowest_price` (the lower price
wins). Bids still level after every key share a rank (competition ranking: 1, 1, 3) and each
tied group is recorded with how far the tie-break got, in plain words. Nothing here depends on
the order the bids arrive in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from itertools import groupby

from criteria.model import Framework
from criteria.result import BidResult, TieBreak, fmt

__all__ = ["TIE_BREAK_KEYS", "Ranking", "describe_tie_break_key", "rank_bids", "round_notes"]

KeyValue = tuple[int, Fraction]
"""A tie-break value where larger is better; (0, 0) when the bid has no such value."""

KeyFn = Callable[[str, BidResult, Decimal | None], KeyValue]
"""(the key's argument, a scored bid, its price) -> a value where larger is better."""

_MISSING: KeyValue = (0, Fraction(0))


def _pillar(argument: str, bid: BidResult, price: Decimal | None) -> KeyValue:
    score = next((p.score for p in bid.pillars if p.id == argument), None)
    return _MISSING if score is None else (1, score)


def _section(argument: str, bid: BidResult, price: Decimal | None) -> KeyValue:
    score = next((s.score for s in bid.sections if s.id == argument), None)
    return _MISSING if score is None else (1, score)


def _lowest_price(argument: str, bid: BidResult, price: Decimal | None) -> KeyValue:
    return _MISSING if price is None else (1, -Fraction(price))


TIE_BREAK_KEYS: dict[str, KeyFn] = {
    "pillar": _pillar,
    "section": _section,
    "lowest_price": _lowest_price,
}
"""Tie-break keys by the name before the colon (`pillar:quality` -> "pillar")."""


def _split(key: str) -> tuple[str, str]:
    name, _, argument = key.partition(":")
    return name, argument


def describe_tie_break_key(key: str, framework: Framework) -> str:
    """A tie-break key in words: "the higher Quality pillar score", "the lower price"."""
    name, argument = _split(key)
    if name == "lowest_price":
        return "the lower price"
    titles = {p.id: p.title for p in framework.award.pillars} | {
        s.id: s.title for s in framework.sections
    }
    return f"the higher {titles.get(argument, argument)} {name} score"


@dataclass(frozen=True, slots=True)
class Ranking:
    bids: tuple[BidResult, ...]  # the ranked bids with rank and tied_with set, in rank order
    tie_breaks: tuple[TieBreak, ...]


def _names(bids: Sequence[BidResult]) -> str:
    names = [b.name for b in bids]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _break_tie(
    group: list[BidResult],
    keys: Sequence[str],
    prices: Mapping[str, Decimal | None],
) -> tuple[list[list[BidResult]], list[str]]:
    """Split a group of equal totals by each key in turn; returns the blocks and keys used."""
    blocks = [sorted(group, key=lambda b: b.bid_id)]
    used: list[str] = []
    for key in keys:
        name, argument = _split(key)
        value = TIE_BREAK_KEYS[name]
        refined: list[list[BidResult]] = []
        for block in blocks:
            if len(block) == 1:
                refined.append(block)
                continue
            ordered = sorted(
                block, key=lambda b: (value(argument, b, prices.get(b.bid_id)), b.bid_id)
            )[::-1]
            parts = [
                sorted(part, key=lambda b: b.bid_id)
                for _, part in groupby(
                    ordered, key=lambda b: value(argument, b, prices.get(b.bid_id))
                )
            ]
            if len(parts) > 1 and key not in used:
                used.append(key)
            refined.extend(parts)
        blocks = refined
    return blocks, used


def _note(
    group: list[BidResult],
    blocks: list[list[BidResult]],
    used: list[str],
    first_rank: int,
    framework: Framework,
) -> str:
    names = _names(sorted(group, key=lambda b: b.bid_id))
    level = f"{names} had the same total ({fmt(group[0].total, 2)})"
    keys = framework.award.tie_break
    shared = f"so they share rank {first_rank}."
    if not used:
        if not keys:
            return f"{level}; no tie-break is published, {shared}"
        words = ", then ".join(describe_tie_break_key(k, framework) for k in keys)
        return f"{level}; the published tie-break ({words}) does not separate them, {shared}"
    words = ", then ".join(describe_tie_break_key(k, framework) for k in used)
    order = " ahead of ".join(_names(block) for block in blocks)
    note = f"{level}; the tie-break on {words} puts {order}."
    rank = first_rank
    for block in blocks:
        if len(block) > 1:
            note += f" {_names(block)} are still level and share rank {rank}."
        rank += len(block)
    return note


def rank_bids(
    bids: Sequence[BidResult],
    framework: Framework,
    prices: Mapping[str, Decimal | None],
) -> Ranking:
    """Rank the given (rankable) bids: by total, then the published tie-break, else shared."""
    keys = framework.award.tie_break
    by_total = sorted(bids, key=lambda b: (-b.total, b.bid_id))
    ranked: list[BidResult] = []
    tie_breaks: list[TieBreak] = []
    for total, members in groupby(by_total, key=lambda b: b.total):
        group = list(members)
        blocks, used = _break_tie(group, keys, prices) if len(group) > 1 else ([group], [])
        first_rank = len(ranked) + 1
        for block in blocks:
            rank = len(ranked) + 1
            ids = [b.bid_id for b in block]
            for bid in block:
                tied = tuple(i for i in ids if i != bid.bid_id)
                ranked.append(replace(bid, rank=rank, tied_with=tied))
        if len(group) > 1:
            tie_breaks.append(
                TieBreak(
                    bid_ids=tuple(b.bid_id for block in blocks for b in block),
                    total=total,
                    decided_by=", ".join(used) or None,
                    note=_note(group, blocks, used, first_rank, framework),
                )
            )
    return Ranking(tuple(ranked), tuple(tie_breaks))


def round_notes(results: Sequence[BidResult], ranked: Sequence[BidResult]) -> tuple[str, ...]:
    """Remarks on the whole round: no bids, none rankable, marks awaited, first place shared."""
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
