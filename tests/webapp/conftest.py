"""Helpers for reading the web app's HTML pages in tests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.award_world import AwardWorld


@dataclass
class Page:
    """What a test needs to know about an HTML page."""

    status_code: int
    title: str = ""
    h1s: list[str] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)
    ids: Counter[str] = field(default_factory=Counter)
    links: list[str] = field(default_factory=list)
    scripts: list[dict[str, str | None]] = field(default_factory=list)
    stylesheets: list[str] = field(default_factory=list)
    html_lang: str | None = None

    @property
    def duplicate_ids(self) -> list[str]:
        return [element_id for element_id, count in self.ids.items() if count > 1]


class _PageParser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self._capturing: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.page.classes.update((attributes.get("class") or "").split())
        if attributes.get("id"):
            self.page.ids[attributes["id"] or ""] += 1
        if tag == "html":
            self.page.html_lang = attributes.get("lang")
        elif tag == "a" and attributes.get("href"):
            self.page.links.append(attributes["href"] or "")
        elif tag == "script":
            self.page.scripts.append(attributes)
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.page.stylesheets.append(attributes.get("href") or "")
        if tag in {"title", "h1"}:
            self._capturing, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag != self._capturing:
            return
        text = " ".join("".join(self._text).split())
        if tag == "title":
            # The document's own title comes first; SVG images carry <title>s of their own.
            self.page.title = self.page.title or text
        else:
            self.page.h1s.append(text)
        self._capturing = None

    def handle_data(self, data: str) -> None:
        if self._capturing:
            self._text.append(data)


def parse_page(response: TestResponse) -> Page:
    page = Page(status_code=response.status_code)
    _PageParser(page).feed(response.get_data(as_text=True))
    return page


@pytest.fixture
def get_page(client: FlaskClient) -> Callable[[str], Page]:
    """GET a path and return the parsed page."""

    def get(path: str) -> Page:
        return parse_page(client.get(path))

    return get


@pytest.fixture
def award(app: Flask) -> AwardWorld:
    """A closed round of four submitted bids with three evaluators assigned (award_world.py)."""
    return AwardWorld(app)
