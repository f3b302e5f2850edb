"""The board pack's sections for the whole round: the executive summary, compliance, the
price analysis, robustness, the evaluators and their conflict declarations, agreement and the
methodology. `reports.context.board_pack_context` puts them together with each bid's pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from criteria.agreement import Agreement
from criteria.answers import money
from criteria.conditions import describe_condition
from criteria.inputs import PanelMember
from criteria.model import PARAM_REF, Framework, resolve_number
from criteria.result import Exclusion, RoundResult
from reports import charts
from reports.bid_pages import bid_page
from reports.methodology import formulas, thresholds_text
from reports.wording import (
    EXCLUSION_WORDS,
    FLAG_TITLES,
    MINUS,
    bid_names,
    counted,
    decision_text,
    exclusion_reason,
    figure,
    listing,
    pillar_title,
    plain,
    rank_text,
    signed_figure,
    status_text,
)

if TYPE_CHECKING:
    from criteria.robustness import Robustness

__all__ = ["board_pack_sections"]


def _why(result: RoundResult, framework: Framework) -> str | None:
    """One line: where the recommended bid gains and loses against the next bid."""
    ranked = result.ranked
    winner = result.winner
    if winner is None or len(ranked) < 2:
        return None
    second = ranked[1]
    ahead: list[tuple[Fraction, str]] = []
    behind: list[tuple[Fraction, str]] = []
    for pillar_id in result.pillar_weights:
        gap = winner.pillar_score(pillar_id) - second.pillar_score(pillar_id)
        words = f"{pillar_title(framework, pillar_id)} ({signed_figure(gap)})"
        if figure(abs(gap)) == figure(Fraction(0)):
            continue
        (ahead if gap > 0 else behind).append((abs(gap), words))
    ahead.sort(key=lambda item: -item[0])
    behind.sort(key=lambda item: -item[0])
    line = f"Against {second.name}, {winner.name} scores more on {listing([w for _, w in ahead])}"
    if behind:
        line += f" and less on {listing([w for _, w in behind])}"
    return line + "."


def _key_points(
    result: RoundResult,
    robustness: Robustness,
    agreement: Agreement | None,
    panel: Sequence[PanelMember],
) -> list[str]:
    names = bid_names(result)
    points: list[str] = []
    excluded = [b for b in result.bids if b.status == "excluded"]
    if excluded:
        listed = listing([f"{b.name} ({_exclusion_kinds(b.exclusions)})" for b in excluded])
        points.append(f"{len(excluded)} of {len(result.bids)} bids cannot win: {listed}.")
    awaiting = [b.name for b in result.bids if b.status == "awaiting_evaluation"]
    if awaiting:
        points.append(
            f"Still awaiting evaluators' marks, so the ranking is not final: {listing(awaiting)}."
        )
    flagged = [(b, f) for b in result.bids for f in b.flags]
    undecided = sorted({b.name for b, f in flagged if f.decision is None})
    if flagged:
        decided = len(flagged) - sum(1 for _, f in flagged if f.decision is None)
        text = (
            f"{counted(len(flagged), 'price flag')} on "
            f"{counted(len({b.bid_id for b, _ in flagged}), 'bid')}; "
            f"{decided} decided by the commissioner."
        )
        if undecided:
            text += f" Decision still needed for {listing(undecided)}."
        points.append(text)
    winner = robustness.winner
    if winner is not None and winner in robustness.first_place:
        share = robustness.first_place[winner]
        points.append(
            f"{names.get(winner, winner)} comes first in {share:.1%} of "
            f"{robustness.samples:,} weightings within the published ranges."
        )
    change = robustness.smallest_change
    if change is not None and change.change is not None:
        points.append(
            f"Moving the pillar weights by {change.change:.2f} percentage points in all would "
            f"bring {names.get(change.bid_id, change.bid_id)} level with first place."
        )
    if panel:
        conflicts = sum(1 for m in panel for d in m.declarations if d.conflict)
        points.append(
            "No evaluator declared a conflict of interest."
            if not conflicts
            else f"{counted(conflicts, 'conflict')} of interest declared; the evaluators "
            "concerned did not mark those bids (see Evaluators and conflicts of interest)."
        )
    else:
        points.append("Evaluators' conflict declarations are not recorded with this result.")
    if agreement is not None and agreement.overall_alpha is not None:
        points.append(
            "Evaluators' independent marks agreed "
            f"{'closely' if agreement.overall_alpha >= 0.8 else 'only partly'} before moderation "
            f"(Krippendorff's alpha {agreement.overall_alpha:.2f})."
        )
    return points


def _exclusion_kinds(exclusions: Iterable[Exclusion]) -> str:
    kinds = list(dict.fromkeys(EXCLUSION_WORDS.get(e.kind, e.kind) for e in exclusions))
    return listing(kinds)


def _summary(
    result: RoundResult,
    framework: Framework,
    robustness: Robustness,
    agreement: Agreement | None,
    panel: Sequence[PanelMember],
) -> dict[str, Any]:
    ranked = result.ranked
    winner = result.winner
    runner_up = ranked[1] if winner is not None and len(ranked) > 1 else None
    return {
        "recommended": winner.name if winner else None,
        "recommended_total": figure(winner.total) if winner else None,
        "runner_up": runner_up.name if runner_up else None,
        "margin": figure(winner.total - runner_up.total) if winner and runner_up else None,
        "why": _why(result, framework),
        "ranked": len(ranked),
        "excluded": sum(1 for b in result.bids if b.status == "excluded"),
        "counts": f"{counted(len(ranked), 'bid')} ranked, "
        f"{sum(1 for b in result.bids if b.status == 'excluded')} excluded, "
        f"of {counted(len(result.bids), 'bid')} received.",
        "key_points": _key_points(result, robustness, agreement, panel),
        "notes": list(result.notes) + [t.note for t in result.tie_breaks],
    }


def _compliance(
    framework: Framework, result: RoundResult, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each published requirement (gates, minimum scores) and the bids that fail it."""
    rows = []
    for criterion in framework.criteria.values():
        gate = criterion.scoring.gate if criterion.scoring else None
        if gate is None:
            continue
        failing = [
            b.name
            for b in result.bids
            if any(e.kind == "gate" and e.target == criterion.id for e in b.exclusions)
        ]
        rows.append(
            {
                "requirement": f"{criterion.prompt} The answer "
                f"{plain(describe_condition(gate, params, criterion), framework)}.",
                "kind": "Requirement",
                "failing": failing,
            }
        )
    for threshold, words in thresholds_text(framework):
        target = f"{threshold.scope}:{threshold.id}" if threshold.id else threshold.scope
        failing = [
            b.name
            for b in result.bids
            if any(e.kind == "threshold" and e.target == target for e in b.exclusions)
        ]
        rows.append({"requirement": words, "kind": "Minimum score", "failing": failing})
    return rows


