"""A plain reference document for WeasyPrint's own rate: paragraphs and simple tables, one per page.

The board pack's pages per second mean little alone: WeasyPrint's speed depends on the machine
and on how much text a page holds. This document is what WeasyPrint renders fastest per page of
ordinary text: each page is a heading, two paragraphs and a table of plain cells, filling most
of the page, with the board pack's own stylesheet (the same A4 page, margins, running header
and footer, fonts and sizes) and rendered by the same tagged PDF/UA pipeline
(`reports.render.render`). Every page starts a new one, so `reference_html(n)` is exactly `n`
pages, and a benchmark can set it beside a board pack of `n` pages.
"""

from __future__ import annotations

from html import escape

__all__ = ["ROWS_PER_PAGE", "reference_html"]

ROWS_PER_PAGE = 25
"""Table rows on each page: as many as fit under the heading and paragraphs with room to spare."""

_TEXT = (
    "the council pays every care worker at least the real living wage for each hour of care "
    "and for the time spent travelling between visits while the provider keeps its office and "
    "its jobs in the borough and reports each quarter on the promises it made"
)
_WORDS = _TEXT.split()


def _words(start: int, count: int) -> str:
    return " ".join(_WORDS[(start + k) % len(_WORDS)] for k in range(count))


def _page(number: int) -> str:
    paragraph = _words(number, 70).capitalize() + "."
    new_page = ' class="new-page"' if number > 1 else ""
    rows = "".join(
        f'<tr><th scope="row">Criterion {number}.{row + 1}</th>'
        f"<td>{escape(_words(number + row, 5))}</td>"
        f'<td class="number">{(number * 7 + row * 3) % 10} of 10</td>'
        f'<td class="number">{(number + row) % 9}.{row % 10}0</td></tr>'
        for row in range(ROWS_PER_PAGE)
    )
    return (
        f"<section><h2{new_page}>Part {number}</h2><p>{paragraph}</p><p>{paragraph}</p>"
        f"<table><caption>Table {number}</caption><thead><tr>"
        '<th scope="col">Criterion</th><th scope="col">Answer</th>'
        '<th scope="col" class="number">Points</th><th scope="col" class="number">Adds</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def reference_html(pages: int) -> str:
    """A document of exactly `pages` A4 pages, linking the reports' own `print.css`."""
    body = "\n".join(_page(number) for number in range(1, pages + 1))
    return (
        '<!DOCTYPE html>\n<html lang="en-GB" class="report">\n<head>\n<meta charset="utf-8">\n'
        '<title>Reference document</title>\n<link rel="stylesheet" href="print.css">\n</head>\n'
        f'<body>\n<p class="round-title">Reference document</p>\n{body}\n</body>\n</html>\n'
    )
