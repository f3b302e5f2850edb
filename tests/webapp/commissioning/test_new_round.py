"""Creating a round: a draft with the next reference, times read in London, errors by field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.commissioning.conftest import MakeRound, error_links, input_value
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import post_form
from webapp.extensions import db
from webapp.models import CommissioningRound, FrameworkVersion, Role, RoundStatus

AsRole = Callable[[Role], FlaskClient]
URL = "/commissioning/rounds/new"


@pytest.fixture
def commissioner(as_role: AsRole) -> FlaskClient:
    return as_role(Role.COMMISSIONER)


def answers(version: FrameworkVersion, **changes: Any) -> dict[str, Any]:
    """A complete, valid new-round form; `changes` replace or (as None) remove answers."""
    form: dict[str, Any] = {
        "title": "Homecare in the east of the borough",
        "service": "homecare",
        "description": "Care at home for adults in the east of the borough.",
        "framework_version": str(version.id),
        "opens_on": ["1", "3", "2027"],
        "opens_time": "9am",
        "closes_on": ["3", "3", "2027"],
        "closes_time": "12:00",
        "invite_only": "no",
    }
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def stored_rounds(app: Flask) -> list[CommissioningRound]:
    with app.app_context():
        rounds = list(db.session.scalars(sa.select(CommissioningRound)))
        db.session.expunge_all()
        return rounds


def test_the_page_offers_the_built_in_framework_and_a_link_to_upload(
    commissioner: FlaskClient, builtin_version: FrameworkVersion
):
    response = commissioner.get(URL)
    html = response.get_data(as_text=True)
    page = parse_page(response)

    assert page.h1s == ["Create a round"]
    assert f'value="{builtin_version.id}"' in html
    assert "Ethical care - homecare and supported living, version 2026.1 (built in" in html
    assert "/commissioning/frameworks/upload" in page.links
    assert {"title", "service", "framework_version", "opens_on-day", "closes_time"} <= set(page.ids)


def test_a_framework_page_link_preselects_its_framework(
    commissioner: FlaskClient, builtin_version: FrameworkVersion
):
    html = commissioner.get(f"{URL}?framework={builtin_version.id}").get_data(as_text=True)

    assert f'value="{builtin_version.id}" checked' in html


def test_creating_a_round_stores_a_draft_with_a_reference_and_shows_it(
    app: Flask, commissioner: FlaskClient, builtin_version: FrameworkVersion
):
    response = post_form(commissioner, URL, answers(builtin_version))

    [round_] = stored_rounds(app)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/commissioning/rounds/{round_.id}"
    assert round_.reference == "CW-2027-001"
    assert round_.status == RoundStatus.DRAFT.value
    assert round_.title == "Homecare in the east of the borough"
    assert round_.service == "homecare"
    assert round_.framework_version_id == builtin_version.id
    assert round_.invite_only is False
    assert round_.parameters == {}
    # 1 and 3 March 2027 are in GMT: London time is UTC.
    assert round_.opens_at.replace(tzinfo=UTC) == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert round_.closes_at.replace(tzinfo=UTC) == datetime(2027, 3, 3, 12, 0, tzinfo=UTC)

    page = commissioner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Round CW-2027-001 created as a draft" in page
    assert "3 March 2027 at midday" in page


def test_a_july_closing_time_is_read_as_british_summer_time(
    app: Flask, commissioner: FlaskClient, builtin_version: FrameworkVersion
):
    form = answers(builtin_version, opens_on=["29", "3", "2027"], closes_on=["15", "7", "2027"])

    post_form(commissioner, URL, form)

    [round_] = stored_rounds(app)
    assert round_.closes_at.replace(tzinfo=UTC) == datetime(2027, 7, 15, 11, 0, tzinfo=UTC)
    # 29 March 2027 is the day after the clocks go forward: 9am BST is 8am UTC.
    assert round_.opens_at.replace(tzinfo=UTC) == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
    html = commissioner.get(f"/commissioning/rounds/{round_.id}").get_data(as_text=True)
    assert "15 July 2027 at midday" in html
    assert "29 March 2027 at 9:00am" in html


def test_references_count_up_within_the_opening_year(
    app: Flask,
    commissioner: FlaskClient,
    builtin_version: FrameworkVersion,
    make_round: MakeRound,
):
    make_round(reference="CW-2027-003")
    make_round(reference="CW-2028-007")

    post_form(commissioner, URL, answers(builtin_version, invite_only="yes"))

    created = [r for r in stored_rounds(app) if r.title.startswith("Homecare in the east")]
    assert [r.reference for r in created] == ["CW-2027-004"]
    assert created[0].invite_only is True


@pytest.mark.parametrize(
    ("changes", "href", "message"),
    [
        ({"title": ""}, "#title", "Enter a title for the round"),
        ({"title": "x" * 256}, "#title", "Title must be 255 characters or fewer"),
        ({"service": None}, "#service", "Select the service this round buys"),
        ({"framework_version": None}, "#framework_version", "Select the framework bids are"),
        ({"framework_version": "9999"}, "#framework_version", "Not a valid choice"),
        ({"opens_on": ["", "", ""]}, "#opens_on-day", "Enter the opening date"),
        ({"opens_on": ["1", "", "2027"]}, "#opens_on-day", "Opening date must include a month"),
        ({"opens_on": ["31", "2", "2027"]}, "#opens_on-day", "Opening date must be a real date"),
        ({"opens_on": ["1", "3", "27"]}, "#opens_on-day", "Year must include 4 numbers"),
        ({"opens_on": ["1", "March", "2027"]}, "#opens_on-day", "Opening date must be a real"),
        ({"opens_time": ""}, "#opens_time", "Enter the opening time"),
        ({"opens_time": "25:00"}, "#opens_time", "Opening time must be a real time"),
        ({"closes_on": ["", "", ""]}, "#closes_on-day", "Enter the closing date"),
        ({"closes_time": "half past"}, "#closes_time", "Closing time must be a real time"),
        (
            {"closes_on": ["28", "2", "2027"]},
            "#closes_on-day",
            "Closing date must be after the opening date",
        ),
        (
            {"closes_on": ["1", "3", "2027"], "closes_time": "8:30am"},
            "#closes_time",
            "Closing time must be after the opening time",
        ),
        (
            {"opens_on": ["1", "12", "2026"], "closes_on": ["10", "1", "2027"]},
            "#closes_on-day",
            "Closing date must be in the future",
        ),
        (
            {
                "opens_on": ["1", "12", "2026"],
                "closes_on": ["11", "1", "2027"],
                "closes_time": "10am",
            },
            "#closes_time",
            "Closing time must be in the future",
        ),
        ({"invite_only": None}, "#invite_only", "Select yes if only invited providers can bid"),
    ],
)
def test_each_mistake_is_shown_by_its_field_and_the_answers_are_kept(
    app: Flask,
    commissioner: FlaskClient,
    builtin_version: FrameworkVersion,
    changes: dict[str, Any],
    href: str,
    message: str,
):
    response = post_form(commissioner, URL, answers(builtin_version, **changes))
    html = response.get_data(as_text=True)
    page = parse_page(response)

    assert response.status_code == 200
    assert page.title.startswith("Error: Create a round")
    [(link, text)] = error_links(html)
    assert link == href
    assert text.startswith(message)
    assert link.lstrip("#") in page.ids
    assert "govuk-error-message" in page.classes
    assert stored_rounds(app) == []
    if "title" not in changes:
        assert input_value(html, "title") == "Homecare in the east of the borough"
    if "closes_time" not in changes:
        assert input_value(html, "closes_time") == answers(builtin_version)["closes_time"]
    assert "Care at home for adults in the east of the borough." in html


def test_every_mistake_at_once_is_listed_in_page_order(
    commissioner: FlaskClient, builtin_version: FrameworkVersion
):
    form = answers(
        builtin_version, title="", service=None, opens_on=["", "", ""], closes_time="soon"
    )

    html = post_form(commissioner, URL, form).get_data(as_text=True)

    assert [href for href, _ in error_links(html)] == [
        "#title",
        "#service",
        "#opens_on-day",
        "#closes_time",
    ]
    assert input_value(html, "closes_time") == "soon"
    assert input_value(html, "opens_time") == "9am"
