"""Rendering many reports over worker processes: order, progress, same PDFs, failures surface.

The contexts are real assessment summaries of the example round cut down to a few criteria, so
each PDF renders in a fraction of a second and still names its own bidder.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
from dataclasses import dataclass
from typing import Any

import pytest
from jinja2.exceptions import UndefinedError
from pypdf import PdfReader

from criteria.improvement import improvement_advice
from reports.bulk import Rendered, RenderJob, available_cores, render_many, sha256_of
from reports.context import assessment_summary_context
from reports.documents import SUMMARY

from .conftest import KEPT, ScoredRound


def _summary_job(scored: ScoredRound, bid_id: str, rows: int) -> RenderJob:
    bid = scored.result.bid(bid_id)
    context = assessment_summary_context(
        scored.framework,
        scored.meta,
        scored.result,
        bid_id,
        improvement_advice(scored.framework, bid),
    )
    context["criteria"] = context["criteria"][:rows]
    context["winner_scores"] = context["winner_scores"][:rows]
    context["recipient"]["criteria"] = context["recipient"]["criteria"][:rows]
    context["advice"] = context["advice"][:1]
    return RenderJob(key=f"{bid_id}.pdf", template=SUMMARY, context=context)


def _text(rendered: Rendered) -> str:
    reader = PdfReader(io.BytesIO(rendered.rendering.pdf))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


@dataclass(frozen=True)
class Runs:
    jobs: list[RenderJob]
    serial: list[Rendered]
    parallel: list[Rendered]
    serial_progress: list[tuple[int, int]]
    parallel_progress: list[tuple[int, int]]


@pytest.fixture(scope="module")
def runs(scored: ScoredRound) -> Runs:
    # The first job is the longest, so with two workers a later job finishes before it does.
    jobs = [_summary_job(scored, KEPT[0], rows=40)] + [
        _summary_job(scored, bid_id, rows=2) for bid_id in KEPT[1:]
    ]
    serial_progress: list[tuple[int, int]] = []
    parallel_progress: list[tuple[int, int]] = []
    serial = render_many(
        jobs, processes=1, progress=lambda done, total: serial_progress.append((done, total))
    )
    parallel = render_many(
        jobs, processes=2, progress=lambda done, total: parallel_progress.append((done, total))
    )
    return Runs(jobs, serial, parallel, serial_progress, parallel_progress)


def test_results_come_back_in_the_jobs_order_each_with_its_own_report(runs: Runs) -> None:
    for rendered in (runs.serial, runs.parallel):
        assert [r.key for r in rendered] == [j.key for j in runs.jobs]
        for job, result in zip(runs.jobs, rendered, strict=True):
            assert f"Assessment summary for {job.context['recipient']['name']}" in _text(result)


def test_progress_is_reported_once_per_report_counting_up(runs: Runs) -> None:
    total = len(runs.jobs)
    expected = [(done, total) for done in range(1, total + 1)]
    assert runs.serial_progress == expected
    assert runs.parallel_progress == expected


def test_two_processes_make_the_same_pdfs_as_one(runs: Runs) -> None:
    # WeasyPrint writes no creation date or random document id, so the bytes are reproducible.
    assert [r.sha256 for r in runs.parallel] == [r.sha256 for r in runs.serial]
    assert len({r.sha256 for r in runs.serial}) == len(runs.jobs)


def test_each_hash_is_the_sha256_of_its_pdf_and_pages_are_counted(runs: Runs) -> None:
    for rendered in runs.parallel:
        assert rendered.sha256 == "sha256:" + hashlib.sha256(rendered.rendering.pdf).hexdigest()
        assert rendered.sha256 == sha256_of(rendered.rendering.pdf)
        assert rendered.rendering.pages == len(PdfReader(io.BytesIO(rendered.rendering.pdf)).pages)
        assert rendered.rendering.warnings == ()
        assert rendered.rendering.refused == ()
    assert runs.parallel[0].rendering.pages > runs.parallel[1].rendering.pages


def _broken(job: RenderJob) -> RenderJob:
    context: dict[str, Any] = {k: v for k, v in job.context.items() if k != "winner"}
    return RenderJob(key="broken.pdf", template=job.template, context=context)


def test_a_failing_job_raises_and_leaves_no_worker_running(runs: Runs) -> None:
    jobs = [runs.jobs[1], _broken(runs.jobs[2]), runs.jobs[3], runs.jobs[2]]
    with pytest.raises(UndefinedError, match="winner"):
        render_many(jobs, processes=2)
    assert multiprocessing.active_children() == []


def test_a_failing_job_raises_in_process_too(runs: Runs) -> None:
    with pytest.raises(UndefinedError, match="winner"):
        render_many([_broken(runs.jobs[1])], processes=1)


def test_no_jobs_render_nothing() -> None:
    calls: list[tuple[int, int]] = []
    assert render_many([], processes=2, progress=lambda d, t: calls.append((d, t))) == []
    assert calls == []


def test_available_cores_is_at_least_one() -> None:
    assert available_cores() >= 1
