"""`commonweal report assessment-summaries`: one PDF per bid and a manifest that checks them."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from pypdf import PdfReader

from criteria.round_file import load_round
from reports.cli import INVALID_INPUT, inputs_digest, report, summary_file_names

from .conftest import BELOW_MINIMUM, DISREGARDED, ROUND_FILE, WINNER

THREE = (WINNER, DISREGARDED, BELOW_MINIMUM)


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def _three_bid_round(folder: Path) -> Path:
    """The example round cut to three bids, so the test renders three summaries, not eight."""
    document: dict[str, Any] = yaml.safe_load(ROUND_FILE.read_text(encoding="utf-8"))
    document["bids"] = [b for b in document["bids"] if b["id"] in THREE]
    for key in ("marks", "decisions"):
        document[key] = {k: v for k, v in document[key].items() if k in THREE}
    for member in document.get("panel", []):  # declarations may name only the round's bids
        member["declarations"] = [d for d in member["declarations"] if d["bid"] in THREE]
    path = folder / "round.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _issue(*args: str) -> Result:
    return CliRunner().invoke(report, ["assessment-summaries", *args])


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    work = tmp_path_factory.mktemp("summaries")
    round_file = _three_bid_round(work)
    folder = work / "out" / "summaries"
    outcome = _issue(
        str(round_file),
        "-o",
        str(folder),
        "--processes",
        "2",
        "--council",
        "Wigmoor Borough Council",
        "--date",
        "2026-05-01",
    )
    return round_file, folder, outcome


@pytest.mark.slow
def test_one_summary_per_bid_is_written_with_a_manifest(
    issued: tuple[Path, Path, Result],
) -> None:
    round_file, folder, outcome = issued
    assert outcome.exit_code == 0, outcome.output + outcome.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{bid_id}.pdf" for bid_id in THREE] + ["manifest.json"]
    )
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    digest = inputs_digest(load_round(round_file))
    assert manifest["inputs_digest"] == digest
    assert manifest["date"] == "2026-05-01"
    entries = manifest["assessment_summaries"]
    assert sorted(e["bid_id"] for e in entries) == sorted(THREE)
    for entry in entries:
        data = (folder / entry["file"]).read_bytes()
        assert entry["file"] == f"{entry['bid_id']}.pdf"
        assert entry["pdf_sha256"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert entry["pages"] == len(PdfReader(io.BytesIO(data)).pages)
        assert entry["inputs_digest"] == digest
        text = _pdf_text(data)
        assert f"Assessment summary for {entry['bidder']}" in text
        assert "Wigmoor Borough Council" in text


@pytest.mark.slow
def test_progress_goes_to_stderr_and_a_summary_line_to_stdout(
    issued: tuple[Path, Path, Result],
) -> None:
    _, folder, outcome = issued
    assert "Rendering assessment summaries" in outcome.stderr
    assert "Renderer warning" not in outcome.stderr
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    pages = sum(e["pages"] for e in manifest["assessment_summaries"])
    assert f"Wrote 3 assessment summaries ({pages} pages) and manifest.json" in outcome.stdout
    assert "seconds" in outcome.stdout
    assert "Rendering" not in outcome.stdout


def test_a_missing_round_file_is_refused_and_no_folder_made(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    outcome = _issue(str(tmp_path / "none.yaml"), "-o", str(folder))
    assert outcome.exit_code == INVALID_INPUT
    assert "cannot read the round file" in outcome.stderr
    assert not folder.exists()


def test_a_round_file_with_problems_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "round.yaml"
    broken.write_text("id: x\ntitle: A round\nframework: no-such-framework\n", encoding="utf-8")
    outcome = _issue(str(broken), "-o", str(tmp_path / "out"))
    assert outcome.exit_code == INVALID_INPUT
    assert not (tmp_path / "out").exists()


def test_an_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "summaries"
    target.write_text("not a folder", encoding="utf-8")
    outcome = _issue(str(ROUND_FILE), "-o", str(target))
    assert outcome.exit_code == INVALID_INPUT
    assert target.read_text(encoding="utf-8") == "not a folder"


def test_zero_processes_is_refused(tmp_path: Path) -> None:
    outcome = _issue(str(ROUND_FILE), "-o", str(tmp_path / "out"), "--processes", "0")
    assert outcome.exit_code == INVALID_INPUT
    assert "--processes" in outcome.stderr


def test_file_names_come_from_bid_ids_and_stay_inside_the_folder() -> None:
    names = summary_file_names(["hollin-brook", "../../etc/passwd", "a/b", "X\\Y", "..", "Kestrel"])
    assert names == {
        "hollin-brook": "hollin-brook.pdf",
        "../../etc/passwd": "etc-passwd.pdf",
        "a/b": "a-b.pdf",
        "X\\Y": "X-Y.pdf",
        "..": "bid.pdf",
        "Kestrel": "Kestrel.pdf",
    }


def test_file_names_stay_distinct_even_where_case_is_ignored() -> None:
    names = summary_file_names(["care co", "care/co", "CARE-CO"])
    assert names == {
        "care co": "care-co.pdf",
        "care/co": "care-co-2.pdf",
        "CARE-CO": "CARE-CO-3.pdf",
    }
