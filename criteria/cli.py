"""The `commonweal` command: inspect and validate frameworks, score a round file.

Tables are for people, JSON and CSV for machines. Exit status: 0 success, 2 invalid input (a
framework or round file with problems; every problem is printed with its file, line and field).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from criteria.agreement import Agreement, agreement
from criteria.catalogue import builtin_frameworks, load_builtin
from criteria.engine import RoundInputError, score_round
from criteria.hashing import content_hash
from criteria.loader import FrameworkError, load_framework
from criteria.model import Framework
from criteria.result import BidResult, RoundResult, fmt
from criteria.round_file import LoadedRound, load_round
from criteria.wording import criterion_title, plain

if TYPE_CHECKING:
    from criteria.robustness import Robustness

__all__ = ["main", "score_round_file"]

INVALID_INPUT = 2
MAX_SAMPLES = 1_000_000
"""The most weight samples a robustness analysis draws: 100 times the default, and about as
many as fit in memory beside a large round."""


def sampling_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The `--samples` and `--seed` options of every command that runs a robustness analysis."""
    command = click.option(
        "--seed",
        default=0,
        show_default=True,
        type=click.IntRange(0, 2**63 - 1),
        help="Random seed for the samples (0 or more).",
    )(command)
    return click.option(
        "--samples",
        default=10_000,
        show_default=True,
        type=click.IntRange(1, MAX_SAMPLES),
        help=f"Monte Carlo samples, 1 to {MAX_SAMPLES:,}.",
    )(command)


@click.group(help="Commonweal: score commissioning rounds against an ethical framework.")
@click.version_option(package_name="commonweal", message="%(prog)s %(version)s")
def main() -> None:
    pass


# --- frameworks ---------------------------------------------------------------------


@main.group(help="List, show and validate frameworks.")
def frameworks() -> None:
    pass


@frameworks.command("list", help="List the built-in frameworks.")
def frameworks_list() -> None:
    rows = [
        (f.id, f.version, f.title, str(len(f.criteria)), content_hash(f)[:19])
        for f in builtin_frameworks()
    ]
    click.echo(_table(("id", "version", "title", "criteria", "hash"), rows))


@frameworks.command("show", help="Show a framework: pillars, sections, criteria and rules.")
@click.argument("framework_id")
@click.option("--version", "version", default=None, help="A specific version.")
def frameworks_show(framework_id: str, version: str | None) -> None:
    framework = _resolve_framework(framework_id, version)
    click.echo(describe_framework(framework))


