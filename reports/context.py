"""Report contexts: plain dicts of strings and numbers-as-text built from a scored round.

Templates only lay these out; every figure is formatted here, with `criteria.result.fmt`, so a
number reads the same in the board pack, the assessment summary and their HTML twins. Nothing
here renders, reads files or knows about the web app, so each builder is tested on its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from criteria.agreement import Agreement
from criteria.hashing import content_hash
from criteria.improvement import Advice
from criteria.model import Criterion, Framework
from criteria.result import BidResult, CriterionScore, RoundResult, fmt
from criteria.robustness import Robustness

__all__ = ["RoundMeta", "assessment_summary_context", "board_pack_context"]

PLACES = 2  # decimal places shown to people


@dataclass(frozen=True, slots=True)
class RoundMeta:
    """What a report says about the round that the scored result does not know."""

    council: str
    title: str
    reference: str
    date: dt.date
    status: str  # e.g. "Draft for the board's decision"
    inputs_digest: str | None = None  # `sha256:...` of everything the result was computed from


def _points(value: Fraction) -> str:
    return fmt(value, PLACES)


def _rank(bid: BidResult) -> str:
    if bid.rank is None:
        return "–"
    return f"={bid.rank}" if bid.tied_with else str(bid.rank)


def _answer_text(value: object, criterion: Criterion | None) -> str:
    """An answer as a reader would say it: choices by their labels, not their stored values."""
    labels = {c.value: c.label for c in (criterion.choices or [])} if criterion else {}
    if value is None:
        return "Not answered"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(labels.get(str(v), str(v)) for v in value)
    return labels.get(str(value), str(value))


def _status(bid: BidResult) -> str:
    return bid.status.replace("_", " ").capitalize()


def _meta(meta: RoundMeta) -> dict[str, str]:
    return {
        "council": meta.council,
        "title": meta.title,
        "reference": meta.reference,
        "date": f"{meta.date.day} {meta.date:%B %Y}",
        "status": meta.status,
        "inputs_digest": meta.inputs_digest or "Not recorded",
    }


def _framework(framework: Framework) -> dict[str, str]:
    return {
        "id": framework.id,
        "title": framework.title,
        "version": framework.version,
        "hash": content_hash(framework),
    }


def _criterion_row(score: CriterionScore, framework: Framework) -> dict[str, str]:
    reason = score.reason
    if score.moderated and score.moderated.get("rationale"):
        reason = f"{reason} Moderation: {score.moderated['rationale']}"
    return {
        "id": score.criterion_id,
        "prompt": score.prompt,
        "answer": _answer_text(score.answer, framework.criteria.get(score.criterion_id)),
        "points": f"{_points(score.raw)} of {_points(score.max)}",
        "weight": _points(score.weight),
        "contribution": _points(score.contribution),
        "status": score.status.replace("_", " "),
        "reason": reason,
    }


def _bid_section(bid: BidResult, framework: Framework) -> dict[str, Any]:
    return {
        "anchor": f"bid-{bid.bid_id}",
        "bid_id": bid.bid_id,
        "name": bid.name,
        "rank": _rank(bid),
        "status": _status(bid),
        "total": _points(bid.total),
        "exclusions": [e.reason for e in bid.exclusions],
        "criteria": [_criterion_row(c, framework) for c in bid.criteria],
    }


def _summary(result: RoundResult) -> dict[str, Any]:
    ranked = result.ranked
    winner = result.winner
    margin = None
    runner_up = None
    if winner is not None and len(ranked) > 1:
        runner_up = ranked[1].name
        margin = _points(winner.total - ranked[1].total)
    flags = [f"{b.name}: {f.reason}" for b in result.bids for f in b.flags]
    return {
        "recommended": winner.name if winner else None,
        "recommended_total": _points(winner.total) if winner else None,
        "runner_up": runner_up,
        "margin": margin,
        "ranked": len(ranked),
        "excluded": sum(1 for b in result.bids if b.status == "excluded"),
        "flags": flags,
        "notes": list(result.notes) + [t.note for t in result.tie_breaks],
    }


def _robustness(result: RoundResult, analysis: Robustness) -> dict[str, Any]:
    names = {b.bid_id: b.name for b in result.bids}
    first = sorted(analysis.first_place.items(), key=lambda kv: (-kv[1], names.get(kv[0], "")))
    change = analysis.smallest_change
    if change is not None and change.weights is not None and change.change is not None:
        weights = ", ".join(f"{p} {w:.2f}" for p, w in change.weights.items())
        change_text = (
            f"A change of {change.change:.2f} percentage points in all would bring "
            f"{names.get(change.bid_id, change.bid_id)} level with first place "
            f"(pillar weights {weights})."
        )
    else:
        change_text = "No change of pillar weights within the allowed ranges changes the winner."
    return {
        "samples": f"{analysis.samples:,}",
        "seed": analysis.seed,
        "first_place": [
            {"name": names.get(b, b), "percent": f"{p:.1%}"} for b, p in first if p > 0
        ],
        "winning_change": change_text,
        "reversals": [
            f"Without {names.get(r.dropped, r.dropped)}, {names.get(r.behind, r.behind)} "
            f"moves above {names.get(r.ahead, r.ahead)}."
            for r in analysis.reversals
        ],
        "notes": list(analysis.notes),
    }


def _agreement(framework: Framework, found: Agreement) -> dict[str, Any]:
    return {
        "overall_alpha": "–" if found.overall_alpha is None else f"{found.overall_alpha:.2f}",
        "threshold": found.threshold,
        "criteria": [
            {
                "prompt": framework.criteria[c.criterion_id].prompt
                if c.criterion_id in framework.criteria
                else c.prompt,
                "alpha": "–" if c.alpha is None else f"{c.alpha:.2f}",
                "spread": "–" if c.max_spread is None else str(c.max_spread),
                "marks": str(c.n_marks),
            }
            for c in found.criteria
        ],
    }


def _methodology(framework: Framework, result: RoundResult) -> dict[str, Any]:
    price = framework.award.price
    return {
        "pillars": [
            {
                "title": p.title,
                "weight": _points(result.pillar_weights.get(p.id, Fraction(0))),
                "range": f"{p.min_weight} to {p.max_weight}",
            }
            for p in framework.award.pillars
        ],
        "sections": [
            {"title": s.title, "pillar": framework.pillars[s.pillar].title, "weight": str(s.weight)}
            for s in framework.sections
        ],
        "price_formula": price.formula.name.replace("_", " ") if price else "No price criterion",
        "tie_break": [
            key.replace("_", " ").replace(":", ": ") for key in framework.award.tie_break
        ],
        "scales": [
            {
                "title": scale.title,
                "points": [
                    {"points": str(p.points), "label": p.label, "descriptor": p.descriptor}
                    for p in scale.points
                ],
            }
            for scale in framework.scales.values()
        ],
    }


def board_pack_context(
    framework: Framework,
    round_meta: RoundMeta,
    result: RoundResult,
    robustness: Robustness,
    agreement: Agreement | None,
) -> dict[str, Any]:
    """Everything the board pack shows, in reading order, as plain values."""
    pillar_ids = list(result.pillar_weights)
    pillar_titles = [
        framework.pillars[p].title if p in framework.pillars else p for p in pillar_ids
    ]
    ranking = [
        {
            "rank": _rank(b),
            "name": b.name,
            "status": _status(b),
            "total": _points(b.total),
            "pillars": [_points(b.pillar_score(p)) for p in pillar_ids],
        }
        for b in result.bids
    ]
    sections = [
        ("summary", "Executive summary"),
        ("ranking", "Ranking"),
        ("compliance", "Compliance"),
        ("price", "Price checks"),
        ("robustness", "Robustness"),
        *([("agreement", "Evaluator agreement")] if agreement is not None else []),
        *((f"bid-{b.bid_id}", b.name) for b in result.bids),
        ("methodology", "Methodology"),
        ("inputs", "Inputs"),
    ]
    return {
        "meta": _meta(round_meta),
        "framework": _framework(framework),
        "contents": [{"anchor": a, "title": t} for a, t in sections],
        "summary": _summary(result),
        "pillar_titles": pillar_titles,
        "pillar_weights": [_points(result.pillar_weights[p]) for p in pillar_ids],
        "ranking": ranking,
        "exclusions": [
            {"name": b.name, "kind": e.kind, "reason": e.reason}
            for b in result.bids
            for e in b.exclusions
        ],
        "price_flags": [
            {
                "name": b.name,
                "flag": f.code.replace("_", " "),
                "reason": f.reason,
                "decision": (
                    f"{f.decision.capitalize()}: {f.decision_reason}"
                    if f.decision
                    else "Decision needed"
                ),
            }
            for b in result.bids
            for f in b.flags
        ],
        "robustness": _robustness(result, robustness),
        "agreement": _agreement(framework, agreement) if agreement is not None else None,
        "bids": [_bid_section(b, framework) for b in result.bids],
        "methodology": _methodology(framework, result),
    }


def assessment_summary_context(
    framework: Framework,
    round_meta: RoundMeta,
    result: RoundResult,
    bid_id: str,
    advice: list[Advice],
) -> dict[str, Any]:
    """What one bidder is told (Procurement Regulations 2024 reg 31), plus advice for next time.

    Raises KeyError naming `bid_id` when the round has no such bid.
    """
    recipient = next((b for b in result.bids if b.bid_id == bid_id), None)
    if recipient is None:
        raise KeyError(f"the round has no bid {bid_id!r}")
    winner = result.winner
    reference = winner or recipient
    criteria = [
        {
            "prompt": c.prompt,
            "section": framework.section_of[c.criterion_id].title
            if c.criterion_id in framework.section_of
            else "",
            "weight": _points(c.weight),
            "range": f"0 to {_points(c.max)}",
        }
        for c in reference.criteria
    ]
    return {
        "meta": _meta(round_meta),
        "framework": _framework(framework),
        "winner": (
            {"name": winner.name, "total": _points(winner.total)} if winner is not None else None
        ),
        "criteria": criteria,
        "winner_scores": [_criterion_row(c, framework) for c in winner.criteria] if winner else [],
        "recipient": {
            **_bid_section(recipient, framework),
            "is_winner": winner is not None and winner.bid_id == recipient.bid_id,
        },
        "advice": [
            {"message": a.message, "advice": a.advice, "prompt": a.prompt or ""} for a in advice
        ],
    }
