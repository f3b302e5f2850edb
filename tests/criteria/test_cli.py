"""The `commonweal` command: frameworks list/show/validate and score, for people and machines."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from criteria.catalogue import FRAMEWORKS_DIR
from criteria.cli import main

ROOT = Path(__file__).resolve().parents[2]
ROUND_FILE = ROOT / "examples" / "homecare-2026" / "round.yaml"
ETHICAL_CARE = FRAMEWORKS_DIR / "ethical-care.yaml"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line of `path` that contains `text`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


# --- frameworks ---------------------------------------------------------------------


def test_frameworks_list_names_the_builtin_framework_with_its_version_and_hash() -> None:
    outcome = run("frameworks", "list")

    assert outcome.exit_code == 0
    assert "ethical-care" in outcome.output
    assert "2026.1" in outcome.output
    assert "sha256:" in outcome.output


def test_frameworks_show_outlines_pillars_sections_criteria_and_parameters() -> None:
    outcome = run("frameworks", "show", "ethical-care")

    assert outcome.exit_code == 0
    assert "Pillars (weight, allowed range):" in outcome.output
    assert "fw_lowest_hourly_pay" in outcome.output
    assert "$real_living_wage = 13.45" in outcome.output
    assert "Tie-break: pillar:quality" in outcome.output


def test_frameworks_show_of_an_unknown_id_exits_2_and_lists_the_known_ids() -> None:
    outcome = run("frameworks", "show", "ethical-kare")

    assert outcome.exit_code == 2
    assert "ethical-care" in outcome.output


def test_validate_every_builtin_framework_exits_0_with_its_hash() -> None:
    outcome = run("frameworks", "validate", *sorted(FRAMEWORKS_DIR.glob("*.yaml")))

    assert outcome.exit_code == 0, outcome.output
    assert f"OK {ETHICAL_CARE}: ethical-care 2026.1 sha256:" in outcome.output


def test_validate_a_misspelt_key_exits_2_naming_file_line_and_field(tmp_path: Path) -> None:
    text = ETHICAL_CARE.read_text(encoding="utf-8")
    bad = tmp_path / "misspelt.yaml"
    # Misspell the first `improve:` key, whichever criterion it belongs to.
    bad.write_text(text.replace("    improve:", "    imprvoe:", 1), encoding="utf-8")
    expected_line = line_of(bad, "imprvoe:")

    outcome = run("frameworks", "validate", bad)

    assert outcome.exit_code == 2
    assert f"{bad}:{expected_line}:" in outcome.output
    assert "unknown key 'imprvoe'" in outcome.output
    assert "did you mean 'improve'?" in outcome.output
    assert "(criterion '" in outcome.output


def test_validate_reports_every_file_and_fails_if_any_is_invalid(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: x\nversion: [\n", encoding="utf-8")

    outcome = run("frameworks", "validate", ETHICAL_CARE, bad)

    assert outcome.exit_code == 2
    assert f"OK {ETHICAL_CARE}" in outcome.output
    assert f"INVALID {bad}" in outcome.output
    assert "1 of 2 file(s) invalid" in outcome.output


def test_validate_as_a_real_process_exits_2_on_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")

    completed = subprocess.run(
        [sys.executable, "-m", "criteria.cli", "frameworks", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )

    assert completed.returncode == 2
    assert f"{bad}:1:" in completed.stderr


# --- score --------------------------------------------------------------------------


def test_score_json_ranks_all_eight_bids_with_an_explanation_for_every_criterion() -> None:
    outcome = run("score", ROUND_FILE, "--format", "json")

    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.output)
    assert document["round"]["id"] == "homecare-2026"
    assert len(document["bids"]) == 8
    ranked = [b for b in document["bids"] if b["status"] == "ranked"]
    assert [b["rank"] for b in ranked] == list(range(1, len(ranked) + 1))
    for bid in document["bids"]:
        assert len(bid["criteria"]) == 34
        for line in bid["criteria"]:
            assert {"answer", "rule", "raw", "max", "weight", "contribution", "reason"} <= set(line)
            assert line["reason"]
    excluded = [b for b in document["bids"] if b["status"] == "excluded"]
    assert excluded
    assert all(b["exclusions"] for b in excluded)


def test_score_json_is_byte_identical_across_runs() -> None:
    first = run("score", ROUND_FILE, "--format", "json").output
    second = run("score", ROUND_FILE, "--format", "json").output

    assert first == second


def test_score_csv_has_one_row_per_bid_and_explain_one_row_per_criterion() -> None:
    summary = list(csv.DictReader(io.StringIO(run("score", ROUND_FILE, "--format", "csv").output)))
    detail = list(
        csv.DictReader(io.StringIO(run("score", ROUND_FILE, "--format", "csv", "--explain").output))
    )

    assert len(summary) == 8
    assert summary[0]["rank"] == "1"
    assert {"total", "quality", "price", "exclusions", "flags"} <= set(summary[0])
    assert len(detail) == 8 * 34
    assert all(row["reason"] for row in detail)


def test_score_table_explains_exclusions_flags_and_the_recommendation() -> None:
    outcome = run("score", ROUND_FILE, "--explain")

    assert outcome.exit_code == 0
    assert "Recommended: Hollin Brook Care Co-operative" in outcome.output
    assert "Excluded bids:" in outcome.output
    assert "Price flags:" in outcome.output
    assert "Decision needed." in outcome.output
    assert "below £32.14" in outcome.output
    # the per-criterion trail, by each criterion's title and with parameters in words
    assert "Lowest hourly pay" in outcome.output
    assert "is at least the Real Living Wage (£13.45): 10 of 10" in outcome.output
    assert "fw_lowest_hourly_pay" not in outcome.output
    assert "$" not in outcome.output


def test_score_with_robustness_gives_first_place_chances_that_sum_to_one() -> None:
    table = run("score", ROUND_FILE, "--robustness", "--samples", "2000")
    document = json.loads(
        run("score", ROUND_FILE, "--format", "json", "--robustness", "--samples", "2000").output
    )

    assert table.exit_code == 0
    assert "chance of ranking first" in table.output
    chances = document["robustness"]["first_place"]
    assert sum(float(p) for p in chances.values()) == pytest.approx(1.0, abs=1e-3)
    assert document["robustness"]["samples"] == 2000


def test_score_a_round_file_with_a_misspelt_key_exits_2_with_its_line(tmp_path: Path) -> None:
    text = ROUND_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "round.yaml"
    bad.write_text(text.replace("  - id:", "  - idd:", 1), encoding="utf-8")

    outcome = run("score", bad)

    assert outcome.exit_code == 2
    assert f"{bad}:{line_of(bad, 'idd:')}:" in outcome.output
    assert "unknown key 'idd'" in outcome.output


def test_score_a_round_naming_an_unknown_framework_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "round.yaml"
    bad.write_text("id: r\ntitle: R\nframework: nonesuch\nbids: []\n", encoding="utf-8")

    outcome = run("score", bad)

    assert outcome.exit_code == 2
    assert "nonesuch" in outcome.output
