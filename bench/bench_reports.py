"""Benchmark: the reports at round scale, a 30-bid board pack and 300 assessment summaries.

Run from the repository root:

    python bench/bench_reports.py [--bids 30] [--summaries 300] [--processes 2]
                                  [--samples 10000] [--repeat 3] [--json FILE]

It builds a realistic round on the built-in `ethical-care` framework from the example round
(examples/homecare-2026/round.yaml): every bid is one of the example's bids with its written
answers, its numbers and its price varied by a seeded generator, marked by three evaluators on
each written answer, some priced below the minimum sustainable rate (and so flagged, with the
council's decision on some of them). Then it times, as the median of `--repeat` runs:

* the board pack: the whole pipeline (score the round, analyse its robustness with `--samples`
  weightings, evaluator agreement, the context, the HTML and the PDF) against WeasyPrint alone
  on the same final HTML, and WeasyPrint on a plain reference document of the same page count
  (bench/reference_document.py). Goals: pipeline / WeasyPrint <= 1.25; the pack's pages per
  second at least 70% of the reference's; the 30-bid pack in 12 seconds or less;
* the assessment summaries: `--summaries` contexts (the bids in turn, each copy renamed so no
  two are alike), rendered by `reports.bulk.render_many` in one process and in `--processes`
  processes. Goal: a speed-up of at least 1.7 with 2 processes on 2 cores.

The exit status is 0 whether or not the goals are met.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.reference_document import reference_html
from criteria.agreement import agreement
from criteria.answers import parse_answer
from criteria.engine import score_round
from criteria.improvement import improvement_advice
from criteria.inputs import Bid, CriterionMarks, PanelMember, PriceDecision, Round
from criteria.model import EvaluatorScaleRule, Framework
from criteria.result import RoundResult
from criteria.robustness import analyse
from criteria.round_file import load_round
from reports.bulk import Progress, Rendered, RenderJob, available_cores, render_many
from reports.context import RoundMeta, assessment_summary_context, board_pack_context
from reports.documents import BOARD_PACK, SUMMARY, board_pack_title, render_html
from reports.render import render

EXAMPLE_ROUND = Path(__file__).resolve().parents[1] / "examples" / "homecare-2026" / "round.yaml"
PIPELINE_GOAL = 1.25  # whole pipeline / WeasyPrint alone, at most
RATE_GOAL = 0.70  # the pack's pages per second / the reference document's, at least
PACK_SECONDS_GOAL = 12.0  # the whole pipeline for a 30-bid pack, at most
PACK_SECONDS_BIDS = 30
SPEED_UP_GOAL = 1.7  # one process / two processes, at least
SPEED_UP_PROCESSES = 2  # the speed-up goal is set for this many processes
WARM_UP_BIDS = 3
PLACES = (
    "Standish", "Orrell", "Hindley", "Ince", "Aspull", "Shevington", "Abram", "Lowton",
    "Golborne", "Ashton", "Pemberton", "Atherton", "Tyldesley", "Astley", "Bryn", "Winstanley",
)  # fmt: skip
VARIED_TYPES = ("integer", "decimal", "percentage")
PRICE_RISE = 0.6  # pounds: the scale of the rise on an example bid's price
LOW_PRICE_EVERY = 10  # every tenth bid is priced below the minimum sustainable rate
LOW_PRICES = (29.0, 32.0)
MARK_MOVES = (-1, 0, 0, 0, 1)  # how far an evaluator's mark moves from the example's
DECISIONS = (  # the council's decision on each flagged bid's price, in turn; None: not yet
    PriceDecision(
        decision="accept",
        reason="The cost breakdown it sent shows how it funds the promised pay at this price.",
    ),
    None,
    PriceDecision(
        decision="disregard",
        reason="Its reply did not show how it could pay the legal minimum at this price.",
    ),
)
META = RoundMeta(
    council="Wigmoor Borough Council",
    title="Homecare and supported living, Lot 1 (benchmark round)",
    reference="bench-reports",
    date=dt.date(2026, 5, 1),
    status="Draft for the board's decision",
    inputs_digest="sha256:" + "0" * 64,
)
SUMMARY_META = dataclasses.replace(META, status="Sent to the bidder before the award")


# --- the round -------------------------------------------------------------------------


def _varied_answers(
    framework: Framework, answers: dict[str, Any], rng: np.random.Generator
) -> dict[str, Any]:
    """The answers with counts and percentages moved a little, within their limits."""
    varied = dict(answers)
    for criterion_id, value in answers.items():
        criterion = framework.criteria[criterion_id]
        if criterion.type not in VARIED_TYPES or isinstance(value, bool):
            continue
        spread = 5.0 if criterion.type == "percentage" else max(1.0, abs(float(value)) / 5)
        low = float(criterion.min) if criterion.min is not None else 0.0
        high = float(criterion.max) if criterion.max is not None else float("inf")
        moved = round(float(value) + rng.normal(0, spread))
        varied[criterion_id] = int(min(max(moved, low), high))
    return varied


def _price(number: int, base: Any, rng: np.random.Generator) -> str:
    if number % LOW_PRICE_EVERY == LOW_PRICE_EVERY - 1:
        return f"{rng.uniform(*LOW_PRICES):.2f}"
    # Only up: the example prices just cover the pay each bid promises, so the flags stay the
    # example's own and the low prices above.
    return f"{float(base) + abs(rng.normal(0, PRICE_RISE)):.2f}"


def _varied_marks(
    marks: dict[str, CriterionMarks], top: dict[str, int], rng: np.random.Generator
) -> dict[str, CriterionMarks]:
    """Each evaluator's mark moved by a point now and then; the moderated mark kept."""
    varied = {}
    for criterion_id, given in marks.items():
        moved = []
        for mark in given.marks:
            points = mark.points + int(rng.choice(MARK_MOVES))
            moved.append(mark.model_copy(update={"points": min(max(points, 0), top[criterion_id])}))
        varied[criterion_id] = CriterionMarks(marks=moved, moderated=given.moderated)
    return varied