def _price_analysis(
    framework: Framework, result: RoundResult, params: dict[str, Any]
) -> dict[str, Any] | None:
    """Each bid's price against the minimum sustainable rate, its points, flags and decisions."""
    award = framework.award
    if award.price is None:
        return None
    price_id = award.price.criterion
    minimum = _minimum_rate(framework, params)
    wage = award.wage_floor
    factor = resolve_number(wage.factor, params) if wage else None
    rows, points = [], []
    for bid in result.bids:
        score = bid.criterion(price_id)
        price = _decimal(score.answer)
        needed = None
        if wage is not None and factor is not None:
            pay = _decimal(bid.criterion(wage.pay_criterion).answer)
            needed = (pay * factor).quantize(Decimal("0.01")) if pay is not None else None
        row: dict[str, Any] = {
            "name": bid.name,
            "price": money(price) if price is not None else "No price",
            "difference": "–",
            "percent": "–",
            "below": False,
            "needed": money(needed) if needed is not None else "–",
            "funds_pay": "–"
            if needed is None or price is None
            else "Yes"
            if price >= needed
            else "No",
            "points": f"{figure(score.contribution)} of {figure(score.weight)}",
            "reason": plain(score.reason, framework),
        }
        if price is not None and minimum is not None:
            gap = price - minimum["value"]
            row["difference"] = f"{'+' if gap >= 0 else MINUS}{money(abs(gap))}" if gap else "£0.00"
            share = Fraction(gap) / Fraction(minimum["value"]) * 100
            row["percent"] = f"{signed_figure(share)}%"
            row["below"] = gap < 0
        rows.append(row)
        if price is not None:
            points.append(charts.RatePoint(bid.name, price))
    chart = None
    if minimum is not None and points:
        below = [r["name"] for r in rows if r["below"]]
        chart = charts.rate_chart(
            points,
            reference=minimum["value"],
            reference_label=minimum["label"],
            chart_id="rates-chart",
            title=(
                f"Hourly rates of {len(points)} bids against the {minimum['label'].lower()} of "
                f"{money(minimum['value'])}. "
                + (f"Below it: {listing(below)}." if below else "No bid is below it.")
            ),
            description="; ".join(
                f"{r['name']}: {r['price']}, {r['difference']} ({r['percent']}) against the "
                f"{minimum['label'].lower()}"
                for r in rows
                if r["price"] != "No price"
            )
            + ".",
            described_by="price-table",
        )
    return {
        "criterion": framework.criteria[price_id].prompt,
        "minimum": (
            {
                "label": minimum["label"],
                "value": money(minimum["value"]),
                "source": minimum["source"],
            }
            if minimum
            else None
        ),
        "factor": str(factor) if factor is not None else None,
        "rows": rows,
        "chart": chart,
        "flags": [
            {
                "name": b.name,
                "flag": FLAG_TITLES.get(f.code, f.code),
                "reason": plain(f.reason, framework),
                "decision": decision_text(f.decision, f.decision_reason),
                "decided": f.decision is not None,
            }
            for b in result.bids
            for f in b.flags
        ],
    }


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _minimum_rate(framework: Framework, params: dict[str, Any]) -> dict[str, Any] | None:
    """The abnormally-low threshold, named after its parameter: "Minimum sustainable rate"."""
    policy = framework.award.abnormally_low
    if policy is None:
        return None
    value = resolve_number(policy.below, params)
    match = PARAM_REF.match(policy.below) if isinstance(policy.below, str) else None
    name = match.group(1) if match else None
    parameter = framework.parameters.get(name) if name else None
    label = name.replace("_", " ").capitalize() if name else "Abnormally low threshold"
    return {"label": label, "value": value, "source": parameter.source if parameter else None}


