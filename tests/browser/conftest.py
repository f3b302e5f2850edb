"""Browser tests: the real app on a live server, driven by Debian's Chromium with Playwright.

The server is the app itself (`create_app`) on a temporary database, migrated and seeded with
the demo data, served by werkzeug on 127.0.0.1 in a background thread. The database is SQLite,
or PostgreSQL in a schema of its own when TEST_DATABASE_URL is set: CI so runs the journeys on
PostgreSQL and a local run keeps SQLite (the web tests cover both databases either way). The
browser is `/usr/bin/chromium` (Debian's package); no browser is ever downloaded. Without it
these tests skip with a loud message, or fail when REQUIRE_BROWSER=1 (as in CI)."""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, Playwright, sync_playwright
from werkzeug.serving import make_server

from config import TestingConfig, normalise_database_url
from tests.browser.journey import Journey
from webapp import create_app
from webapp.demo import seed_demo
from webapp.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_DIRECTORY = Path(__file__).resolve().parent
NO_BROWSER_MESSAGE = (
    f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing. Install Debian's package "
    "(apt-get install chromium) or run `make test`, which installs it when it can. "
    "Set REQUIRE_BROWSER=1 to make a missing browser fail the run instead."
)
_skipped_for_no_browser: list[str] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIRECTORY in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_for_no_browser:
        terminalreporter.write_sep("!", "browser tests skipped", red=True, bold=True)
        terminalreporter.write_line(NO_BROWSER_MESSAGE, red=True, bold=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_CALL_PASSED] = report.passed
    return report


_CALL_PASSED = pytest.StashKey[bool]()


@dataclass(frozen=True)
class LiveServer:
    app: Flask
    url: str


@contextmanager
def serving_the_demo(directory: Path) -> Iterator[LiveServer]:
    """The app with the demo data in `directory`, answering on a free port of 127.0.0.1."""
    with _database_url(directory) as (url, engine_options):
        config = TestingConfig(url)
        config.UPLOAD_FOLDER = str(directory / "uploads")
        config.SQLALCHEMY_ENGINE_OPTIONS = {**config.SQLALCHEMY_ENGINE_OPTIONS, **engine_options}
        with _serving(create_app(config)) as server:
            yield server


@contextmanager
def _database_url(directory: Path) -> Iterator[tuple[str, dict[str, object]]]:
    """SQLite in `directory`, or a fresh PostgreSQL schema when TEST_DATABASE_URL is set."""
    postgres = os.environ.get("TEST_DATABASE_URL", "")
    if not postgres:
        yield f"sqlite:///{directory / 'commonweal.sqlite3'}", {}
        return
    url = normalise_database_url(postgres)
    schema = f"browser_{uuid.uuid4().hex}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def _serving(app: Flask) -> Iterator[LiveServer]:
    with app.app_context():
        upgrade()
        seed_demo()
    # One line per request and asset drowns a failure's own output; warnings still show.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app.logger.getChild("requests").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with the demo data, shared by the session's journeys."""
    with serving_the_demo(tmp_path_factory.mktemp("live-server")) as server:
        yield server


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing", pytrace=False)
        _skipped_for_no_browser.append(NO_BROWSER_MESSAGE)
        pytest.skip(NO_BROWSER_MESSAGE)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, chromium: Browser, live_server: LiveServer
) -> Iterator[Journey]:
    """A fresh browser session (no cookies) on the live server."""
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        journey = Journey(page, live_server.url)
        yield journey
        if request.node.stash.get(_CALL_PASSED, False):
            journey.finish()
    finally:
        context.close()