def build_round(bids: int, seed: int = 0) -> tuple[Framework, Round]:
    """A round of `bids` bids made from the example round's, with the same panel and framework.

    Every answer is checked against its criterion, so the round is one a provider could submit.
    """
    example = load_round(EXAMPLE_ROUND)
    framework, source = example.framework, example.round
    price = framework.award.price
    assert price is not None, "the example's framework has a price criterion"
    top = {
        c.id: framework.scales[c.scoring.scale].maximum
        for c in framework.criteria.values()
        if isinstance(c.scoring, EvaluatorScaleRule)
    }
    rng = np.random.default_rng(seed)
    round_bids: list[Bid] = []
    marks: dict[str, dict[str, CriterionMarks]] = {}
    origin: dict[str, str] = {}
    for number in range(bids):
        base = source.bids[number % len(source.bids)]
        copy = number // len(source.bids)
        bid_id = base.id if copy == 0 else f"{base.id}-{copy + 1}"
        name = base.name if copy == 0 else f"{base.name}, {PLACES[(copy - 1) % len(PLACES)]}"
        answers = _varied_answers(framework, base.answers, rng)
        answers[price.criterion] = _price(number, base.answers[price.criterion], rng)
        for criterion_id, value in answers.items():
            parse_answer(framework.criteria[criterion_id], value)  # raises on an invalid answer
        round_bids.append(Bid(id=bid_id, name=name, answers=answers))
        marks[bid_id] = _varied_marks(source.marks.get(base.id, {}), top, rng)
        origin[bid_id] = base.id
    panel = [
        PanelMember(
            evaluator=member.evaluator,
            declarations=[
                declaration.model_copy(update={"bid": bid_id})
                for bid_id, base_id in origin.items()
                for declaration in member.declarations
                if declaration.bid == base_id
            ],
        )
        for member in source.panel
    ]
    flagged = score_round(framework, round_bids, marks, source.settings)
    decisions: dict[str, dict[str, PriceDecision]] = {}
    flagged_bids = [result for result in flagged.bids if result.flags]
    for turn, result in enumerate(flagged_bids):
        decision = DECISIONS[turn % len(DECISIONS)]
        if decision is not None:
            decisions[result.bid_id] = {flag.code: decision for flag in result.flags}
    round_ = Round.model_validate(
        {
            "id": META.reference,
            "title": META.title,
            "framework": framework.id,
            "framework_version": framework.version,
            "settings": source.settings,
            "bids": round_bids,
            "marks": marks,
            "decisions": decisions,
            "panel": panel,
        }
    )
    return framework, round_


