"""The public pages: home, accessibility statement and the page-not-found page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask, flash, render_template, url_for
from flask.testing import FlaskClient

if TYPE_CHECKING:
    from tests.webapp.conftest import Page

GetPage = Callable[[str], "Page"]


@pytest.mark.parametrize("path", ["/", "/accessibility", "/no-such-page"])
def test_every_page_is_a_gov_uk_page_with_one_h1_and_unique_ids(get_page: GetPage, path: str):
    page = get_page(path)

    assert len(page.h1s) == 1
    assert page.html_lang == "en"
    assert {"govuk-template", "govuk-template__body", "govuk-main-wrapper"} <= page.classes
    assert page.duplicate_ids == []
    assert page.title.endswith("– Commonweal – Wellfield Borough Council")


def test_home_page_names_the_service_and_says_what_it_does(get_page: GetPage):
    page = get_page("/")

    assert page.status_code == 200
    assert page.h1s == ["Commission care that keeps value in your area"]
    assert {"govuk-generic-header", "govuk-service-navigation", "govuk-footer"} <= page.classes
    assert "govuk-phase-banner" in page.classes


def test_home_page_loads_gov_uk_frontend_from_the_assets_path(get_page: GetPage):
    page = get_page("/")

    assert page.stylesheets == ["/assets/govuk-frontend.min.css", "/styles/commonweal.css"]
    module_scripts = [script for script in page.scripts if script.get("type") == "module"]
    assert len(module_scripts) == 1


def test_home_page_module_script_initialises_gov_uk_frontend(client: FlaskClient):
    html = client.get("/").get_data(as_text=True)

    assert 'import { initAll } from "/assets/govuk-frontend.min.js"' in html
    assert "initAll();" in html


def test_footer_links_to_the_accessibility_statement(get_page: GetPage):
    assert "/accessibility" in get_page("/").links


def test_accessibility_statement_page(get_page: GetPage):
    page = get_page("/accessibility")

    assert page.status_code == 200
    assert page.h1s == ["Accessibility statement for Commonweal"]
    assert page.title == "Accessibility statement – Commonweal – Wellfield Borough Council"


def test_unknown_address_shows_the_page_not_found_page(get_page: GetPage):
    page = get_page("/no-such-page")

    assert page.status_code == 404
    assert page.h1s == ["Page not found"]


def test_the_services_own_stylesheet_is_committed_apart_from_the_installed_assets(
    app: Flask, client: FlaskClient
):
    with client.get("/styles/commonweal.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
        assert ".app-table-wrap" in response.get_data(as_text=True)
    # `make assets` empties the static folder; the stylesheet must not live there.
    static = Path(app.static_folder or "").resolve()
    assert static not in (Path(app.root_path) / "styles" / "css").resolve().parents


def _between(html: str, start: str, end: str) -> str:
    opened = html.index(start)
    return html[opened : html.index(end, opened)]


def test_the_phase_banner_closes_the_header_so_it_is_inside_a_landmark(client: FlaskClient):
    html = client.get("/").get_data(as_text=True)

    assert html.count('class="govuk-phase-banner__content"') == 1
    assert "govuk-phase-banner__content" in _between(html, "<header", "</header>")


def test_the_back_link_is_a_navigation_region_before_the_main_content(client: FlaskClient):
    html = client.get("/register").get_data(as_text=True)

    back = _between(html, '<nav class="app-back-link-navigation" aria-label="Back">', "</nav>")
    assert 'class="govuk-back-link"' in back
    assert html.index("govuk-back-link") < html.index("<main")
    assert "app-back-link-navigation" not in client.get("/").get_data(as_text=True)


def test_flashed_messages_open_the_main_content(app: Flask):
    with app.test_request_context("/"):
        flash("Your profile is saved", "success")
        html = render_template("public/home.html")

    main = _between(html, "<main", "</main>")
    assert "govuk-notification-banner" in main
    assert main.index("Your profile is saved") < main.index("<h1")


def test_static_files_are_served_under_assets(app: Flask):
    with app.test_request_context():
        assert url_for("static", filename="govuk-frontend.min.css") == (
            "/assets/govuk-frontend.min.css"
        )


def test_responses_carry_basic_security_headers(client: FlaskClient):
    headers = client.get("/").headers

    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
