"""Rendering many reports at once, spread over the CPU cores, with progress.

Contexts are plain dicts, so they travel to worker processes as they are; each worker renders
with `reports.documents.render_document` and sends back the PDF and what happened on the way.
Workers start from a fork server that has already imported the renderer, so a worker costs a
fork, not a fresh import of WeasyPrint; forking from that clean server (never from the caller)
is safe even when the caller runs threads or holds database connections.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from reports.documents import render_document
from reports.render import Rendering

__all__ = ["Progress", "RenderJob", "Rendered", "available_cores", "render_many", "sha256_of"]

Progress = Callable[[int, int], None]
"""Called as `progress(done, total)` after each report is rendered, in the caller's process."""


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One report to render: `key` names it to the caller (a bid id, a file name)."""

    key: str
    template: str
    context: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rendered:
    key: str
    rendering: Rendering
    sha256: str  # `sha256:...` of the PDF bytes


def sha256_of(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def available_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _render(job: RenderJob) -> Rendered:
    rendering = render_document(job.template, job.context)
    return Rendered(job.key, rendering, sha256_of(rendering.pdf))


def _executor(processes: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["reports.documents"])
    return ProcessPoolExecutor(max_workers=processes, mp_context=context)


def render_many(
    jobs: Sequence[RenderJob],
    *,
    processes: int | None = None,
    progress: Progress | None = None,
) -> list[Rendered]:
    """Render every job, in the jobs' order, over `processes` worker processes.

    `processes` defaults to the available cores; 1 (or a single job) renders in this process.
    A job that fails raises its exception here: jobs not yet started are cancelled, and those
    already running are waited for.
    """
    total = len(jobs)
    workers = min(processes or available_cores(), total)
    if workers <= 1:
        rendered = []
        for done, job in enumerate(jobs, start=1):
            rendered.append(_render(job))
            if progress is not None:
                progress(done, total)
        return rendered
    results: list[Rendered | None] = [None] * total
    with _executor(workers) as pool:
        futures: dict[Future[Rendered], int] = {
            pool.submit(_render, job): index for index, job in enumerate(jobs)
        }
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if progress is not None:
                    progress(done, total)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return [r for r in results if r is not None]
