"""Reading an "Are you sure" page in tests: what its confirmation form would post.

`confirmation_fields(response)` returns the hidden fields of the page's
`#confirmation-form` (the CSRF token, the answers carried over, `confirmed=yes`), so a test
confirms exactly as a person pressing the button would.
"""

from __future__ import annotations

from html.parser import HTMLParser

from werkzeug.test import TestResponse


class _ConfirmationFormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.found = False
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == "confirmation-form":
            self.inside = self.found = True
            self.action = attributes.get("action")
        elif self.inside and tag == "input" and attributes.get("type") == "hidden":
            self.fields[attributes.get("name") or ""] = attributes.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def confirmation_form(response: TestResponse) -> tuple[str, dict[str, str]]:
    """The confirmation form's action and hidden fields (fails the test if there is none)."""
    parser = _ConfirmationFormParser()
    parser.feed(response.get_data(as_text=True))
    assert parser.found, f"no confirmation form in a page that answered {response.status_code}"
    assert parser.action, "the confirmation form has no action"
    return parser.action, parser.fields


def confirmation_fields(response: TestResponse) -> dict[str, str]:
    return confirmation_form(response)[1]
