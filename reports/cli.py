"""`commonweal report ...`: a round file's board pack or assessment summary, or a provider's
self-assessment report, as a PDF.

Needs no database or web app: the round is read with `criteria.round_file.load_round` (a
self-assessment with `criteria.self_assessment.load_self_assessment`), scored, and rendered.
Exit status: 0 written, 2 invalid input (a bad round or self-assessment file, an unknown bid).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from criteria.agreement import agreement
from criteria.cli import INVALID_INPUT, sampling_options, score_round_file
from criteria.errors import RoundInputError
from criteria.hashing import content_hash
from criteria.improvement import improvement_advice
from criteria.loader import FrameworkError
from criteria.result import BidResult, RoundResult
from criteria.robustness import analyse
from criteria.round_file import LoadedRound
from criteria.self_assessment import load_self_assessment, score_self_assessment
from reports.bulk import RenderJob, render_many
from reports.context import RoundMeta, assessment_summary_context, board_pack_context
from reports.documents import BOARD_PACK, SELF_ASSESSMENT, SUMMARY, file_stem, render_document
from reports.render import Rendering
from reports.self_assessment import self_assessment_context

__all__ = ["inputs_digest", "report"]

DEFAULT_STATUS = "Draft for the board's decision"
SUMMARY_STATUS = "Sent to the bidder before the award"

_council = click.option(
    "--council", default="Council not named", show_default=True, help="The buying council."
)
_date = click.option(
    "--date",
    "date_text",
    default=None,
    metavar="YYYY-MM-DD",
    help="The report's date (default: today).",
)
_output = click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the PDF.",
)


@click.group(help="Make a round's reports as accessible PDFs (no database needed).")
def report() -> None:
    pass


@report.command("board-pack", help="The board pack for a round file.")
@click.argument("round_file", type=click.Path(path_type=Path))
@_output
@_council
@_date
@click.option("--status", default=DEFAULT_STATUS, show_default=True, help="The pack's status.")
@sampling_options
def board_pack(
    round_file: Path,
    output: Path,
    council: str,
    date_text: str | None,
    status: str,
    samples: int,
    seed: int,
) -> None:
    loaded, result = score_round_file(round_file)
    round_ = loaded.round
    analysis = analyse(
        loaded.framework,
        result,
        round_.bids,
        round_.marks,
        round_.settings,
        samples=samples,
        seed=seed,
        decisions=round_.decisions,
    )
    context = board_pack_context(
        loaded.framework,
        _meta(loaded, council, date_text, status),
        result,
        analysis,
        agreement(loaded.framework, round_.marks),
        panel=round_.panel,
        settings=round_.settings,
    )
    _write(render_document(BOARD_PACK, context), output)


@report.command("assessment-summary", help="One bidder's assessment summary for a round file.")
@click.argument("round_file", type=click.Path(path_type=Path))
@click.option("--bid", "bid_id", required=True, help="The bid id the summary is for.")
@_output
@_council
@_date
def assessment_summary(
    round_file: Path, bid_id: str, output: Path, council: str, date_text: str | None
) -> None:
    loaded, result = score_round_file(round_file)
    bid = next((b for b in result.bids if b.bid_id == bid_id), None)
    if bid is None:
        known = ", ".join(sorted(b.bid_id for b in result.bids))
        click.echo(f"{round_file}: no bid {bid_id!r} in this round (its bids: {known})", err=True)
        sys.exit(INVALID_INPUT)
    context = _summary_context(loaded, result, _meta(loaded, council, date_text), bid)
    _write(render_document(SUMMARY, context), output)


def summary_file_names(bid_ids: list[str]) -> dict[str, str]:
    """A PDF file name for each bid id, safe in any folder and distinct even ignoring case.

    Bid ids are free text in a round file, so `../x` or `a/b` must not name a path elsewhere.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for bid_id in bid_ids:
        stem = file_stem(bid_id) or "bid"
        name, number = f"{stem}.pdf", 1
        while name.lower() in taken:
            number += 1
            name = f"{stem}-{number}.pdf"
        taken.add(name.lower())
        names[bid_id] = name
    return names


