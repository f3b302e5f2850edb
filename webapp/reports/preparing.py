"""The page a PDF download link opens: the PDF being made, then the download.

A board pack, an assessment summary or a self-assessment report is made by a report job, never
inside a request (`webapp.services.report_documents`). Its download link opens
`document_status_page`: "being made", looking again every few seconds with a `<meta
http-equiv="refresh">` (no JavaScript needed) until the PDF is in the store, then "ready", which
starts the download; or "could not be made", with the error and a link to try again.

The page checks the same access as its PDF, so it reveals nothing the PDF would not.
"""

from __future__ import annotations

from flask import render_template

from reports.documents import BOARD_PACK, SELF_ASSESSMENT, SUMMARY
from webapp.models import ReportJobStatus
from webapp.services.report_documents import DocumentRequest

__all__ = ["PREPARING_TIMES", "REFRESH_SECONDS", "document_status_page"]

REFRESH_SECONDS = 2

PREPARING_TIMES: dict[str, str] = {
    BOARD_PACK: "up to 10 seconds",
    SUMMARY: "a few seconds",
    SELF_ASSESSMENT: "up to 10 seconds",
}
"""About how long each report's PDF takes to make, in words."""


def document_status_page(
    document: str,
    found: DocumentRequest,
    *,
    kind: str,
    subject: str,
    pdf_url: str,
    status_url: str,
    back: dict[str, str],
) -> str:
    """The page of a document's PDF: being made, ready (the download starts), or failed."""
    if found.issued is not None:
        state = "ready"
    elif found.job is not None and found.job.status == ReportJobStatus.FAILED.value:
        state = "failed"
    else:
        state = "making"
    separator = "&" if "?" in status_url else "?"
    return render_template(
        "reports/document_status.html",
        state=state,
        job=found.job,
        kind=kind,
        subject=subject,
        pdf_url=pdf_url,
        status_url=status_url,
        again_url=f"{status_url}{separator}again=1",
        back=back,
        takes=PREPARING_TIMES[document],
        refresh_seconds=REFRESH_SECONDS,
    )
