"""A bid's pages in the board pack: its key facts, its scores by section, and each
evaluator's mark and justification for its written answers, with the moderation.

Kept to a page or two a bid: answers are shortened, written answers cut to an excerpt, and
only criteria that carry points (or are requirements) are listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from criteria.improvement import points_text
from criteria.inputs import PanelMember
from criteria.model import Framework
from criteria.result import BidResult, CriterionScore, RoundResult
from reports.wording import (
    FLAG_TITLES,
    answer_text,
    excerpt,
    exclusion_reason,
    figure,
    is_marked,
    pillar_title,
    plain,
    rank_text,
    scale_label,
    shorten,
    status_text,
)

__all__ = ["bid_page", "criterion_row"]

KEY_FACTS = 6  # answers in a bid's key facts, the price first
SHORT_ANSWER = 48  # characters of an answer in a compact scores table
FACT_ANSWER = 70  # characters of an answer among a bid's key facts


def criterion_row(score: CriterionScore, framework: Framework) -> dict[str, str]:
    """One criterion's score, for a bid's full list (kept whole for the HTML twins)."""
    reason = plain(score.reason, framework)
    if score.moderated and score.moderated.get("rationale"):
        reason = f"{reason} Moderation: {score.moderated['rationale']}"
    return {
        "id": score.criterion_id,
        "prompt": score.prompt,
        "answer": answer_text(score.answer, framework.criteria.get(score.criterion_id)),
        "points": f"{figure(score.raw)} of {figure(score.max)}",
        "weight": figure(score.weight),
        "contribution": figure(score.contribution),
        "status": score.status.replace("_", " "),
        "reason": reason,
    }


def _shown(score: CriterionScore) -> bool:
    """Criteria a scores table lists: those carrying points, and gates."""
    return score.weight > 0 or score.gate_passed is not None


def _compact_row(score: CriterionScore, framework: Framework) -> dict[str, str]:
    criterion = framework.criteria.get(score.criterion_id)
    if is_marked(score):
        answer = "Written: see marks"
    else:
        answer = shorten(answer_text(score.answer, criterion), SHORT_ANSWER)
    if score.status == "gate_only":
        points = "Pass" if score.gate_passed else "Fail"
    elif score.status == "awaiting_evaluation":
        points = "Awaiting marks"
    else:
        points = f"{points_text(score.raw)} of {points_text(score.max)}"
    return {
        "prompt": score.prompt,
        "answer": answer,
        "points": points,
        "contribution": figure(score.contribution) if score.weight else "–",
        "weight": figure(score.weight),
        "failed": "yes" if score.gate_passed is False else "",
    }


def _score_sections(bid: BidResult, framework: Framework) -> list[dict[str, Any]]:
    """The bid's scored criteria grouped by section, each with the section's subtotal."""
    sections = []
    for group in bid.sections:
        rows = [
            _compact_row(c, framework)
            for c in bid.criteria
            if c.section_id == group.id and _shown(c)
        ]
        if rows:
            sections.append(
                {
                    "title": group.title,
                    "score": figure(group.score),
                    "weight": figure(group.weight),
                    "rows": rows,
                }
            )
    return sections


def _key_facts(bid: BidResult, framework: Framework) -> list[dict[str, str]]:
    """The price, then the answers carrying the most weight that are facts, not essays."""
    price_id = framework.award.price.criterion if framework.award.price else None
    order = {criterion_id: i for i, criterion_id in enumerate(framework.criteria)}
    facts = [
        c
        for c in bid.criteria
        if c.criterion_id != price_id
        and c.weight > 0
        and not is_marked(c)
        and c.status != "not_applicable"
    ]
    facts.sort(key=lambda c: (-c.weight, order.get(c.criterion_id, 0)))
    chosen = [c for c in bid.criteria if c.criterion_id == price_id] + facts
    return [
        {
            "prompt": c.prompt,
            "answer": shorten(
                answer_text(c.answer, framework.criteria.get(c.criterion_id)), FACT_ANSWER
            ),
        }
        for c in chosen[:KEY_FACTS]
    ]


def _marks_block(
    score: CriterionScore, framework: Framework, withheld: Sequence[str]
) -> dict[str, Any]:
    """An evaluator-marked answer: its excerpt, every mark with its justification, moderation."""
    answer = score.answer
    return {
        "prompt": score.prompt,
        "excerpt": excerpt(str(answer)) if answer is not None else "Not answered",
        "marks": [
            {
                "evaluator": m["evaluator"],
                "mark": scale_label(framework, score.criterion_id, int(m["points"])),
                "justification": m.get("justification") or "No justification recorded",
            }
            for m in score.marks
        ],
        "moderated": (
            {
                "mark": scale_label(framework, score.criterion_id, int(score.moderated["points"])),
                "rationale": score.moderated.get("rationale") or "No rationale recorded",
            }
            if score.moderated
            else None
        ),
        "outcome": plain(score.reason, framework),
        # Only worth a line when no mark was agreed: the count is then a mean of the marks.
        "show_outcome": score.moderated is None and len({m["points"] for m in score.marks}) > 1,
        "withheld": list(withheld),
    }


def bid_page(
    bid: BidResult, framework: Framework, result: RoundResult, panel: Sequence[PanelMember]
) -> dict[str, Any]:
    conflicted = [
        (m.evaluator, d.details)
        for m in panel
        for d in m.declarations
        if d.bid == bid.bid_id and d.conflict
    ]
    withheld = [name for name, _ in conflicted]
    return {
        "anchor": f"bid-{bid.bid_id}",
        "bid_id": bid.bid_id,
        "name": bid.name,
        "rank": rank_text(bid),
        "status": status_text(bid),
        "total": figure(bid.total),
        "pillars": [
            {
                "title": pillar_title(framework, p.id),
                "score": figure(p.score),
                "weight": figure(p.weight),
            }
            for p in bid.pillars
        ],
        "exclusions": [exclusion_reason(e, framework) for e in bid.exclusions],
        # A disregarded price is already an exclusion; the price analysis gives the reasons.
        "flags": [
            {
                "flag": FLAG_TITLES.get(f.code, f.code),
                "decision": "Accepted after a price check (the reason is under Price analysis)."
                if f.decision == "accept"
                else "The commissioner's decision is still needed.",
            }
            for f in bid.flags
            if f.decision != "disregard"
        ],
        "facts": _key_facts(bid, framework),
        "sections": _score_sections(bid, framework),
        "marked": [_marks_block(c, framework, withheld) for c in bid.criteria if is_marked(c)],
        "conflicts": [
            f"{name} declared a conflict of interest and did not mark this bid: {details}"
            if details
            else f"{name} declared a conflict of interest and did not mark this bid."
            for name, details in conflicted
        ],
        "criteria": [criterion_row(c, framework) for c in bid.criteria],
    }
