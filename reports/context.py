"""Report contexts: plain dicts of strings and numbers-as-text built from a scored round.

Templates only lay these out; every figure is formatted by `reports.wording`, so a number
reads the same in the board pack, the assessment summary and their HTML twins. Nothing here
renders, reads files or knows about the web app, so each builder is tested on its own. The
board pack's sections come from `reports.board_pack` and `reports.bid_pages`; its charts
arrive as SVG text from `reports.charts`, which escapes every name it draws.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from criteria.agreement import Agreement
from criteria.improvement import Advice, points_text
from criteria.inputs import PanelMember, RoundSettings
from criteria.model import Framework
from criteria.result import BidResult, CriterionScore, RoundResult
from criteria.weights import round_parameters
from reports.bid_pages import bid_page, criterion_row
from reports.board_pack import board_pack_sections
from reports.wording import (
    EXCLUSION_WORDS,
    counted,
    figure,
    framework_facts,
    is_marked,
    listing,
    long_date,
    pillar_title,
    plain,
    signed_figure,
)

if TYPE_CHECKING:
    from criteria.robustness import Robustness

__all__ = ["RoundMeta", "assessment_summary_context", "board_pack_context"]

ADVICE_ITEMS = 5  # criteria with points to gain in an assessment summary, most points first


@dataclass(frozen=True, slots=True)
class RoundMeta:
    """What a report says about the round that the scored result does not know."""

    council: str
    title: str
    reference: str
    date: dt.date
    status: str  # e.g. "Draft for the board's decision"
    inputs_digest: str | None = None  # `sha256:...` of everything the result was computed from


def _meta(meta: RoundMeta) -> dict[str, str]:
    return {
        "council": meta.council,
        "title": meta.title,
        "reference": meta.reference,
        "date": long_date(meta.date),
        "status": meta.status,
        "inputs_digest": meta.inputs_digest or "Not recorded",
    }


def board_pack_context(
    framework: Framework,
    round_meta: RoundMeta,
    result: RoundResult,
    robustness: Robustness,
    agreement: Agreement | None,
    *,
    panel: Sequence[PanelMember] = (),
    settings: RoundSettings | None = None,
) -> dict[str, Any]:
    """Everything the board pack shows, in reading order, as plain values.

    `panel` holds the evaluators' conflict declarations (empty: not recorded, and the pack
    says so); `settings` the round's parameter overrides, so prices are set against the
    round's own rates.
    """
    params = round_parameters(framework, settings or RoundSettings())
    return {
        "meta": _meta(round_meta),
        "framework": framework_facts(framework),
        **board_pack_sections(framework, result, robustness, agreement, panel, params),
    }


# --- assessment summary -------------------------------------------------------------------


def _provider_reason(score: CriterionScore, framework: Framework) -> str:
    """Why a criterion scored what it did, tied to the tender, never naming an evaluator."""
    reason = plain(score.reason, framework)
    if not is_marked(score):
        return reason
    if score.moderated and score.moderated.get("rationale"):
        return f"{reason}. {score.moderated['rationale']}"
    comments = [str(m.get("justification") or "").strip() for m in score.marks]
    comments = [c if c.endswith((".", "!", "?")) else f"{c}." for c in comments if c]
    if not comments:
        return reason
    return f"{reason}. The evaluators noted: {' '.join(comments)}"


def _range(score: CriterionScore) -> str:
    return f"0 to {points_text(score.max)}"


def _summary_rows(
    recipient: BidResult, winner: BidResult | None, framework: Framework
) -> list[dict[str, Any]]:
    """One row per criterion carrying points: the recipient's score and reason beside the
    winner's."""
    rows = []
    for score in recipient.criteria:
        if score.weight <= 0:
            continue
        theirs = winner.criterion(score.criterion_id) if winner else None
        section = framework.section_of.get(score.criterion_id)
        rows.append(
            {
                "section": section.title if section else "",
                "prompt": score.prompt,
                "weight": figure(score.weight),
                "range": _range(score),
                "yours": f"{points_text(score.raw)} of {points_text(score.max)}",
                "yours_points": figure(score.contribution),
                "your_reason": _provider_reason(score, framework),
                "winners": (
                    f"{points_text(theirs.raw)} of {points_text(theirs.max)}" if theirs else ""
                ),
                "winners_points": figure(theirs.contribution) if theirs else "",
                "winner_reason": _provider_reason(theirs, framework) if theirs else "",
            }
        )
    return rows


def _section_totals(recipient: BidResult, winner: BidResult | None) -> dict[str, dict[str, str]]:
    theirs = {s.id: s for s in winner.sections} if winner else {}
    return {
        s.title: {
            "weight": figure(s.weight),
            "yours": figure(s.score),
            "winners": figure(theirs[s.id].score) if s.id in theirs else "",
        }
        for s in recipient.sections
    }


