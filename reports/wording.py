"""Words and numbers for the reports: figures to two places, answers as people say them,
engine reasons without parameter names (`criteria.wording.plain`, the one wording function
the web app and the command use too), excerpts of written answers, lists in plain English.

Every report context formats through here, so a figure or an answer reads the same in the
board pack, the assessment summaries and their HTML twins.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from fractions import Fraction

from criteria.answers import AnswerError, describe_answer, parse_answer
from criteria.hashing import content_hash
from criteria.model import Criterion, Framework
from criteria.result import BidResult, CriterionScore, Exclusion, RoundResult, fmt
from criteria.wording import criterion_title, plain

__all__ = [
    "EXCLUSION_WORDS",
    "FLAG_TITLES",
    "MINUS",
    "answer_text",
    "bid_names",
    "counted",
    "criterion_title",
    "decision_text",
    "excerpt",
    "exclusion_reason",
    "figure",
    "framework_facts",
    "is_marked",
    "listing",
    "long_date",
    "pillar_title",
    "plain",
    "rank_text",
    "scale_label",
    "shorten",
    "signed_figure",
    "status_text",
]

PLACES = 2  # decimal places shown to people
EXCERPT_WORDS = 20  # a written answer's excerpt in the board pack
MINUS = "\u2212"


def figure(value: Fraction) -> str:
    """A figure as people read it: rounded to two decimal places."""
    return fmt(value, PLACES)


def signed_figure(value: Fraction) -> str:
    """A difference with its sign: +1.27, \u22125.70, or 0.00."""
    text = figure(abs(value))
    if text == figure(Fraction(0)):
        return text
    return f"+{text}" if value > 0 else f"{MINUS}{text}"


def long_date(date: dt.date) -> str:
    """`1 May 2026`, as GOV.UK writes dates."""
    return f"{date.day} {date:%B %Y}"


def framework_facts(framework: Framework) -> dict[str, str]:
    """What identifies the framework a report was scored with: id, title, version and hash."""
    return {
        "id": framework.id,
        "title": framework.title,
        "version": framework.version,
        "hash": content_hash(framework),
    }


def answer_text(value: object, criterion: Criterion | None) -> str:
    """An answer as a reader would say it: £13.60, 86%, choices by their labels."""
    if value is None:
        return "Not answered"
    if criterion is None:
        return str(value)
    if criterion.type == "narrative":
        return str(value)
    if criterion.type == "multiple_choice" and isinstance(value, list):
        labels = {c.value: c.label for c in criterion.choices or []}
        return "; ".join(labels.get(str(v), str(v)) for v in value) or "None of the options"
    try:
        return describe_answer(criterion, parse_answer(criterion, value))
    except (AnswerError, ValueError, TypeError):
        return str(value)


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def excerpt(text: str, words: int = EXCERPT_WORDS) -> str:
    """The first sentence or two of a written answer, about `words` words at most, saying so
    when the answer goes on."""
    sentences = _SENTENCE_END.split(" ".join(text.split()))
    kept: list[str] = []
    for sentence in sentences:
        if kept and len(" ".join([*kept, sentence]).split()) > words:
            break
        kept.append(sentence)
    short = " ".join(kept)
    if len(short.split()) > words * 1.25:
        short = " ".join(short.split()[:words]).rstrip(",;:") + "…"
    return short if short == " ".join(sentences) else f"{short} (full answer in the bid)"


def rank_text(bid: BidResult) -> str:
    if bid.rank is None:
        return "–"
    return f"={bid.rank}" if bid.tied_with else str(bid.rank)


def status_text(bid: BidResult) -> str:
    return bid.status.replace("_", " ").capitalize()


def pillar_title(framework: Framework, pillar_id: str) -> str:
    pillar = framework.pillars.get(pillar_id)
    return pillar.title if pillar else pillar_id


def is_marked(score: CriterionScore) -> bool:
    return score.rule == "evaluator_scale"


def scale_label(framework: Framework, criterion_id: str, points: int) -> str:
    """A mark as the published scale names it: "4 (Very good)"."""
    criterion = framework.criteria.get(criterion_id)
    scale = framework.scales.get(getattr(criterion.scoring, "scale", "")) if criterion else None
    point = scale.point(points) if scale else None
    return f"{points} ({point.label})" if point else str(points)


def bid_names(result: RoundResult) -> dict[str, str]:
    return {b.bid_id: b.name for b in result.bids}


def counted(number: int, thing: str, things: str | None = None) -> str:
    """A count with its noun: "1 bid", "3 bids"."""
    return f"{number} {thing if number == 1 else things or thing + 's'}"


def listing(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


EXCLUSION_WORDS = {
    "gate": "failed a requirement",
    "threshold": "below a published minimum",
    "disregarded": "price disregarded",
}


FLAG_TITLES = {
    "abnormally_low": "Abnormally low price",
    "wage_floor_not_funded": "Price does not fund the promised pay",
}


def exclusion_reason(exclusion: Exclusion, framework: Framework | None = None) -> str:
    """Why a bid cannot win; a disregarded price points to the decision in the price analysis
    rather than repeating it."""
    reason = plain(exclusion.reason, framework)
    if exclusion.kind == "disregarded":
        return (
            "Tender disregarded after a price check: the decision and its reasons are under "
            "Price analysis."
        )
    return reason


def decision_text(decision: str | None, reason: str | None) -> str:
    if decision is None:
        return "Decision needed: the commissioner has not yet decided."
    verb = {"accept": "Accepted", "disregard": "Disregarded"}.get(decision, decision.capitalize())
    return f"{verb}: {reason}" if reason else verb
