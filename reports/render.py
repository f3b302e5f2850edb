"""Turning a report's HTML into a tagged PDF (PDF/UA-1) with WeasyPrint, safely.

Report HTML carries text that providers wrote, so the renderer must never fetch or read anything
that text could name. `reports.fetcher.AssetFetcher` serves only files inside the report's own
assets folder (print CSS, fonts); every other URL (http, https, data, a file anywhere else) is
refused and recorded. WeasyPrint's log warnings are captured with each rendering so that callers
and tests can insist on none.

WeasyPrint takes about a second to import, so it is imported by `render` on first use: the web
app and the `commonweal` command start without it, and pay for it only when a PDF is made.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ASSETS",
    "LANGUAGE",
    "RefusedURLError",
    "Rendering",
    "render",
    "render_pdf",
]

ASSETS = Path(__file__).parent / "assets"
"""The report's own CSS and fonts: the only files a rendering may read."""

LANGUAGE = "en-GB"
PDF_VARIANT = "pdf/ua-1"  # tagged: headings, tables with header cells, reading order


class RefusedURLError(ValueError):
    """A rendering asked for a URL outside the report's own assets."""


@dataclass(frozen=True)
class Rendering:
    """A rendered PDF with what happened on the way: warnings logged, URLs asked for."""

    pdf: bytes
    pages: int
    warnings: tuple[str, ...]
    requested: tuple[str, ...]
    refused: tuple[str, ...]


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _captured_warnings() -> Iterator[list[str]]:
    """WeasyPrint's warnings and errors while the block runs (they still reach other handlers)."""
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)


def render(html: str, *, title: str, base_assets: Path = ASSETS) -> Rendering:
    """Render `html` to a tagged PDF with its title and language set; see `Rendering`.

    Relative URLs in `html` resolve against `base_assets`, the only folder that may be read.
    """
    from weasyprint import HTML

    from reports.fetcher import AssetFetcher

    fetcher = AssetFetcher(base_assets)
    with _captured_warnings() as warnings:
        document: Any = HTML(
            string=html, base_url=base_assets.resolve().as_uri() + "/", url_fetcher=fetcher
        ).render(pdf_variant=PDF_VARIANT)
        document.metadata.title = title
        document.metadata.lang = LANGUAGE
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    return Rendering(
        pdf=bytes(pdf),
        pages=len(document.pages),
        warnings=tuple(warnings),
        requested=tuple(fetcher.requested),
        refused=tuple(fetcher.refused),
    )


def render_pdf(html: str, *, title: str, base_assets: Path = ASSETS) -> bytes:
    """The PDF bytes of `render(html, title=..., base_assets=...)`."""
    return render(html, title=title, base_assets=base_assets).pdf