# --- the board pack --------------------------------------------------------------------


def board_pack_html(framework: Framework, round_: Round, samples: int) -> tuple[str, str]:
    """The whole pipeline up to the final HTML: scoring, robustness, agreement, context."""
    result = score_round(framework, round_.bids, round_.marks, round_.settings, round_.decisions)
    robustness = analyse(
        framework,
        result,
        round_.bids,
        round_.marks,
        round_.settings,
        samples=samples,
        seed=0,
        decisions=round_.decisions,
    )
    context = board_pack_context(
        framework,
        META,
        result,
        robustness,
        agreement(framework, round_.marks),
        panel=round_.panel,
        settings=round_.settings,
    )
    return render_html(BOARD_PACK, context), board_pack_title(context)


def measure_board_pack(
    framework: Framework, round_: Round, args: argparse.Namespace
) -> dict[str, Any]:
    """Median seconds of the whole pipeline, of WeasyPrint alone on its final HTML, and of
    WeasyPrint on the reference document with as many pages.

    The three take turns at going first, so none always meets a warmer (or busier) machine.
    """
    html, title = board_pack_html(framework, round_, args.samples)
    pipeline: list[float] = []
    before_pdf: list[float] = []
    alone: list[float] = []
    plain: list[float] = []
    pages = render(html, title=title).pages  # untimed: the reference needs the page count
    reference = reference_html(pages)
    warnings: set[str] = set()

    def whole_pipeline() -> None:
        nonlocal pages
        start = time.perf_counter()
        final, final_title = board_pack_html(framework, round_, args.samples)
        before_pdf.append(time.perf_counter() - start)
        rendering = render(final, title=final_title)
        pipeline.append(time.perf_counter() - start)
        assert final == html, "the pipeline's HTML changed between runs"
        pages = rendering.pages
        warnings.update(rendering.warnings)

    def weasyprint_alone() -> None:
        start = time.perf_counter()
        rendering = render(html, title=title)
        alone.append(time.perf_counter() - start)
        warnings.update(rendering.warnings)

    def reference_alone() -> None:
        start = time.perf_counter()
        rendering = render(reference, title="Reference document")
        plain.append(time.perf_counter() - start)
        assert rendering.pages == pages, f"the reference has {rendering.pages} pages, not {pages}"
        warnings.update(rendering.warnings)

    turns = [whole_pipeline, weasyprint_alone, reference_alone]
    for run in range(args.repeat):
        for measure in turns[run % 3 :] + turns[: run % 3]:
            measure()
    return {
        "pages": pages,
        "pipeline_seconds": statistics.median(pipeline),
        "before_pdf_seconds": statistics.median(before_pdf),
        "weasyprint_seconds": statistics.median(alone),
        "reference_seconds": statistics.median(plain),
        "warnings": sorted(warnings),
    }


# --- the assessment summaries ----------------------------------------------------------


def summary_jobs(framework: Framework, round_: Round, count: int) -> list[RenderJob]:
    """`count` assessment summaries: the round's bids in turn, each copy named apart."""
    result: RoundResult = score_round(
        framework, round_.bids, round_.marks, round_.settings, round_.decisions
    )
    jobs = []
    for number in range(count):
        bid = result.bids[number % len(result.bids)]
        copy = number // len(result.bids)
        context = assessment_summary_context(
            framework, SUMMARY_META, result, bid.bid_id, improvement_advice(framework, bid)
        )
        if copy:
            recipient = context["recipient"]
            context["recipient"] = {**recipient, "name": f"{recipient['name']} ({copy + 1})"}
        jobs.append(RenderJob(f"{bid.bid_id}/{copy + 1}", SUMMARY, context))
    return jobs


