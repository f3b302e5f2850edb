"""`commonweal report ...`: a round file's board pack or assessment summary as a PDF.

Needs no database or web app: the round is read with `criteria.round_file.load_round`, scored,
and rendered. Exit status: 0 written, 2 invalid input (a bad round file or an unknown bid).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from criteria.agreement import agreement
from criteria.cli import INVALID_INPUT, score_round_file
from criteria.hashing import content_hash
from criteria.improvement import improvement_advice
from criteria.result import RoundResult
from criteria.robustness import analyse
from criteria.round_file import LoadedRound
from reports.context import RoundMeta, assessment_summary_context, board_pack_context
from reports.documents import BOARD_PACK, SUMMARY, render_document
from reports.render import Rendering

__all__ = ["inputs_digest", "report"]

DEFAULT_STATUS = "Draft for the board's decision"

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
@click.option("--samples", default=10_000, show_default=True, help="Monte Carlo samples.")
@click.option("--seed", default=0, show_default=True, help="Random seed for the samples.")
def board_pack(
    round_file: Path,
    output: Path,
    council: str,
    date_text: str | None,
    status: str,
    samples: int,
    seed: int,
) -> None:
    loaded, result = _scored(round_file)
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
    loaded, result = _scored(round_file)
    bid = next((b for b in result.bids if b.bid_id == bid_id), None)
    if bid is None:
        known = ", ".join(sorted(b.bid_id for b in result.bids))
        click.echo(f"{round_file}: no bid {bid_id!r} in this round (its bids: {known})", err=True)
        sys.exit(INVALID_INPUT)
    context = assessment_summary_context(
        loaded.framework,
        _meta(loaded, council, date_text, "Sent to the bidder before the award"),
        result,
        bid_id,
        improvement_advice(loaded.framework, bid),
    )
    _write(render_document(SUMMARY, context), output)


def _scored(round_file: Path) -> tuple[LoadedRound, RoundResult]:
    return score_round_file(round_file)


def _meta(loaded: LoadedRound, council: str, date_text: str | None, status: str) -> RoundMeta:
    try:
        date = dt.date.fromisoformat(date_text) if date_text else _today()
    except ValueError:
        raise click.BadParameter(
            f"{date_text!r} is not a date like 2026-05-01", param_hint="--date"
        ) from None
    return RoundMeta(
        council=council,
        title=loaded.round.title,
        reference=loaded.round.id,
        date=date,
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
