"""The rounds table, a round's own page, and how typed times are read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from datetime import UTC, timedelta

import pytest
from flask.testing import FlaskClient

from tests.webapp.commissioning.conftest import NOW, MakeRound
from tests.webapp.conftest import parse_page
from webapp.commissioning.fields import parse_time, time_text
from webapp.models import FrameworkVersion, Role, RoundStatus

AsRole = Callable[[Role], FlaskClient]


def test_the_rounds_table_shows_each_rounds_state_closing_time_and_bid_count(
    as_role: AsRole, make_round: MakeRound
):
    make_round(title="Draft round", closes_at=dt.datetime(2027, 3, 3, 12, 0, tzinfo=UTC))
    make_round(title="Upcoming round", status=RoundStatus.PUBLISHED.value, service="extra_care")
    make_round(
        title="Open round",
        status=RoundStatus.PUBLISHED.value,
        opens_at=NOW - timedelta(days=1),
        service="day_services",
    )
    make_round(
        title="Closed round",
        status=RoundStatus.PUBLISHED.value,
        opens_at=NOW - timedelta(days=30),
        closes_at=NOW - timedelta(days=1),
        service="supported_living",
    )
    client = as_role(Role.BOARD)

    response = client.get("/commissioning/rounds")
    html = response.get_data(as_text=True)

    assert parse_page(response).h1s == ["Commissioning rounds"]
    for state, tag in [("Draft", "grey"), ("Upcoming", "blue"), ("Open", "green")]:
        assert f'<strong class="govuk-tag govuk-tag--{tag}">{state}</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--purple">Closed</strong>' in html
    assert "3 March 2027 at midday" in html
    assert "CW-2027-901" in html
    for service in ["Homecare", "Extra care", "Day services", "Supported living"]:
        assert service in html
    assert "Bids submitted" in html


def test_an_empty_rounds_table_says_there_are_none(as_role: AsRole):
    html = as_role(Role.COMMISSIONER).get("/commissioning/rounds").get_data(as_text=True)

    assert "There are no commissioning rounds yet." in html


def test_the_round_page_summarises_the_round_its_framework_and_its_settings(
    as_role: AsRole, make_round: MakeRound, builtin_version: FrameworkVersion
):
    round_ = make_round(
        description="Care at home in the east of the borough.",
        opens_at=dt.datetime(2027, 6, 1, 8, 0, tzinfo=UTC),
        closes_at=dt.datetime(2027, 7, 15, 11, 0, tzinfo=UTC),
        parameters={"real_living_wage": "14.8"},
        pillar_weights={
            "quality": "50",
            "fair_work_ownership": "30",
            "social_value": "10",
            "price": "10",
        },
    )
    client = as_role(Role.EVALUATOR)

    response = client.get(f"/commissioning/rounds/{round_.id}")
    html = response.get_data(as_text=True)
    page = parse_page(response)

    assert page.h1s == [round_.title]
    assert "Care at home in the east of the borough." in html
    assert builtin_version.content_hash in html
    assert "version 2026.1" in html
    assert f"/commissioning/frameworks/{builtin_version.id}" in page.links
    assert "1 June 2027 at 9:00am" in html  # British Summer Time
    assert "15 July 2027 at midday" in html
    assert "Any registered provider" in html
    assert "Not yet: a draft only staff can see" in html
    assert "14.8 GBP per hour" in html
    assert "Set for this round" in html
    assert "Framework default" in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">50</td>' in html
    assert "30 to 60" in html
    assert "0 bids submitted" in html


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:00", dt.time(14, 0)),
        ("9:30am", dt.time(9, 30)),
        ("9.30 AM", dt.time(9, 30)),
        ("2pm", dt.time(14, 0)),
        ("12 p.m.", dt.time(12, 0)),
        ("12am", dt.time(0, 0)),
        ("midday", dt.time(12, 0)),
        ("Midnight", dt.time(0, 0)),
        ("00:00", dt.time(0, 0)),
        ("23:59", dt.time(23, 59)),
        ("24:00", None),
        ("13pm", None),
        ("9", None),
        ("9:60", None),
        ("noonish", None),
    ],
)
def test_times_are_read_as_people_write_them(typed: str, expected: dt.time | None):
    assert parse_time(typed) == expected


def test_times_are_written_back_in_the_gov_uk_style():
    assert [time_text(dt.time(h, m)) for h, m in [(0, 0), (9, 5), (12, 0), (17, 30)]] == [
        "12:00am",
        "9:05am",
        "12:00pm",
        "5:30pm",
    ]
