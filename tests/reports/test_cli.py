"""`commonweal report ...` on the example round: PDFs written, bad input refused with status 2."""

from __future__ import annotations

import io
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from reports.cli import INVALID_INPUT, report
from webapp.console import main

from .conftest import BELOW_MINIMUM, ROUND_FILE


def _pages_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def test_the_commonweal_command_has_the_report_group() -> None:
    assert main.get_command(click.Context(main), "report") is report
    assert "report" in main.list_commands(click.Context(main))


def test_assessment_summary_is_written_for_a_bid_of_the_example(tmp_path: Path) -> None:
    out = tmp_path / "summary.pdf"
    outcome = CliRunner().invoke(
        report,
        [
            "assessment-summary",
            str(ROUND_FILE),
            "--bid",
            BELOW_MINIMUM,
            "-o",
            str(out),
            "--council",
            "Wigmoor Borough Council",
            "--date",
            "2026-05-01",
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    text = _pages_text(out)
    assert "Wigmoor Borough Council" in text
    assert "1 May 2026" in text
    assert "Hollin Brook Care Co-operative" in text
    assert "Renderer warning" not in outcome.output


def test_an_unknown_bid_is_refused_naming_the_bids_there_are(tmp_path: Path) -> None:
    out = tmp_path / "summary.pdf"
    outcome = CliRunner().invoke(
        report, ["assessment-summary", str(ROUND_FILE), "--bid", "nobody", "-o", str(out)]
    )
    assert outcome.exit_code == INVALID_INPUT
    assert "no bid 'nobody'" in outcome.output
    assert BELOW_MINIMUM in outcome.output
    assert not out.exists()


def test_a_missing_round_file_is_refused(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(
        report, ["board-pack", str(tmp_path / "none.yaml"), "-o", str(tmp_path / "out.pdf")]
    )
    assert outcome.exit_code == INVALID_INPUT
    assert "cannot read the round file" in outcome.output


@pytest.mark.slow
def test_board_pack_is_written_for_the_example_round(tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    outcome = CliRunner().invoke(
        main, ["report", "board-pack", str(ROUND_FILE), "-o", str(out), "--samples", "200"]
    )
    assert outcome.exit_code == 0, outcome.output
    assert "Renderer warning" not in outcome.output
    text = _pages_text(out)
    assert "Recommended bid: Hollin Brook Care Co-operative" in text
    assert "sha256:" in text
