"""The public pages: home, accessibility statement and the page-not-found page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from flask import Flask, url_for
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

    assert page.stylesheets == ["/assets/govuk-frontend.min.css"]
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


def test_static_files_are_served_under_assets(app: Flask):
    with app.test_request_context():
        assert url_for("static", filename="govuk-frontend.min.css") == (
            "/assets/govuk-frontend.min.css"
        )


def test_responses_carry_basic_security_headers(client: FlaskClient):
    headers = client.get("/").headers

    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
