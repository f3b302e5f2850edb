"""Posting forms in tests the way a browser does: fetch the page, then send its CSRF token.

CSRF protection is on in tests, as in production. Use these from any web app test:

    from tests.webapp.forms_helper import csrf_token_of, post_form

    response = post_form(client, "/sign-in", {"email": "a@example.org", "password": "..."})
"""

from __future__ import annotations

from collections.abc import Mapping
from html.parser import HTMLParser
from typing import IO, Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse


class _CsrfTokenParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.token: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.token is None and tag == "input" and attributes.get("name") == "csrf_token":
            self.token = attributes.get("value") or ""


def csrf_token_in(html: str) -> str | None:
    """The value of the first `csrf_token` hidden input in `html`, or None if there is none."""
    parser = _CsrfTokenParser()
    parser.feed(html)
    return parser.token


def csrf_token_of(client: FlaskClient, url: str) -> str:
    """GET `url` with `client` and return the form's CSRF token (fails the test if absent)."""
    response = client.get(url)
    token = csrf_token_in(response.get_data(as_text=True))
    assert token, f"GET {url} answered {response.status_code} with no csrf_token input in the page"
    return token


def post_form(
    client: FlaskClient,
    url: str,
    data: Mapping[str, Any] | None = None,
    *,
    follow_redirects: bool = False,
    files: Mapping[str, tuple[IO[bytes], str]] | None = None,
    token_from: str | None = None,
) -> TestResponse:
    """POST `data` to `url` with the CSRF token read from the page at `url`.

    `files` maps a file field to `(BytesIO(content), filename)` and makes the request multipart.
    `token_from` reads the token from another page, for a form posted to a URL that has no GET
    (a "Deactivate" button on a list page, say). Values may be lists for multi-valued fields.
    """
    form: dict[str, Any] = dict(data or {})
    form["csrf_token"] = csrf_token_of(client, token_from or url)
    if files:
        form.update(files)
    # Werkzeug sends multipart/form-data by itself when a value is a (file, name) pair.
    return client.post(url, data=form, follow_redirects=follow_redirects)


def sign_out(client: FlaskClient) -> TestResponse:
    """Press "Sign out" in the header: a POST with the page's CSRF token."""
    return post_form(client, "/sign-out", token_from="/")
