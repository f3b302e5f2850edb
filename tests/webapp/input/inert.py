"""Reading pages and PDFs for injected markup: what a test needs to say text stayed text."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from flask.testing import FlaskClient
from pypdf import PdfReader


def payload(tag: str) -> str:
    """Hostile text for one field, named by `tag` so a page shows where it came from."""
    return (
        f'{tag} <script>alert(1)</script>"><img src=x onerror=alert(1)>'
        f'<cw-injected>x</cw-injected> <a href="javascript:alert(1)">link</a> '
        "{{7*7}} {% print 7*7 %} '; DROP TABLE bid; --"
    )


INJECTED_TAG = "cw-injected"
SCRIPT_CALL = "alert(1)"


@dataclass
class Markup:
    """What an HTML page holds besides its text: the elements and attributes that can act."""

    problems: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self, markup: Markup) -> None:
        super().__init__(convert_charrefs=True)
        self.markup = markup
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = self.markup.problems
        if tag == INJECTED_TAG:
            found.append(f"<{tag}> element")
        for name, value in attrs:
            text = (value or "").strip().lower()
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...> event handler")
            if name in {"href", "src", "action", "formaction", "data", "srcdoc"} and (
                text.startswith("javascript:") or (tag == "img" and text == "x")
            ):
                found.append(f"<{tag} {name}={value!r}>")
            self.markup.text.append(value or "")
        if tag == "a" and dict(attrs).get("href"):
            self.markup.links.append(dict(attrs)["href"] or "")
        self._script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and SCRIPT_CALL in data:
            self.markup.problems.append("a script that calls alert")
        self.markup.text.append(data)


def read_markup(html: str) -> Markup:
    markup = Markup()
    _Reader(markup).feed(html)
    return markup


def squashed(text: str) -> str:
    """Text without whitespace, for finding a phrase however a page or PDF broke its lines."""
    return "".join(text.split())


_SKIPPED = ("/static/", "/assets/", "/styles/", "/sign-out", "/download", ".pdf", "/evidence/")


def crawl(client: FlaskClient, start: str, *, limit: int = 120) -> Iterator[tuple[str, str]]:
    """(path, html) of each page reached from `start` by the app's own links, GET only."""
    queue, seen = [start], {start}
    while queue and len(seen) <= limit:
        path = queue.pop(0)
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        yield path, html
        for href in read_markup(html).links:
            target = urldefrag(href).url
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/"):
                continue
            if any(skip in target for skip in _SKIPPED) or target in seen:
                continue
            seen.add(target)
            queue.append(target)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def pdf_links(content: bytes) -> list[str]:
    """Every URI a link in the PDF points at."""
    found = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                found.append(str(action["/URI"]))
    return found


def pdf_file(content: bytes) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)  # noqa: SIM115
    with handle:
        handle.write(content)
    return Path(handle.name)