def _pillar_chart(framework: Framework, result: RoundResult, ids: list[str]) -> str:
    titles = [pillar_title(framework, p) for p in ids]
    bars = [
        charts.StackedBar(
            b.name,
            tuple(b.pillar_score(p) for p in ids),
            "" if b.status == "ranked" else status_text(b).lower(),
        )
        for b in result.bids
    ]
    leader = result.winner
    title = (
        f"Points of {len(bars)} bids by pillar, out of 100. "
        + (
            f"{leader.name} has the highest total, {figure(leader.total)}."
            if leader
            else "No single bid is first."
        )
        + " The figures are in the ranking table."
    )
    description = " ".join(
        f"{b.name}: {figure(b.total)} in all"
        + (f" ({status_text(b).lower()})" if b.status != "ranked" else "")
        + ", of which "
        + ", ".join(f"{t} {figure(b.pillar_score(p))}" for t, p in zip(titles, ids, strict=True))
        + "."
        for b in result.bids
    )
    return charts.stacked_bar_chart(
        bars,
        titles,
        chart_id="pillar-chart",
        title=title,
        description=description,
        described_by="ranking-table",
    )


def _robustness(result: RoundResult, analysis: Robustness) -> dict[str, Any]:
    names = bid_names(result)
    first = sorted(analysis.first_place.items(), key=lambda kv: (-kv[1], names.get(kv[0], "")))
    change = analysis.smallest_change
    if change is not None and change.weights is not None and change.change is not None:
        weights = ", ".join(f"{p.replace('_', ' ')} {w:.2f}" for p, w in change.weights.items())
        change_text = (
            f"Moving the pillar weights by {change.change:.2f} percentage points in all would "
            f"bring {names.get(change.bid_id, change.bid_id)} level with first place "
            f"(weights {weights})."
        )
    else:
        change_text = "No change of pillar weights within the allowed ranges changes the winner."
    return {
        "samples": f"{analysis.samples:,}",
        "seed": analysis.seed,
        "first_place": [
            {"name": names.get(b, b), "percent": f"{p:.1%}"} for b, p in first if p > 0
        ],
        "never_first": sorted(names.get(b, b) for b, p in analysis.first_place.items() if p == 0),
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


def _panel(result: RoundResult, panel: Sequence[PanelMember]) -> dict[str, Any]:
    """Who evaluated, what each declared about each bidder, and which marks were withheld."""
    names = bid_names(result)
    marked: dict[str, set[str]] = {}
    for bid in result.bids:
        for score in bid.criteria:
            for mark in score.marks:
                marked.setdefault(str(mark["evaluator"]), set()).add(bid.bid_id)
    members = []
    withheld, problems = [], []
    for member in panel:
        declared = {d.bid: d for d in member.declarations if d.bid in names}
        conflicts = [
            {"bid": names[d.bid], "details": d.details or "No details given."}
            for d in declared.values()
            if d.conflict
        ]
        clear = [b for b in names if b in declared and not declared[b].conflict]
        missing = [names[b] for b in names if b not in declared]
        members.append(
            {
                "evaluator": member.evaluator,
                "conflicts": conflicts,
                "no_conflict": (
                    f"No conflict with any of the {len(clear)} bids"
                    if clear and not conflicts and not missing
                    else f"No conflict with the other {counted(len(clear), 'bid')}"
                    if clear
                    else ""
                ),
                "missing": missing,
                "marked": len(marked.get(member.evaluator, set())),
            }
        )
        for d in declared.values():
            if not d.conflict:
                continue
            if d.bid in marked.get(member.evaluator, set()):
                problems.append(
                    f"{member.evaluator} declared a conflict with {names[d.bid]} but has marks "
                    "on its bid: check before the board decides."
                )
            else:
                withheld.append(f"{member.evaluator} did not mark {names[d.bid]}.")
    listed = {m.evaluator for m in panel}
    unlisted = sorted(e for e in marked if e not in listed)
    return {
        "recorded": bool(panel),
        "members": members,
        "withheld": withheld,
        "problems": problems,
        "unlisted": [{"evaluator": e, "marked": len(marked[e])} for e in unlisted],
    }


def _methodology(
    framework: Framework, result: RoundResult, params: dict[str, Any]
) -> dict[str, Any]:
    totals: dict[str, Decimal] = {}
    for s in framework.sections:
        totals[s.pillar] = totals.get(s.pillar, Decimal(0)) + s.weight
    return {
        "pillars": [
            {
                "title": p.title,
                "weight": figure(result.pillar_weights.get(p.id, Fraction(0))),
                "range": f"{p.min_weight} to {p.max_weight}",
            }
            for p in framework.award.pillars
        ],
        "sections": [
            {
                "title": s.title,
                "pillar": pillar_title(framework, s.pillar),
                "weight": str(s.weight),
                "points": figure(
                    result.pillar_weights.get(s.pillar, Fraction(0))
                    * Fraction(s.weight)
                    / Fraction(totals[s.pillar])
                )
                if totals[s.pillar]
                else "0.00",
            }
            for s in framework.sections
        ],
        "formulas": formulas(framework, params),
        "thresholds": [words for _, words in thresholds_text(framework)],
        "tie_break": [_tie_break_words(framework, key) for key in framework.award.tie_break],
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


def _tie_break_words(framework: Framework, key: str) -> str:
    kind, _, target = key.partition(":")
    if kind == "pillar":
        return f"the higher {pillar_title(framework, target)} score"
    if kind == "section":
        section = next((s.title for s in framework.sections if s.id == target), target)
        return f"the higher {section} score"
    if key == "lowest_price":
        return "the lower price"
    return key.replace("_", " ")


def board_pack_sections(
    framework: Framework,
    result: RoundResult,
    robustness: Robustness,
    agreement: Agreement | None,
    panel: Sequence[PanelMember],
    params: dict[str, Any],
) -> dict[str, Any]:
    """Every section of the board pack after the cover, in reading order, as plain values.

    `params` are the round's parameter values (the framework's, with the round's overrides).
    """
    pillar_ids = list(result.pillar_weights)
    ranking = [
        {
            "rank": rank_text(b),
            "name": b.name,
            "status": status_text(b),
            "total": figure(b.total),
            "pillars": [figure(b.pillar_score(p)) for p in pillar_ids],
        }
        for b in result.bids
    ]
    price = _price_analysis(framework, result, params)
    sections = [
        ("summary", "Executive summary"),
        ("ranking", "Ranking"),
        ("compliance", "Compliance"),
        *([("price", "Price analysis")] if price else []),
        ("robustness", "Robustness"),
        ("panel", "Evaluators and conflicts of interest"),
        *([("agreement", "Evaluator agreement")] if agreement is not None else []),
        *((f"bid-{b.bid_id}", b.name) for b in result.bids),
        ("methodology", "Methodology"),
        ("inputs", "Inputs"),
    ]
    bid_anchors = {f"bid-{b.bid_id}" for b in result.bids}
    return {
        "contents": [{"anchor": a, "title": t, "bid": a in bid_anchors} for a, t in sections],
        "summary": _summary(result, framework, robustness, agreement, panel),
        "pillar_titles": [pillar_title(framework, p) for p in pillar_ids],
        "pillar_weights": [figure(result.pillar_weights[p]) for p in pillar_ids],
        "ranking": ranking,
        "pillar_chart": _pillar_chart(framework, result, pillar_ids),
        "compliance": _compliance(framework, result, params),
        "exclusions": [
            {
                "name": b.name,
                "reasons": list(
                    dict.fromkeys(exclusion_reason(e, framework) for e in b.exclusions)
                ),
            }
            for b in result.bids
            if b.exclusions
        ],
        "price": price,
        "robustness": _robustness(result, robustness),
        "panel": _panel(result, panel),
        "agreement": _agreement(framework, agreement) if agreement is not None else None,
        "bids": [bid_page(b, framework, result, panel) for b in result.bids],
        "methodology": _methodology(framework, result, params),
    }
