"""Every route of the app, for every role, with real ids: who gets through and who is refused.

The routes come from `app.url_map`, so a new one cannot escape: it fails the first test until
it has an entry in `access_table.ACCESS`. Each route is requested by everyone in `Who` (a
fresh browser each time) in the world of `AccessWorld`, and the answer is held to the table.
A refused POST must change nothing in the database: every table's rows are compared before
and after. CSRF is switched off for the POSTs, so what refuses them is the authorisation
itself, not a missing token (CSRF refusal is tested on its own elsewhere).

The commissioning model has no councils (one council per installation): there is no
"commissioner of another council" to try. Each organisation is its own tenant, tried as
"other provider".
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from tests.webapp.authorisation.access_table import ACCESS, Allowed
from tests.webapp.authorisation.world import OWN, AccessWorld, Who, database_state

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint)


def test_every_route_is_in_the_access_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ACCESS))
    stale = sorted(set(ACCESS) - endpoints)
    assert not missing, f"add these routes to the access table (access_table.py): {missing}"
    assert not stale, f"these routes are gone: remove them from the access table: {stale}"


# --- requests --------------------------------------------------------------------------------


def _url(world: AccessWorld, rule: Rule, entry: Allowed) -> str:
    values = world.url_values()
    if entry.open_round:
        values |= {"round_id": world.open_round_id, "bid_id": world.open_bid_ids[OWN]}
    if rule.endpoint == "styles.static":
        values["filename"] = "commonweal.css"
    unknown = sorted(set(rule.arguments) - set(values))
    assert not unknown, f"{rule.endpoint}: give AccessWorld.url_values() a real value for {unknown}"
    arguments = {name: values[name] for name in rule.arguments}
    if rule.endpoint == "provider.change_bid":
        arguments["section"] = values["section_id"]  # the section about to be changed
    with world.app.test_request_context():
        return url_for(rule.endpoint, **arguments)


@dataclass
class Answer:
    status: int
    location: str

    @classmethod
    def of(cls, response: TestResponse) -> Answer:
        response.close()  # a file sent (a document, an asset) is closed
        return cls(response.status_code, response.headers.get("Location", ""))

    @property
    def to_sign_in(self) -> bool:
        return self.status in {301, 302, 303} and "/sign-in" in self.location

    @property
    def through(self) -> bool:
        return self.status < 400 and not self.to_sign_in

    @property
    def refused(self) -> bool:
        return self.status in {403, 404}

    def __str__(self) -> str:
        return f"{self.status} {self.location}".strip()


def _expected(entry: Allowed, who: Who, roles: frozenset[Who]) -> str:
    if entry.public:
        return "public"
    if who in roles:
        return "through"
    return "sign in" if who == Who.ANONYMOUS else "refused"


def _matches(expected: str, answer: Answer) -> bool:
    if expected == "public":
        return answer.status < 500 and answer.status != 403 and not answer.to_sign_in
    if expected == "through":
        return answer.through
    if expected == "sign in":
        return answer.to_sign_in
    return answer.refused


def _gets(world: AccessWorld, *, render_pdfs: bool) -> Iterator[tuple[str, Who, str]]:
    """(route, who, expected) for every page request the matrix makes."""
    for rule in _rules(world.app):
        if "GET" not in rule.methods:  # type: ignore[operator]
            continue
        entry = ACCESS[rule.endpoint]
        for who in Who:
            expected = _expected(entry, who, entry.roles)
            rendered = render_pdfs and who == entry.pdf_as
            if expected == "through" and entry.renders_pdf and not rendered:
                continue
            yield rule.endpoint, who, expected


class Browsers:
    """One signed-in browser per person, reused; a fresh one for whatever ends the session."""

    FRESH = frozenset({"auth.sign_out"})

    def __init__(self, world: AccessWorld) -> None:
        self.world = world
        self.kept: dict[Who, FlaskClient] = {}

    def get(self, endpoint: str, who: Who) -> FlaskClient:
        if endpoint in self.FRESH:
            return self.world.client_as(who)
        if who not in self.kept:
            self.kept[who] = self.world.client_as(who)
        return self.kept[who]


# --- the matrix -----------------------------------------------------------------------------


@pytest.fixture
def world(app: Flask) -> AccessWorld:
    return AccessWorld(app)


def test_every_page_answers_every_role_as_the_access_table_says(
    world: AccessWorld, request: pytest.FixtureRequest
) -> None:
    """GET every route as everyone. On PostgreSQL the PDFs the allowed roles get are not
    rendered again (they take seconds each and depend on no database): refusals still are."""
    on_sqlite = "sqlite" in request.node.callspec.id
    urls = {rule.endpoint: _url(world, rule, ACCESS[rule.endpoint]) for rule in _rules(world.app)}
    browsers = Browsers(world)
    wrong = []
    slow: list[tuple[float, str]] = []
    started = time.perf_counter()
    for endpoint, who, expected in _gets(world, render_pdfs=on_sqlite):
        one = time.perf_counter()
        answer = Answer.of(browsers.get(endpoint, who).get(urls[endpoint]))
        slow.append((time.perf_counter() - one, f"{endpoint} as {who}"))
        if not _matches(expected, answer):
            wrong.append(
                f"{endpoint} as {who}: expected {expected}, got {answer} (GET {urls[endpoint]})"
            )
    elapsed = time.perf_counter() - started
    assert not wrong, "\n".join(["access differs from the table:", *wrong])
    print(f"access matrix (GET): {elapsed:.1f} s, {len(slow)} requests")
    for seconds, what in sorted(slow)[-8:]:
        print(f"  {seconds:.2f} s {what}")


def _post_requests(world: AccessWorld) -> Iterator[tuple[str, Who, str]]:
    for rule in _rules(world.app):
        if "POST" not in rule.methods:  # type: ignore[operator]
            continue
        entry = ACCESS[rule.endpoint]
        if entry.public:
            continue
        for who in Who:
            if who not in entry.post_roles:
                yield rule.endpoint, who, _url(world, rule, entry)


def test_every_refused_post_is_refused_and_changes_nothing(world: AccessWorld) -> None:
    world.app.config["WTF_CSRF_ENABLED"] = False
    form: dict[str, Any] = {"version": "1", "confirm": "yes", "full_name": "Mallory"}
    wrong = []
    with world.app.app_context():
        before = database_state()
    for endpoint, who, url in _post_requests(world):
        answer = Answer.of(world.client_as(who).post(url, data=form))
        expected = "sign in" if who == Who.ANONYMOUS else "refused"
        if not _matches(expected, answer):
            wrong.append(f"POST {endpoint} as {who}: expected {expected}, got {answer} ({url})")
            continue
        with world.app.app_context():
            after = database_state()
        if after != before:
            wrong.append(f"POST {endpoint} as {who} was refused but changed the database ({url})")
            before = after
    assert not wrong, "\n".join(["refused posts:", *wrong])