@report.command(
    "assessment-summaries",
    help="Every bidder's assessment summary for a round file, with a manifest, into a folder.",
)
@click.argument("round_file", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the PDFs and manifest.json into (made if missing).",
)
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=None,
    help="How many reports to render at once (default: one per CPU core).",
)
@_council
@_date
def assessment_summaries(
    round_file: Path, folder: Path, processes: int | None, council: str, date_text: str | None
) -> None:
    loaded, result = score_round_file(round_file)
    meta = _meta(loaded, council, date_text)
    names = summary_file_names([bid.bid_id for bid in result.bids])
    jobs = [
        RenderJob(names[bid.bid_id], SUMMARY, _summary_context(loaded, result, meta, bid))
        for bid in result.bids
    ]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot make the folder {folder}: {exc.strerror}", param_hint="--output"
        ) from None
    started = time.perf_counter()
    with click.progressbar(
        length=len(jobs), label="Rendering assessment summaries", file=sys.stderr
    ) as bar:
        rendered = render_many(
            jobs, processes=processes, progress=lambda done, _total: bar.update(done - bar.pos)
        )
    seconds = time.perf_counter() - started
    digest = meta.inputs_digest
    entries = []
    for bid, summary in zip(result.bids, rendered, strict=True):
        for warning in summary.rendering.warnings:
            click.echo(f"Renderer warning ({summary.key}): {warning}", err=True)
        (folder / summary.key).write_bytes(summary.rendering.pdf)
        entries.append(
            {
                "bid_id": bid.bid_id,
                "bidder": bid.name,
                "file": summary.key,
                "pdf_sha256": summary.sha256,
                "pages": summary.rendering.pages,
                "inputs_digest": digest,
            }
        )
    manifest = {
        "round": loaded.round.id,
        "title": loaded.round.title,
        "council": council,
        "date": meta.date.isoformat(),
        "inputs_digest": digest,
        "assessment_summaries": entries,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False)
    (folder / "manifest.json").write_text(text + "\n", encoding="utf-8")
    pages = sum(summary.rendering.pages for summary in rendered)
    click.echo(
        f"Wrote {len(entries)} assessment summaries ({pages} pages) and manifest.json "
        f"to {folder} in {seconds:.1f} seconds"
    )


@report.command("self-assessment", help="A provider's self-assessment report for its file.")
@click.argument("self_assessment_file", type=click.Path(path_type=Path))
@_output
@_date
def self_assessment(self_assessment_file: Path, output: Path, date_text: str | None) -> None:
    try:
        loaded = load_self_assessment(self_assessment_file)
        outcome = score_self_assessment(loaded.framework, loaded.organisation, loaded.answers)
    except FrameworkError as exc:
        click.echo(str(exc), err=True)
        sys.exit(INVALID_INPUT)
    except RoundInputError as exc:
        click.echo(f"{self_assessment_file}: {exc}", err=True)
        sys.exit(INVALID_INPUT)
    context = self_assessment_context(
        loaded.framework,
        outcome,
        organisation=loaded.organisation,
        date=_report_date(date_text),
    )
    _write(render_document(SELF_ASSESSMENT, context), output)


def _report_date(date_text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(date_text) if date_text else _today()
    except ValueError:
        raise click.BadParameter(
            f"{date_text!r} is not a date like 2026-05-01", param_hint="--date"
        ) from None


def _summary_context(
    loaded: LoadedRound, result: RoundResult, meta: RoundMeta, bid: BidResult
) -> dict[str, Any]:
    advice = improvement_advice(loaded.framework, bid)
    return assessment_summary_context(loaded.framework, meta, result, bid.bid_id, advice)


def _meta(
    loaded: LoadedRound, council: str, date_text: str | None, status: str = SUMMARY_STATUS
) -> RoundMeta:
    return RoundMeta(
        council=council,
        title=loaded.round.title,
        reference=loaded.round.id,
        date=_report_date(date_text),
        status=status,
        inputs_digest=inputs_digest(loaded),
    )


def _today() -> dt.date:
    """Today in the UK, where the councils are."""
    return dt.datetime.now(tz=ZoneInfo("Europe/London")).date()


def inputs_digest(loaded: LoadedRound) -> str:
    """`sha256:...` of the round file's content and the framework's hash: what was scored."""
    document = {
        "round": loaded.round.model_dump(mode="json"),
        "framework_hash": content_hash(loaded.framework),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"sha256:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


def _write(rendering: Rendering, output: Path) -> None:
    for warning in rendering.warnings:
        click.echo(f"Renderer warning: {warning}", err=True)
    output.write_bytes(rendering.pdf)
    click.echo(f"Wrote {output} ({len(rendering.pdf):,} bytes)")
