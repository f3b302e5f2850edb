"""Each report as HTML (its accessible twin) and as a PDF: a context in, a document out.

The HTML comes from the templates in `reports/templates` through a plain Jinja environment with
autoescaping on, so text written by providers is always shown as text, never read as markup.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reports.render import Rendering, render

__all__ = [
    "BOARD_PACK",
    "SELF_ASSESSMENT",
    "SUMMARY",
    "board_pack_title",
    "file_stem",
    "pdf_filename",
    "render_document",
    "render_html",
    "self_assessment_title",
    "summary_title",
]

TEMPLATES = Path(__file__).parent / "templates"
BOARD_PACK = "board_pack.html"
SUMMARY = "assessment_summary.html"
SELF_ASSESSMENT = "self_assessment.html"

_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(text: str) -> str:
    """`text` made safe as part of a file name in any folder: letters, digits, dots, hyphens.

    Free text (a bid id, an organisation's name) can never name a path elsewhere (`../x`).
    The result may be empty when `text` has nothing usable.
    """
    return _UNSAFE_IN_FILE_NAME.sub("-", text).strip(".-")


def pdf_filename(*parts: str) -> str:
    """`HC-2026-01-board-pack.pdf`: the safe parts joined with hyphens."""
    stem = "-".join(word for word in map(file_stem, parts) if word) or "report"
    return f"{stem}.pdf"


_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(template: str, context: dict[str, Any]) -> str:
    """A report's HTML from its template and context."""
    return _environment.get_template(template).render(context)


def board_pack_title(context: dict[str, Any]) -> str:
    return f"Board pack: {context['meta']['title']}"


def summary_title(context: dict[str, Any]) -> str:
    return f"Assessment summary for {context['recipient']['name']}: {context['meta']['title']}"


def self_assessment_title(context: dict[str, Any]) -> str:
    return f"Self-assessment report for {context['organisation']}"


_TITLES = {
    BOARD_PACK: board_pack_title,
    SUMMARY: summary_title,
    SELF_ASSESSMENT: self_assessment_title,
}


def render_document(template: str, context: dict[str, Any]) -> Rendering:
    """A report as a tagged PDF, with the rendering's warnings and the URLs it asked for."""
    return render(render_html(template, context), title=_TITLES[template](context))