def _pillar_gaps(
    recipient: BidResult, winner: BidResult | None, framework: Framework
) -> list[dict[str, str]]:
    rows = []
    for pillar in recipient.pillars:
        theirs = winner.pillar_score(pillar.id) if winner else None
        rows.append(
            {
                "title": pillar_title(framework, pillar.id),
                "weight": figure(pillar.weight),
                "yours": figure(pillar.score),
                "winners": figure(theirs) if theirs is not None else "",
                "difference": signed_figure(pillar.score - theirs) if theirs is not None else "",
            }
        )
    return rows


def _why_not(recipient: BidResult, winner: BidResult | None, framework: Framework) -> list[str]:
    """Why the recipient did not win, in plain words: exclusions first, then the points gap."""
    if winner is None or winner.bid_id == recipient.bid_id:
        return []
    lines = []
    if recipient.exclusions:
        lines.append(
            "Your tender could not be awarded the contract, whatever its score, because it did "
            "not meet a published requirement or minimum (listed below)."
        )
    gap = winner.total - recipient.total
    if gap > 0:
        behind = sorted(
            (
                (winner.pillar_score(p.id) - p.score, pillar_title(framework, p.id))
                for p in recipient.pillars
            ),
            reverse=True,
        )
        largest = [f"{title} ({figure(points)} points)" for points, title in behind if points > 0]
        ahead = [f"{title} ({figure(-points)} points)" for points, title in behind if points < 0]
        line = (
            f"Your tender scored {figure(gap)} points fewer than {winner.name} out of 100. "
            f"You scored fewer points on {listing(largest[:3])}."
        )
        if ahead:
            line += f" You scored more on {listing(ahead)}, but not enough to close the gap."
        lines.append(line)
    return lines


def _requirements(recipient: BidResult, framework: Framework) -> list[dict[str, str]]:
    return [
        {
            "kind": EXCLUSION_WORDS.get(e.kind, e.kind).capitalize(),
            "reason": plain(e.reason, framework),
        }
        for e in recipient.exclusions
    ]


def assessment_summary_context(
    framework: Framework,
    round_meta: RoundMeta,
    result: RoundResult,
    bid_id: str,
    advice: list[Advice],
) -> dict[str, Any]:
    """What one bidder is told (Procurement Regulations 2024 reg 31), plus advice for next time.

    The recipient's score and reason for each criterion stand beside the winning tender's,
    with no evaluator named. Raises KeyError naming `bid_id` when the round has no such bid.
    """
    recipient = next((b for b in result.bids if b.bid_id == bid_id), None)
    if recipient is None:
        raise KeyError(f"the round has no bid {bid_id!r}")
    winner = result.winner
    is_winner = winner is not None and winner.bid_id == recipient.bid_id
    compared = winner if winner is not None and not is_winner else None
    exclusions = [a for a in advice if a.kind == "exclusion"]
    excluded_by = {a.criterion_id for a in exclusions if a.criterion_id}
    # A criterion that excluded the bid is advised on once, as the exclusion.
    advice = exclusions + [
        a for a in advice if a.kind != "exclusion" and a.criterion_id not in excluded_by
    ]
    shown = exclusions + advice[len(exclusions) :][:ADVICE_ITEMS]
    return {
        "meta": _meta(round_meta),
        "framework": framework_facts(framework),
        "winner": (
            {"name": winner.name, "total": figure(winner.total)} if winner is not None else None
        ),
        "compare": compared is not None,
        "bids_count": len(result.bids),
        "ranked_count": len(result.ranked),
        "criteria": _summary_rows(recipient, compared, framework),
        "section_totals": _section_totals(recipient, compared),
        "pillars": _pillar_gaps(recipient, compared, framework),
        "why_not": _why_not(recipient, compared, framework),
        "requirements": _requirements(recipient, framework),
        "winner_scores": [criterion_row(c, framework) for c in winner.criteria] if winner else [],
        "recipient": {
            **{
                key: value
                for key, value in bid_page(recipient, framework, result, ()).items()
                if key in ("bid_id", "name", "rank", "status", "total", "exclusions", "criteria")
            },
            "is_winner": is_winner,
        },
        "advice": [
            {
                "message": plain(a.message, framework),
                "advice": a.advice,
                "prompt": a.prompt or "",
                "points": points_text(a.points_available) if a.points_available else "",
                "excluded": a.kind == "exclusion",
            }
            for a in shown
        ],
        "advice_more": (
            f"{counted(len(advice) - len(shown), 'other criterion', 'other criteria')} also "
            "had points to gain; the table above shows each one's score and reason."
            if len(shown) < len(advice)
            else ""
        ),
    }
