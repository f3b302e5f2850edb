"""Serving a report: as a web page (its HTML twin) or as a PDF download.

The twin is the report's own HTML body, the same markup the PDF is made from, shown inside
the app's page with a screen stylesheet; the report templates escape every text a provider
wrote, so the body is inserted as it is. Every PDF is made by a report job and served from the
issued-report store (`pdf_download`); no request renders one. On screen each of the twin's
tables scrolls sideways in a region of its own, so the page fits a phone.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, render_template
from markupsafe import Markup, escape

from reports.documents import render_html

__all__ = [
    "pdf_download",
    "report_body",
    "twin_page",
]


def report_body(template: str, context: dict[str, Any]) -> Markup:
    """The inside of the report's `<body>`: our own, already escaped, output."""
    html = render_html(template, context)
    _, found, rest = html.partition("<body>")
    body, closed, _ = rest.rpartition("</body>")
    if not found or not closed:
        raise ValueError(f"report template {template} has no <body> element")
    # Rendered by the report environment, which escapes every value it inserts.
    return Markup(body)


_TABLE_START = re.compile(r"<table\b[^>]*>\s*(?:<caption\b[^>]*>(?P<caption>.*?)</caption>)?", re.S)


def scrollable_tables(body: Markup) -> Markup:
    """The twin's body with each table in a named, focusable region that scrolls sideways.

    A report's tables have more columns than a phone is wide; WCAG 1.4.10 lets such a table
    scroll inside its own region, never the page. The PDF keeps its tables as they are. Each
    region is named "Table n: caption", which keeps the names unique when captions repeat.
    """
    number = 0

    def region(match: re.Match[str]) -> str:
        nonlocal number
        number += 1
        caption = Markup(match.group("caption") or "").striptags()
        label = f"Table {number}: {caption}" if caption else f"Table {number}"
        return (
            f'<div class="app-table-wrap" role="region" aria-label="{escape(label)}" '
            f'tabindex="0">{match.group(0)}'
        )

    wrapped = _TABLE_START.sub(region, str(body)).replace("</table>", "</table></div>")
    # Only our own tags were added, around markup that was already safe.
    return Markup(wrapped)


def twin_page(
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    back: dict[str, str],
    pdf_url: str,
    kind: str,
) -> str:
    """A GOV.UK page whose main content is the report itself, with links to download its PDF.

    `pdf_url` is where those links go: the report's "being prepared" page (`preparing`).
    """
    return render_template(
        "reports/report_page.html",
        title=title,
        back=back,
        pdf_url=pdf_url,
        kind=kind,
        report=scrollable_tables(report_body(template, context)),
    )


def pdf_download(pdf: bytes, filename: str) -> Response:
    """PDF bytes as an attachment that no cache keeps."""
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