def measure_summaries(
    framework: Framework, round_: Round, args: argparse.Namespace
) -> dict[str, Any]:
    contexts: list[float] = []
    seconds: dict[int, list[float]] = {1: [], args.processes: []}
    rendered: list[Rendered] = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        jobs = summary_jobs(framework, round_, args.summaries)
        contexts.append(time.perf_counter() - start)
        for processes in seconds:
            start = time.perf_counter()
            rendered = render_many(jobs, processes=processes, progress=_progress(processes))
            seconds[processes].append(time.perf_counter() - start)
    return {
        "count": len(rendered),
        "pages": sum(r.rendering.pages for r in rendered),
        "contexts_seconds": statistics.median(contexts),
        "serial_seconds": statistics.median(seconds[1]),
        "parallel_seconds": statistics.median(seconds[args.processes]),
        "warnings": sorted({w for r in rendered for w in r.rendering.warnings}),
    }


def _progress(processes: int) -> Progress | None:
    """A progress line on the terminal (none when the output goes to a file or a pipe)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        label = "1 process" if processes == 1 else f"{processes} processes"
        print(f"\r  Rendering in {label}: {done} of {total}", end=end, file=sys.stderr)

    return show


# --- the report ------------------------------------------------------------------------


def figures(
    args: argparse.Namespace, pack: dict[str, Any], summaries: dict[str, Any]
) -> dict[str, Any]:
    pack_ratio = pack["pipeline_seconds"] / pack["weasyprint_seconds"]
    pages_per_second = pack["pages"] / pack["pipeline_seconds"]
    reference_rate = pack["pages"] / pack["reference_seconds"]
    timed_pack = args.bids == PACK_SECONDS_BIDS
    speed_up = summaries["serial_seconds"] / summaries["parallel_seconds"]
    return {
        "bids": args.bids,
        "samples": args.samples,
        "repeat": args.repeat,
        "cores": available_cores(),
        "board_pack": {
            **pack,
            "pages_per_second": pages_per_second,
            "weasyprint_pages_per_second": pack["pages"] / pack["weasyprint_seconds"],
            "ratio": pack_ratio,
            "goal": PIPELINE_GOAL,
            "met": pack_ratio <= PIPELINE_GOAL,
            "reference_pages_per_second": reference_rate,
            "rate_ratio": pages_per_second / reference_rate,
            "rate_goal": RATE_GOAL,
            "rate_met": pages_per_second / reference_rate >= RATE_GOAL,
            "seconds_goal": PACK_SECONDS_GOAL if timed_pack else None,
            "seconds_met": pack["pipeline_seconds"] <= PACK_SECONDS_GOAL if timed_pack else None,
        },
        "summaries": {
            **summaries,
            "processes": args.processes,
            "serial_pages_per_second": summaries["pages"] / summaries["serial_seconds"],
            "parallel_pages_per_second": summaries["pages"] / summaries["parallel_seconds"],
            "speed_up": speed_up,
            "goal": SPEED_UP_GOAL if args.processes == SPEED_UP_PROCESSES else None,
            "met": speed_up >= SPEED_UP_GOAL if args.processes == SPEED_UP_PROCESSES else None,
        },
    }


def _counted(number: int, thing: str, things: str = "") -> str:
    return f"{number:,} {thing}" if number == 1 else f"{number:,} {things or thing + 's'}"


def _verdict(met: bool) -> str:
    return "PASS" if met else "MISS"


def report(found: dict[str, Any]) -> str:
    pack, bulk = found["board_pack"], found["summaries"]
    processes = bulk["processes"]
    goal = (
        f"(goal >= {SPEED_UP_GOAL:g} with {SPEED_UP_PROCESSES} processes): {_verdict(bulk['met'])}"
        if bulk["goal"] is not None
        else f"(the goal of >= {SPEED_UP_GOAL:g} is set for {SPEED_UP_PROCESSES} processes)"
    )
    lines = [
        f"Round: {_counted(found['bids'], 'bid')} on the ethical-care framework, "
        f"3 evaluators, {_counted(found['samples'], 'sample')}; "
        f"{_counted(found['cores'], 'CPU core')} available; "
        f"median of {_counted(found['repeat'], 'run')}",
        "",
        f"Board pack ({_counted(pack['pages'], 'page')})",
        f"{'  whole pipeline':<34}{pack['pipeline_seconds']:>10.2f} s"
        f"{pack['pages_per_second']:>10.1f} pages/s",
        f"{'    of which scoring to HTML':<34}{pack['before_pdf_seconds']:>10.2f} s",
        f"{'  WeasyPrint alone, same HTML':<34}{pack['weasyprint_seconds']:>10.2f} s"
        f"{pack['weasyprint_pages_per_second']:>10.1f} pages/s",
        f"{'  pipeline / WeasyPrint':<34}{pack['ratio']:>10.3f}   "
        f"(goal <= {PIPELINE_GOAL:g}): {_verdict(pack['met'])}",
        f"{'  reference document, same pages':<34}{pack['reference_seconds']:>10.2f} s"
        f"{pack['reference_pages_per_second']:>10.1f} pages/s",
        f"{'  pack rate / reference rate':<34}{pack['rate_ratio']:>10.3f}   "
        f"(goal >= {RATE_GOAL:g}): {_verdict(pack['rate_met'])}",
        f"{'  pack ready in':<34}{pack['pipeline_seconds']:>10.2f} s   "
        + (
            f"(goal <= {PACK_SECONDS_GOAL:g} s): {_verdict(pack['seconds_met'])}"
            if pack["seconds_goal"] is not None
            else f"(the goal of <= {PACK_SECONDS_GOAL:g} s is set for {PACK_SECONDS_BIDS} bids)"
        ),
        "",
        f"Assessment summaries ({_counted(bulk['count'], 'summary', 'summaries')}, "
        f"{_counted(bulk['pages'], 'page')})",
        f"{'  contexts':<34}{bulk['contexts_seconds']:>10.2f} s",
        f"{'  render_many, 1 process':<34}{bulk['serial_seconds']:>10.2f} s"
        f"{bulk['serial_pages_per_second']:>10.1f} pages/s",
        f"{f'  render_many, {processes} processes':<34}{bulk['parallel_seconds']:>10.2f} s"
        f"{bulk['parallel_pages_per_second']:>10.1f} pages/s",
        f"{'  speed-up':<34}{bulk['speed_up']:>10.2f}x  {goal}",
    ]
    for label, warnings in (("board pack", pack["warnings"]), ("summaries", bulk["warnings"])):
        lines += [f"Renderer warning ({label}): {w}" for w in warnings]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bids", type=int, default=30, help="bids in the round")
    parser.add_argument("--summaries", type=int, default=300, help="assessment summaries")
    parser.add_argument(
        "--processes", type=int, default=2, help="processes for the bulk run, against one"
    )
    parser.add_argument("--samples", type=int, default=10_000, help="Monte Carlo weightings")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    args = parser.parse_args(argv)
    if min(args.bids, args.summaries, args.repeat, args.samples) < 1 or args.processes < 2:
        parser.error("need at least 1 bid, summary, repeat and sample, and 2 processes")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    framework, round_ = build_round(args.bids)
    # Untimed warm-up on a small round: the templates compile, WeasyPrint loads its fonts and
    # the bulk renderer's fork server starts, each once per process, never again.
    small_framework, small_round = build_round(min(args.bids, WARM_UP_BIDS))
    render(board_pack_html(small_framework, small_round, args.samples)[0], title="Warm-up")
    render_many(summary_jobs(small_framework, small_round, 2), processes=args.processes)
    pack = measure_board_pack(framework, round_, args)
    summaries = measure_summaries(framework, round_, args)
    found = figures(args, pack, summaries)
    print(report(found))
    if args.json is not None:
        args.json.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
