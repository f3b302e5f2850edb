"""Fixtures for the form builder's tests: a framework with every answer type, an app to render
GOV.UK macros in (no database needed), and a reader for the HTML the builder produces."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask

from config import TestingConfig
from criteria.loader import load_framework_text
from criteria.model import Framework
from webapp import create_app

HERE = Path(__file__).parent
VOID = {"input", "br", "img", "meta", "link", "hr", "source", "area", "base", "col", "wbr"}


@pytest.fixture(scope="session")
def every_type() -> Framework:
    """One question of every answer type, with follow-ups of each kind (every_type.yaml)."""
    path = HERE / "every_type.yaml"
    return load_framework_text(path.read_text(encoding="utf-8"), path.name)


@pytest.fixture
def form_app(tmp_path: Path) -> Iterator[Flask]:
    """An app to build and render forms in: a request context is pushed for the test."""
    app = create_app(TestingConfig(f"sqlite:///{tmp_path / 'unused.sqlite3'}"))
    with app.test_request_context("/"):
        yield app


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    inside: tuple[str, ...]
    """Ids of the elements this one is inside, outermost first."""


@dataclass
class Html:
    """The elements of an HTML fragment, with what each is nested in."""

    elements: list[Element] = field(default_factory=list)

    def by_id(self, element_id: str) -> Element:
        found = [e for e in self.elements if e.attrs.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]

    def named(self, name: str) -> list[Element]:
        return [e for e in self.elements if e.attrs.get("name") == name]

    @property
    def ids(self) -> list[str]:
        return [e.attrs["id"] for e in self.elements if "id" in e.attrs]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html = Html()
        self.stack: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        inside = tuple(i for _, i in self.stack if i)
        self.html.elements.append(Element(tag, attributes, inside))
        if tag not in VOID:
            self.stack.append((tag, attributes.get("id")))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return


def read_html(text: str) -> Html:
    reader = _Reader()
    reader.feed(text)
    return reader.html
