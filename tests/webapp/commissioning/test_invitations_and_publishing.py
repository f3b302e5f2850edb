"""Inviting providers to an invite-only round, and publishing a round."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.commissioning.conftest import NOW, MakeRound, error_links, reload_round
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import post_form
from webapp.extensions import db
from webapp.models import CommissioningRound, Organisation, Role, RoundStatus
from webapp.services.rounds import is_visible_to

AsRole = Callable[[Role], FlaskClient]


@pytest.fixture
def commissioner(as_role: AsRole) -> FlaskClient:
    return as_role(Role.COMMISSIONER)


@pytest.fixture
def organisations(app: Flask) -> dict[str, int]:
    with app.app_context():
        found = {}
        for name in ["Wigan Care Co-operative", "Leigh Home Support CIC", "Big Group Care Ltd"]:
            organisation = Organisation(name=name)
            db.session.add(organisation)
            db.session.flush()
            found[name] = organisation.id
        db.session.commit()
        return found


def invitations_url(round_: CommissioningRound) -> str:
    return f"/commissioning/rounds/{round_.id}/invitations"


def publish_url(round_: CommissioningRound) -> str:
    return f"/commissioning/rounds/{round_.id}/publish"


# --- invitations ----------------------------------------------------------------------


def test_invitations_list_every_registered_provider_as_checkboxes(
    commissioner: FlaskClient, make_round: MakeRound, organisations: dict[str, int]
):
    round_ = make_round(invite_only=True)

    response = commissioner.get(invitations_url(round_))
    html = response.get_data(as_text=True)

    assert parse_page(response).h1s == ["Invitations"]
    assert html.count('type="checkbox"') == 3
    assert all(name in html for name in organisations)


def test_saving_invitations_invites_exactly_the_chosen_providers(
    app: Flask, commissioner: FlaskClient, make_round: MakeRound, organisations: dict[str, int]
):
    round_ = make_round(invite_only=True)
    chosen = [organisations["Wigan Care Co-operative"], organisations["Leigh Home Support CIC"]]

    first = post_form(commissioner, invitations_url(round_), {"organisations": chosen})
    second = post_form(commissioner, invitations_url(round_), {"organisations": chosen[1:]})

    assert first.status_code == second.status_code == 302
    stored = reload_round(app, round_.id)
    assert {i.organisation_id for i in stored.invitations} == {chosen[1]}
    html = commissioner.get(invitations_url(round_)).get_data(as_text=True)
    assert f'value="{chosen[1]}" checked' in html
    assert f'value="{chosen[0]}" checked' not in html
    round_page = commissioner.get(f"/commissioning/rounds/{round_.id}").get_data(as_text=True)
    assert "Invited providers only (1 invited)" in round_page


def test_invited_providers_see_a_published_invite_only_round_and_others_do_not(
    app: Flask, commissioner: FlaskClient, make_round: MakeRound, organisations: dict[str, int]
):
    round_ = make_round(invite_only=True)
    invited = organisations["Wigan Care Co-operative"]
    post_form(commissioner, invitations_url(round_), {"organisations": [invited]})
    post_form(commissioner, publish_url(round_), {})

    with app.app_context():
        stored = db.session.get(CommissioningRound, round_.id)
        assert is_visible_to(stored, db.session.get(Organisation, invited))
        other = db.session.get(Organisation, organisations["Big Group Care Ltd"])
        assert not is_visible_to(stored, other)


def test_an_unknown_organisation_cannot_be_invited(
    app: Flask, commissioner: FlaskClient, make_round: MakeRound, organisations: dict[str, int]
):
    round_ = make_round(invite_only=True)

    response = post_form(commissioner, invitations_url(round_), {"organisations": ["9999"]})

    assert response.status_code == 200
    [(href, _)] = error_links(response.get_data(as_text=True))
    assert href == "#organisations"
    assert reload_round(app, round_.id).invitations == []


def test_a_round_open_to_all_needs_no_invitations(
    app: Flask, commissioner: FlaskClient, make_round: MakeRound, organisations: dict[str, int]
):
    round_ = make_round(invite_only=False)

    page = commissioner.get(invitations_url(round_)).get_data(as_text=True)
    refused = post_form(
        commissioner,
        invitations_url(round_),
        {"organisations": [organisations["Big Group Care Ltd"]]},
        token_from="/commissioning/rounds/new",
    )

    assert "open to every registered provider" in page
    assert 'type="checkbox"' not in page
    assert refused.status_code == 409
    assert reload_round(app, round_.id).invitations == []


# --- publishing -----------------------------------------------------------------------


def test_the_confirmation_page_names_the_framework_version_being_fixed(
    commissioner: FlaskClient, make_round: MakeRound
):
    round_ = make_round()

    response = commissioner.get(publish_url(round_))
    html = response.get_data(as_text=True)

    assert parse_page(response).h1s == ["Publish this round"]
    assert round_.framework_version_id is not None
    assert "sha256:" in html
    assert "Once the round opens for bids, its settings cannot change." in html


def test_publishing_makes_the_round_visible_to_providers(
    app: Flask, commissioner: FlaskClient, make_round: MakeRound, organisations: dict[str, int]
):
    round_ = make_round()
    provider = organisations["Leigh Home Support CIC"]
    with app.app_context():
        stored = db.session.get(CommissioningRound, round_.id)
        assert not is_visible_to(stored, db.session.get(Organisation, provider))

    response = post_form(commissioner, publish_url(round_), {})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/commissioning/rounds/{round_.id}"
    published = reload_round(app, round_.id)
    assert published.status == RoundStatus.PUBLISHED.value
    assert published.published_at is not None
    assert published.published_at.replace(tzinfo=UTC) == NOW
    assert published.framework_version_id == round_.framework_version_id
    with app.app_context():
        stored = db.session.get(CommissioningRound, round_.id)
        assert is_visible_to(stored, db.session.get(Organisation, provider))
    html = commissioner.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Round {round_.reference} published" in html
    assert "Upcoming" in html
    assert (
        publish_url(round_) not in parse_page(commissioner.get(response.headers["Location"])).links
    )


def test_a_round_cannot_be_published_twice(
    app: Flask, commissioner: FlaskClient, make_round: MakeRound
):
    round_ = make_round(status=RoundStatus.PUBLISHED.value, published_at=NOW - timedelta(days=1))

    page = commissioner.get(publish_url(round_)).get_data(as_text=True)
    refused = post_form(
        commissioner, publish_url(round_), {}, token_from="/commissioning/rounds/new"
    )

    assert "already been published" in page
    assert refused.status_code == 409
    assert reload_round(app, round_.id).published_at.replace(tzinfo=UTC) == NOW - timedelta(days=1)


def test_a_round_whose_closing_time_has_passed_cannot_be_published(
    app: Flask, commissioner: FlaskClient, make_round: MakeRound, clock: dict
):
    round_ = make_round()
    clock["now"] = round_.closes_at.replace(tzinfo=UTC) + timedelta(seconds=1)

    page = commissioner.get(publish_url(round_))
    refused = post_form(
        commissioner, publish_url(round_), {}, token_from="/commissioning/rounds/new"
    )

    assert "The closing time is in the past" in page.get_data(as_text=True)
    assert 'action="' + publish_url(round_) + '"' not in page.get_data(as_text=True)
    assert refused.status_code == 409
    assert "The closing time is in the past" in refused.get_data(as_text=True)
    assert reload_round(app, round_.id).status == RoundStatus.DRAFT.value