@frameworks.command("validate", help="Check framework files; exit 2 if any has problems.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def frameworks_validate(files: Sequence[Path]) -> None:
    failed = 0
    for path in files:
        try:
            framework = load_framework(path)
        except FrameworkError as exc:
            failed += 1
            click.echo(f"INVALID {path}", err=True)
            click.echo(_indent(str(exc)), err=True)
            continue
        click.echo(f"OK {path}: {framework.id} {framework.version} {content_hash(framework)}")
    if failed:
        click.echo(f"{failed} of {len(files)} file(s) invalid", err=True)
        sys.exit(INVALID_INPUT)


# --- score --------------------------------------------------------------------------


@main.command(help="Score a round file (YAML or JSON) and print the ranked result.")
@click.argument("round_file", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option("--explain", is_flag=True, help="Table/CSV: every criterion's score and reason.")
@click.option("--robustness", is_flag=True, help="Add the weight-sensitivity analysis.")
@sampling_options
def score(
    round_file: Path,
    output_format: str,
    explain: bool,
    robustness: bool,
    samples: int,
    seed: int,
) -> None:
    loaded, result = score_round_file(round_file)
    analysis = _robustness(loaded, result, samples, seed) if robustness else None
    if output_format == "json":
        document = result.to_dict()
        document["round"] = {"id": loaded.round.id, "title": loaded.round.title}
        document["agreement"] = agreement(loaded.framework, loaded.round.marks).to_dict()
        if analysis is not None:
            document["robustness"] = analysis.to_dict()
        click.echo(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))
    elif output_format == "csv":
        click.echo(_csv(result, explain), nl=False)
    else:
        click.echo(render_table(loaded, result, explain))
        if explain:
            found = agreement(loaded.framework, loaded.round.marks)
            click.echo(render_agreement(result, found, loaded.framework))
        if analysis is not None:
            click.echo(render_robustness(result, analysis))


def score_round_file(round_file: Path) -> tuple[LoadedRound, RoundResult]:
    """Load and score a round file; on a problem, print it and exit with status 2."""
    try:
        loaded = load_round(round_file)
        round_ = loaded.round
        result = score_round(
            loaded.framework, round_.bids, round_.marks, round_.settings, round_.decisions
        )
    except FrameworkError as exc:
        click.echo(str(exc), err=True)
        sys.exit(INVALID_INPUT)
    except RoundInputError as exc:
        click.echo(f"{round_file}: {exc}", err=True)
        sys.exit(INVALID_INPUT)
    return loaded, result


def _robustness(loaded: LoadedRound, result: RoundResult, samples: int, seed: int) -> Robustness:
    # numpy (and scipy for the weight changes) load only when the analysis is asked for.
    from criteria.robustness import analyse

    return analyse(
        loaded.framework,
        result,
        loaded.round.bids,
        loaded.round.marks,
        loaded.round.settings,
        samples=samples,
        seed=seed,
        decisions=loaded.round.decisions,
    )


# --- rendering ----------------------------------------------------------------------


def describe_framework(framework: Framework) -> str:
    """A plain-text outline of a framework for a person at a terminal."""
    lines = [
        f"{framework.title}",
        f"id {framework.id}  version {framework.version}  {content_hash(framework)}",
        "",
        "Pillars (weight, allowed range):",
    ]
    for pillar in framework.award.pillars:
        lines.append(
            f"  {pillar.id:<24} {pillar.weight:>5}  [{pillar.min_weight}-{pillar.max_weight}]"
            f"  {pillar.title}"
        )
    if framework.award.price:
        lines.append(
            f"Price: {framework.award.price.criterion} by {framework.award.price.formula.name}"
        )
    if framework.award.tie_break:
        lines.append(f"Tie-break: {', '.join(framework.award.tie_break)}")
    for section in framework.sections:
        lines += [
            "",
            f"{section.title} [{section.id}] pillar {section.pillar}, weight {section.weight}",
        ]
        for criterion in section.criteria:
            rule = criterion.scoring.rule if criterion.scoring else "-"
            gate = " +gate" if criterion.scoring and criterion.scoring.gate else ""
            lines.append(
                f"  {criterion.id:<34} {criterion.type:<16} {rule + gate:<22} w {criterion.weight}"
            )
    if framework.parameters:
        lines += ["", "Parameters:"]
        for name, parameter in framework.parameters.items():
            unit = f" {parameter.unit}" if parameter.unit else ""
            lines.append(f"  ${name} = {parameter.value}{unit}")
    return "\n".join(lines)


def render_table(loaded: LoadedRound, result: RoundResult, explain: bool = False) -> str:
    """The ranked result as text tables, with exclusions, flags and ties explained."""
    framework = loaded.framework
    pillar_ids = list(result.pillar_weights)
    header = (
        "rank",
        "bid",
        "status",
        "total",
        *(f"{p} /{fmt(result.pillar_weights[p], 0)}" for p in pillar_ids),
        "flags",
    )
    rows = []
    for bid in result.bids:
        rows.append(
            (
                _rank(bid),
                bid.name,
                bid.status.replace("_", " "),
                fmt(bid.total, 2),
                *(fmt(bid.pillar_score(p), 2) for p in pillar_ids),
                ", ".join(sorted({f.code.replace("_", " ") for f in bid.flags})),
            )
        )
    out = [
        f"{loaded.round.title}",
        f"Framework {framework.id} {framework.version} ({result.framework_hash[:19]})"
        f"  price formula: {result.price_formula or 'none'}",
        "",
        _table(header, rows),
    ]
    if result.winner is not None:
        out += ["", f"Recommended: {result.winner.name} ({fmt(result.winner.total, 2)} of 100)"]
    for note in result.notes:
        out.append(f"Note: {plain(note, framework)}")
    for tie in result.tie_breaks:
        out.append(f"Tie: {plain(tie.note, framework)}")
    excluded = [b for b in result.bids if b.exclusions]
    if excluded:
        out += ["", "Excluded bids:"]
        for bid in excluded:
            for exclusion in bid.exclusions:
                out.append(f"  {bid.name}: {plain(exclusion.reason, framework)}")
    flagged = [b for b in result.bids if b.flags]
    if flagged:
        out += ["", "Price flags:"]
        for bid in flagged:
            for flag in bid.flags:
                decided = (
                    f" Decision: {flag.decision} ({flag.decision_reason})."
                    if flag.decision
                    else " Decision needed."
                )
                reason = plain(flag.reason, framework).rstrip(".")
                out.append(f"  {bid.name}: {reason}.{decided}")
    awaiting = [b for b in result.bids if b.awaiting]
    if awaiting:
        out += ["", "Awaiting evaluation:"]
        for bid in awaiting:
            out.append(f"  {bid.name}: {', '.join(_titles(framework, bid.awaiting))}")
    if explain:
        for bid in result.bids:
            out += ["", f"{bid.name} [{bid.bid_id}]: {fmt(bid.total, 2)} of 100"]
            out.append(
                _table(
                    ("criterion", "answer", "rule", "points", "weight", "adds", "reason"),
                    [
                        (
                            _title(framework, c.criterion_id),
                            _short(c.answer),
                            c.rule,
                            f"{fmt(c.raw, 2)}/{fmt(c.max, 2)}",
                            fmt(c.weight, 2),
                            fmt(c.contribution, 2),
                            plain(c.reason, framework),
                        )
                        for c in bid.criteria
                    ],
                )
            )
    return "\n".join(out)


def render_agreement(
    result: RoundResult, found: Agreement, framework: Framework | None = None
) -> str:
    """How far evaluators agreed before moderation: alpha per criterion and the wide spreads."""
    names = {b.bid_id: b.name for b in result.bids}
    out = [
        "",
        "Evaluator agreement (independent marks, before moderation)",
        "Krippendorff's alpha, ordinal: 1 is perfect agreement, 0 no better than chance.",
    ]
    if not found.criteria:
        out.append("No criterion is marked by evaluators.")
        return "\n".join(out)
    rows = [
        (
            _title(framework, c.criterion_id),
            _alpha(c.alpha),
            "-" if c.max_spread is None else str(c.max_spread),
            str(c.n_marks),
        )
        for c in found.criteria
    ]
    out.append(_table(("criterion", "alpha", "widest spread", "marks"), rows))
    out.append(f"All evaluator-marked criteria: alpha {_alpha(found.overall_alpha)}")
    if any(c.alpha is None for c in found.criteria) or found.overall_alpha is None:
        out.append("Alpha '-' needs two or more bids with two or more marks.")
    flagged = found.flagged()
    if not flagged:
        out.append(f"No bid's marks are {found.threshold} or more points apart.")
    for bid_id, criterion_id, spread in flagged:
        out.append(
            f"Spread: {names.get(bid_id, bid_id)}, {_title(framework, criterion_id)}: "
            f"marks {spread} points apart."
        )
    return "\n".join(out)


def _alpha(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def render_robustness(result: RoundResult, analysis: Robustness) -> str:
    """The weight-sensitivity analysis in words and a table, for a person at a terminal."""
    data = analysis.to_dict()
    names = {b.bid_id: b.name for b in result.bids}
    out = ["", f"Robustness ({data['samples']:,} pillar-weight samples, seed {data['seed']}):"]
    by_chance = sorted(data["first_place"].items(), key=lambda kv: (-float(kv[1]), kv[0]))
    rows = [(names.get(b, b), f"{float(p):.1%}") for b, p in by_chance if float(p) > 0]
    out.append(_table(("bid", "chance of ranking first"), rows))
    change = data["smallest_change"]
    if change and change["change"] is not None:
        weights = ", ".join(f"{k} {v}" for k, v in change["weights"].items())
        out.append(
            f"Smallest pillar-weight change that changes the winner: {change['change']} points "
            f"in all, making {names.get(change['bid_id'], change['bid_id'])} level first "
            f"(weights {weights})."
        )
    else:
        out.append("No change of pillar weights within the allowed ranges changes the winner.")
    for reversal in data["reversals"]:
        out.append(
            f"Rank reversal: without {names.get(reversal['dropped'], reversal['dropped'])}, "
            f"{names.get(reversal['behind'], reversal['behind'])} moves above "
            f"{names.get(reversal['ahead'], reversal['ahead'])}."
        )
    out.extend(f"Note: {note}" for note in data["notes"])
    return "\n".join(out)


def _csv(result: RoundResult, explain: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    pillar_ids = list(result.pillar_weights)
    if explain:
        writer.writerow(
            (
                "bid_id",
                "bid",
                "criterion",
                "status",
                "answer",
                "rule",
                "raw",
                "max",
                "normalised",
                "weight",
                "contribution",
                "reason",
            )
        )
        for bid in result.bids:
            for c in bid.criteria:
                writer.writerow(
                    (
                        bid.bid_id,
                        bid.name,
                        c.criterion_id,
                        c.status,
                        _short(c.answer, 10_000),
                        c.rule,
                        fmt(c.raw),
                        fmt(c.max),
                        fmt(c.normalised),
                        fmt(c.weight),
                        fmt(c.contribution),
                        c.reason,
                    )
                )
        return buffer.getvalue()
    writer.writerow(
        ("rank", "bid_id", "bid", "status", "total", *pillar_ids, "exclusions", "flags")
    )
    for bid in result.bids:
        writer.writerow(
            (
                bid.rank or "",
                bid.bid_id,
                bid.name,
                bid.status,
                fmt(bid.total),
                *(fmt(bid.pillar_score(p)) for p in pillar_ids),
                " | ".join(e.reason for e in bid.exclusions),
                " | ".join(f.reason for f in bid.flags),
            )
        )
    return buffer.getvalue()


def _resolve_framework(reference: str, version: str | None) -> Framework:
    try:
        if reference.endswith((".yaml", ".yml")):
            return load_framework(reference)
        return load_builtin(reference, version)
    except FrameworkError as exc:
        click.echo(str(exc), err=True)
    except KeyError as exc:
        click.echo(str(exc.args[0] if exc.args else exc), err=True)
    sys.exit(INVALID_INPUT)


def _rank(bid: BidResult) -> str:
    if bid.rank is None:
        return "-"
    return f"={bid.rank}" if bid.tied_with else str(bid.rank)


def _title(framework: Framework | None, criterion_id: str) -> str:
    """A criterion as people know it, by its short title; the id only if it is unknown."""
    criterion = framework.criteria.get(criterion_id) if framework is not None else None
    return _short(criterion_title(criterion), 44) if criterion is not None else criterion_id


def _titles(framework: Framework, criterion_ids: Iterable[str]) -> list[str]:
    return [_title(framework, c) for c in criterion_ids]


def _short(value: object, width: int = 28) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    cells = [[str(c) for c in header], *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for index, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


if __name__ == "__main__":  # pragma: no cover
    main()
