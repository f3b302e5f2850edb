"""A round's settings: local postcode districts, numeric parameters and pillar weights."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from criteria.catalogue import builtin_frameworks
from tests.webapp.commissioning.conftest import (
    NOW,
    MakeRound,
    error_links,
    input_value,
    reload_round,
)
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import csrf_token_of, post_form
from webapp.commissioning.settings_form import (
    humanise,
    initial_values,
    parse_districts,
    setting_inputs,
)
from webapp.models import CommissioningRound, Role, RoundStatus
from webapp.services.rounds import round_settings

AsRole = Callable[[Role], FlaskClient]


@pytest.fixture
def commissioner(as_role: AsRole) -> FlaskClient:
    return as_role(Role.COMMISSIONER)


@pytest.fixture
def draft(make_round: MakeRound) -> CommissioningRound:
    return make_round()


def url(round_: CommissioningRound) -> str:
    return f"/commissioning/rounds/{round_.id}/settings"


def settings(**changes: str) -> dict[str, Any]:
    """A valid settings form for the built-in framework, as a browser sends it."""
    form: dict[str, Any] = initial_values(builtin_frameworks()[0], {}, None)
    form["param_local_postcode_districts"] = "WN1, WN2"
    form.update(changes)
    return form


def test_the_built_in_framework_offers_its_districts_and_numbers_but_no_placeholders():
    framework = builtin_frameworks()[0]

    inputs = {item.name: item.kind for item in setting_inputs(framework)}

    assert inputs["local_postcode_districts"] == "districts"
    assert inputs["real_living_wage"] == "number"
    assert inputs["minimum_sustainable_rate"] == "number"
    assert all(kind in {"districts", "number"} for kind in inputs.values())


@pytest.mark.parametrize(
    ("typed", "districts", "wrong"),
    [
        ("wn1, wn2 WN3", ["WN1", "WN2", "WN3"], []),
        ("WN1;WN1,\nm29  WA3", ["WN1", "M29", "WA3"], []),
        ("WN, M, EC1A", ["WN", "M", "EC1A"], []),
        ("WN1 1AA, 123, W1", ["WN1", "W1"], ["1AA", "123"]),
        ("", [], []),
    ],
)
def test_postcode_districts_are_normalised_and_checked(
    typed: str, districts: list[str], wrong: list[str]
):
    assert parse_districts(typed) == (districts, wrong)


def test_the_page_shows_framework_defaults_and_bounds(
    commissioner: FlaskClient, draft: CommissioningRound
):
    response = commissioner.get(url(draft))
    html = response.get_data(as_text=True)

    assert parse_page(response).h1s == ["Round settings"]
    assert "WN1, WN2, WN3, WN4, WN5, WN6, WN7, WN8" in html
    assert input_value(html, "param_real_living_wage") == "13.45"
    assert "Framework default: 13.45 GBP per hour." in html
    assert input_value(html, "weight_quality") == "40"
    assert "Between 30 and 60. The framework&#39;s weight is 40." in html


def test_saving_stores_exact_strings_and_lists_and_the_engine_reads_them(
    app: Flask, commissioner: FlaskClient, draft: CommissioningRound
):
    form = settings(
        param_local_postcode_districts="m29, m46 wa3 WN1",
        param_real_living_wage="14.80",
        weight_quality="50",
        weight_price="10",
    )

    response = post_form(commissioner, url(draft), form)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/commissioning/rounds/{draft.id}"
    stored = reload_round(app, draft.id)
    assert stored.parameters["local_postcode_districts"] == ["M29", "M46", "WA3", "WN1"]
    assert stored.parameters["real_living_wage"] == "14.8"
    assert stored.parameters["national_living_wage"] == "12.71"
    assert stored.pillar_weights == {
        "quality": "50",
        "fair_work_ownership": "30",
        "social_value": "10",
        "price": "10",
    }
    with app.app_context():
        from webapp.extensions import db

        engine_settings = round_settings(db.session.get(CommissioningRound, draft.id))
    assert str(engine_settings.parameters["real_living_wage"]) == "14.8"
    assert engine_settings.pillar_weights is not None
    assert engine_settings.pillar_weights["quality"] == 50

    round_page = commissioner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Round settings saved" in round_page
    assert "M29, M46, WA3, WN1" in round_page
    assert "Set for this round" in round_page


def test_saved_values_are_shown_when_the_page_is_opened_again(
    commissioner: FlaskClient, draft: CommissioningRound
):
    post_form(
        commissioner,
        url(draft),
        settings(param_price_ceiling="42.5", weight_quality="45", weight_price="15"),
    )

    html = commissioner.get(url(draft)).get_data(as_text=True)

    assert input_value(html, "param_price_ceiling") == "42.5"
    assert input_value(html, "weight_quality") == "45"


@pytest.mark.parametrize(
    ("changes", "href", "message"),
    [
        (
            {"param_local_postcode_districts": "WN1, 1AA, ZZ99Z"},
            "#param_local_postcode_districts",
            "1AA, ZZ99Z are not districts or areas: enter districts like WN1 or areas like WN",
        ),
        (
            {"param_local_postcode_districts": " , "},
            "#param_local_postcode_districts",
            "Enter local postcode districts, like WN1, WN2 or WN",
        ),
        ({"param_real_living_wage": ""}, "#param_real_living_wage", "Enter real living wage"),
        (
            {"param_real_living_wage": "a lot"},
            "#param_real_living_wage",
            "Real living wage must be a number, like 13.45",
        ),
        (
            {"param_real_living_wage": "-1"},
            "#param_real_living_wage",
            "Real living wage must be 0 or more",
        ),
        ({"weight_quality": ""}, "#weight_quality", "Enter a weight for Quality"),
    ],
)
def test_each_mistake_is_shown_by_its_field_and_the_answers_are_kept(
    app: Flask,
    commissioner: FlaskClient,
    draft: CommissioningRound,
    changes: dict[str, str],
    href: str,
    message: str,
):
    response = post_form(commissioner, url(draft), settings(**changes))
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert parse_page(response).title.startswith("Error: Round settings")
    assert (href, message) in error_links(html)
    [(field, typed)] = changes.items()
    if field == "param_local_postcode_districts":
        assert f">{typed}</textarea>" in html
    else:
        assert input_value(html, field) == typed
    assert reload_round(app, draft.id).parameters == {}


def test_a_weight_outside_its_bounds_and_a_wrong_total_are_both_explained(
    app: Flask, commissioner: FlaskClient, draft: CommissioningRound
):
    form = settings(weight_quality="70", weight_social_value="5")

    response = post_form(commissioner, url(draft), form)
    links = error_links(response.get_data(as_text=True))

    assert ("#weight_quality", "Quality weight must be between 30 and 60, not 70") in links
    assert ("#weight_social_value", "Social value weight must be between 10 and 20, not 5") in links
    assert (
        "#weight_quality",
        "Pillar weights must add up to 100, but they add up to 125 (Quality 70, Fair work and "
        "ownership 30, Social value 5, Price 20)",
    ) in links
    html = response.get_data(as_text=True)
    assert input_value(html, "weight_quality") == "70"
    assert 'id="pillar-weights-error"' in html
    assert reload_round(app, draft.id).pillar_weights is None


def test_weights_inside_their_bounds_must_still_add_up_to_100(
    commissioner: FlaskClient, draft: CommissioningRound
):
    response = post_form(commissioner, url(draft), settings(weight_quality="35"))

    assert error_links(response.get_data(as_text=True)) == [
        (
            "#weight_quality",
            "Pillar weights must add up to 100, but they add up to 95 (Quality 35, Fair work "
            "and ownership 30, Social value 10, Price 20)",
        )
    ]


def test_an_upcoming_round_can_still_change(
    app: Flask, commissioner: FlaskClient, make_round: MakeRound
):
    upcoming = make_round(status=RoundStatus.PUBLISHED.value, published_at=NOW)

    response = post_form(
        commissioner, url(upcoming), settings(weight_quality="45", weight_price="15")
    )

    assert response.status_code == 302
    assert reload_round(app, upcoming.id).pillar_weights["quality"] == "45"


@pytest.mark.parametrize("when", ["open", "closed"])
def test_settings_are_frozen_once_bids_can_arrive(
    app: Flask,
    commissioner: FlaskClient,
    make_round: MakeRound,
    when: str,
):
    opened = make_round(
        status=RoundStatus.PUBLISHED.value,
        opens_at=NOW - timedelta(days=10),
        closes_at=NOW + timedelta(days=1) if when == "open" else NOW - timedelta(days=1),
    )
    token = csrf_token_of(commissioner, "/commissioning/rounds/new")

    page = commissioner.get(url(opened))
    refused = commissioner.post(
        url(opened), data={**settings(weight_quality="45"), "csrf_token": token}
    )

    assert page.status_code == 200
    assert parse_page(page).h1s == ["The round's settings cannot change"]
    assert "settings are frozen" in page.get_data(as_text=True)
    assert 'name="weight_quality"' not in page.get_data(as_text=True)
    assert refused.status_code == 409
    assert reload_round(app, opened.id).pillar_weights is None
    round_page = commissioner.get(f"/commissioning/rounds/{opened.id}")
    assert url(opened) not in parse_page(round_page).links


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("local_postcode_districts", "Local postcode districts"),
        ("hmrc_mileage_rate", "HMRC mileage rate"),
        ("proxy_value_local_fte", "Proxy value local FTE"),
    ],
)
def test_parameter_names_read_as_words(name: str, label: str):
    assert humanise(name) == label
