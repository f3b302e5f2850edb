"""The renderer: tagged PDFs with title and language, and a fetcher that reads only our assets."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.fetcher import AssetFetcher
from reports.render import ASSETS, RefusedURLError, render

PRINT_CSS = (ASSETS / "print.css").resolve().as_uri()

PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>A page</title>
<link rel="stylesheet" href="print.css"></head>
<body><h1>Heading</h1><p>{body}</p></body></html>"""


@pytest.fixture
def fetcher() -> AssetFetcher:
    return AssetFetcher(ASSETS)


def test_fetcher_serves_the_reports_own_stylesheet(fetcher: AssetFetcher) -> None:
    response = fetcher(PRINT_CSS)
    try:
        assert b"@page" in response.read()
    finally:
        response.close()
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://example.org/logo.png",
        "file:///etc/passwd",
        (ASSETS / ".." / "render.py").as_uri(),
        (ASSETS / "missing.css").as_uri(),
        "file://evil.example/share/print.css",
        "data:text/css,body{color:red}",
        "ftp://127.0.0.1/x",
    ],
)
def test_fetcher_refuses_anything_outside_the_assets(fetcher: AssetFetcher, url: str) -> None:
    with pytest.raises(RefusedURLError):
        fetcher(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_a_symlink_out_of_the_assets(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    secret = tmp_path / "secret.css"
    secret.write_text("body {}", encoding="utf-8")
    (tmp_path / "assets" / "link.css").symlink_to(secret)
    fetcher = AssetFetcher(tmp_path / "assets")
    with pytest.raises(RefusedURLError):
        fetcher((tmp_path / "assets" / "link.css").as_uri())


def test_rendering_sets_title_language_and_tags() -> None:
    rendering = render(PAGE.format(body="Hello"), title="A report title")
    reader = PdfReader(io.BytesIO(rendering.pdf))
    catalog = reader.trailer["/Root"]
    assert reader.metadata is not None
    assert reader.metadata.title == "A report title"
    assert catalog["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert rendering.warnings == ()
    assert rendering.requested == (PRINT_CSS,)


def test_markup_that_names_a_url_is_refused_and_the_refusal_logged() -> None:
    # Real markup (never produced from answers, which are escaped) proves the fetcher is in use.
    html = PAGE.format(body='<img src="http://127.0.0.1:9/x" alt="">')
    rendering = render(html, title="Hostile")
    assert rendering.refused == ("http://127.0.0.1:9/x",)
    assert rendering.warnings  # WeasyPrint logs the failed load; reports must log none
