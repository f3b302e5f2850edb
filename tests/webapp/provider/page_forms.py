"""Reading a form page back in tests: the values it shows and the errors it links to."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer


@dataclass
class FormPage:
    """What a browser would send from the page, and what its error summary says."""

    values: dict[str, list[str]] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=dict)  # every option offered
    error_links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    field_errors: dict[str, str] = field(default_factory=dict)
    """The error message shown with each field, by the message's id (`<field id>-error`),
    without its visually hidden "Error:" prefix."""
    ids: set[str] = field(default_factory=set)

    def value(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None


class _FormParser(HTMLParser):
    def __init__(self, page: FormPage) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self._in_summary = False
        self._link: str | None = None
        self._text: list[str] = []
        self._textarea: str | None = None
        self._error: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if a.get("id"):
            self.page.ids.add(a["id"])
        classes = a.get("class", "").split()
        if "govuk-error-summary__list" in classes:
            self._in_summary = True
        elif self._in_summary and tag == "a":
            self._link, self._text = a.get("href", ""), []
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                self.page.radios.setdefault(a["name"], []).append(a.get("value", ""))
                if "checked" in a:
                    self.page.values.setdefault(a["name"], []).append(a.get("value", ""))
            elif kind not in ("submit", "button", "file"):
                self.page.values.setdefault(a["name"], []).append(a.get("value", ""))
        if tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []
        if self._error is not None:
            self._depth += 1
        elif "govuk-error-message" in classes and a.get("id"):
            self._error, self._depth, self._text = a["id"], 0, []

    def handle_endtag(self, tag: str) -> None:
        if self._error is not None:
            if self._depth:
                self._depth -= 1
                return
            text = " ".join("".join(self._text).split()).removeprefix("Error:").strip()
            self.page.field_errors[self._error] = text
            self._error = None
            return
        if tag == "ul":
            self._in_summary = False
        if tag == "a" and self._link is not None:
            self.page.error_links.append((self._link, " ".join("".join(self._text).split())))
            self._link = None
        elif tag == "textarea" and self._textarea is not None:
            self.page.values.setdefault(self._textarea, []).append("".join(self._text).strip())
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._link is not None or self._textarea is not None or self._error is not None:
            self._text.append(data)


def read_form(html: str) -> FormPage:
    page = FormPage()
    _FormParser(page).feed(html)
    return page


def session_csrf_token(app: Flask, client: FlaskClient) -> str:
    """A valid CSRF token for the client's session, as Flask-WTF makes one, for posting to a
    page the signed-in user may not even open (to show the refusal is the role's, not CSRF's)."""
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    return str(serializer.dumps(raw))
