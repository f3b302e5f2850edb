"""The reports benchmark: its round is a valid one, and the script runs and reports its figures.

No timing is asserted: the figures depend on the machine. The smoke test runs the script as
`make bench-reports` does, with sizes small enough to finish in seconds.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from criteria.engine import score_round
from criteria.round_file import load_round

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "bench_reports.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_reports", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_round_is_a_valid_round_file_of_thirty_distinct_bids(
    bench: ModuleType, tmp_path: Path
) -> None:
    _, round_ = bench.build_round(30)
    path = tmp_path / "round.yaml"
    path.write_text(yaml.safe_dump(round_.model_dump(mode="json")), encoding="utf-8")

    loaded = load_round(path)  # checks answers' criteria, marks, panel and conflicts

    bids = loaded.round.bids
    assert len(bids) == 30
    assert len({b.id for b in bids}) == len({b.name for b in bids}) == 30
    for member in loaded.round.panel:
        assert {d.bid for d in member.declarations} == {b.id for b in bids}


def test_benchmark_round_has_three_marks_per_written_answer_and_some_price_flags(
    bench: ModuleType,
) -> None:
    framework, round_ = bench.build_round(30)
    result = score_round(framework, round_.bids, round_.marks, round_.settings, round_.decisions)

    marked = [m for by_criterion in round_.marks.values() for m in by_criterion.values()]
    assert marked
    assert all(len(m.marks) == 3 for m in marked)
    flagged = [b for b in result.bids if b.flags]
    assert 0 < len(flagged) < len(result.bids) // 2
    decided = {f.decision for b in flagged for f in b.flags}
    assert decided == {"accept", "disregard", None}
    assert len(result.ranked) > 10


def test_summary_jobs_cycle_the_bids_under_distinct_names(bench: ModuleType) -> None:
    framework, round_ = bench.build_round(4)

    jobs = bench.summary_jobs(framework, round_, 10)

    assert len(jobs) == 10
    assert len({j.key for j in jobs}) == len({j.context["recipient"]["name"] for j in jobs}) == 10
    assert jobs[4].context["recipient"]["name"] == f"{jobs[0].context['recipient']['name']} (2)"


@pytest.mark.slow
def test_script_runs_small_and_prints_and_writes_every_figure(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    sizes = ["--bids", "1", "--summaries", "2", "--repeat", "1", "--samples", "50"]

    run = subprocess.run(
        [sys.executable, str(SCRIPT), *sizes, "--json", str(figures)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert re.search(
        r"^Round: 1 bid on the ethical-care framework, .* CPU cores? available", out, re.M
    )
    assert re.search(r"^Board pack \(\d+ pages\)$", out, re.M)
    for label in ("whole pipeline", "WeasyPrint alone, same HTML"):
        assert re.search(rf"^  {label} +\d+\.\d\d s +\d+\.\d pages/s$", out, re.M), label
    assert re.search(r"^    of which scoring to HTML +\d+\.\d\d s$", out, re.M)
    assert re.search(
        r"^  pipeline / WeasyPrint +\d+\.\d{3} +\(goal <= 1\.25\): (PASS|MISS)$", out, re.M
    )
    assert re.search(r"^  reference document, same pages +\d+\.\d\d s +\d+\.\d pages/s$", out, re.M)
    assert re.search(
        r"^  pack rate / reference rate +\d+\.\d{3} +\(goal >= 0\.7\): (PASS|MISS)$", out, re.M
    )
    assert re.search(
        r"^  pack ready in +\d+\.\d\d s +\(the goal of <= 12 s is set for 30 bids\)$", out, re.M
    )
    assert re.search(r"^Assessment summaries \(2 summaries, \d+ pages\)$", out, re.M)
    for label in ("render_many, 1 process", "render_many, 2 processes"):
        assert re.search(rf"^  {label} +\d+\.\d\d s +\d+\.\d pages/s$", out, re.M), label
    assert re.search(
        r"^  speed-up +\d+\.\d\dx +\(goal >= 1\.7 with 2 processes\): (PASS|MISS)$", out, re.M
    )
    assert "Renderer warning" not in out

    found = json.loads(figures.read_text(encoding="utf-8"))
    pack, summaries = found["board_pack"], found["summaries"]
    assert (found["bids"], found["samples"], found["repeat"]) == (1, 50, 1)
    assert found["cores"] >= 1
    assert pack["pages"] > 1
    assert pack["warnings"] == []
    assert 0 < pack["before_pdf_seconds"] < pack["pipeline_seconds"]
    assert pack["ratio"] == pytest.approx(pack["pipeline_seconds"] / pack["weasyprint_seconds"])
    reference_rate = pack["pages"] / pack["reference_seconds"]
    assert pack["reference_pages_per_second"] == pytest.approx(reference_rate)
    assert pack["rate_ratio"] == pytest.approx(pack["pages_per_second"] / reference_rate)
    assert pack["rate_met"] is (pack["rate_ratio"] >= 0.7)
    assert (pack["seconds_goal"], pack["seconds_met"]) == (None, None)
    assert pack["met"] == (pack["ratio"] <= 1.25)
    assert summaries["count"] == 2
    assert summaries["processes"] == 2
    assert summaries["pages"] > 1
    assert summaries["warnings"] == []
    assert summaries["speed_up"] == pytest.approx(
        summaries["serial_seconds"] / summaries["parallel_seconds"]
    )
    assert summaries["met"] == (summaries["speed_up"] >= 1.7)
