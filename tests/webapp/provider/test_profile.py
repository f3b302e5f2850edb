"""The organisation profile: filled once, validated in GOV.UK words, reused as answers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from criteria.answers import parse_answer
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import post_form
from tests.webapp.provider.page_forms import read_form, session_csrf_token
from webapp.extensions import db
from webapp.models import Organisation, Role, User
from webapp.services.frameworks import framework_of, latest_builtin
from webapp.services.profiles import prefill_answers, profile_criteria

PROFILE = "/provider/profile"
EDIT = "/provider/profile/edit"

VALID: dict[str, str] = {
    "name": "Wellfield Home Care Co-operative Ltd",
    "legal_form": "cooperative",
    "company_number": "sc 123456",
    "charity_number": "",
    "registered_postcode": "wn1 1aa",
    "cqc_provider_id": "1-123456789",
    "cqc_rating": "good",
    "headcount": "1,045",
    "contact_name": "Asha Patel",
    "contact_email": "asha@wellfield-care.example",
    "contact_phone": "01632 960 001",
}

STAFF = [Role.ADMIN, Role.COMMISSIONER, Role.EVALUATOR, Role.BOARD]


@pytest.fixture
def provider(make_user: Callable[..., User], sign_in: Callable[[User], FlaskClient]) -> User:
    user = make_user(Role.PROVIDER)
    sign_in(user)
    return user


def organisation(app: Flask, user: User) -> Organisation:
    with app.app_context():
        found = db.session.get(Organisation, user.organisation_id)
        assert found is not None
        db.session.expunge(found)
        return found


def save(client: FlaskClient, **changes: str) -> Any:
    return post_form(client, EDIT, {**VALID, **changes})


# --- who may see it ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [PROFILE, EDIT])
def test_an_anonymous_visitor_is_sent_to_sign_in(
    app: Flask, client: FlaskClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 302
    with app.test_request_context():
        assert response.headers["Location"].startswith(url_for("auth.sign_in"))


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("path", [PROFILE, EDIT])
def test_staff_have_no_organisation_profile(
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    role: Role,
    path: str,
) -> None:
    sign_in(make_user(role))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", STAFF)
def test_staff_cannot_post_a_profile(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    role: Role,
) -> None:
    sign_in(make_user(role))
    data = {**VALID, "csrf_token": session_csrf_token(app, client)}
    assert client.post(EDIT, data=data).status_code == 403


def test_a_new_organisation_is_asked_to_complete_its_profile(
    client: FlaskClient, provider: User
) -> None:
    response = client.get(PROFILE)
    page = parse_page(response)
    assert page.status_code == 200
    assert page.h1s == ["Organisation profile"]
    assert page.title.startswith("Organisation profile – ")
    assert "Your profile is not complete" in response.get_data(as_text=True)
    assert "Not given" in response.get_data(as_text=True)


def test_the_ownership_and_rating_options_are_the_frameworks_own(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    form = read_form(client.get(EDIT).get_data(as_text=True))
    with app.app_context():
        criteria = profile_criteria(framework_of(latest_builtin()))
    ownership, rating = criteria["legal_form"], criteria["cqc_rating"]
    assert ownership.id == "lo_ownership_form"
    assert rating.id == "q_cqc_rating"
    html = client.get(EDIT).get_data(as_text=True)
    legends = [" ".join(t.split()) for t in re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S)]
    assert legends == [
        "Who owns and controls your organisation?",
        "What is your current overall CQC rating?",
    ]
    assert form.radios["legal_form"] == list(ownership.choice_values)
    assert form.radios["cqc_rating"] == list(rating.choice_values)
    assert rating.choice_values == (
        "outstanding",
        "good",
        "requires_improvement",
        "inadequate",
        "not_yet_rated",
    )


@pytest.mark.parametrize("path", [PROFILE, EDIT])
def test_profile_pages_have_one_heading_and_unique_ids(
    client: FlaskClient, provider: User, path: str
) -> None:
    page = parse_page(client.get(path))
    assert len(page.h1s) == 1
    assert page.duplicate_ids == []


def test_every_change_link_leads_to_its_field(client: FlaskClient, provider: User) -> None:
    page = parse_page(client.get(PROFILE))
    changes = [link for link in page.links if link.startswith(EDIT + "#")]
    assert len(changes) == 11
    edit_ids = read_form(client.get(EDIT).get_data(as_text=True)).ids
    for link in changes:
        assert link.split("#", 1)[1] in edit_ids, link


# --- saving -------------------------------------------------------------------------------------


def test_a_saved_profile_fills_the_columns_in_their_normal_form(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    response = save(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(PROFILE)
    saved = organisation(app, provider)
    assert saved.name == "Wellfield Home Care Co-operative Ltd"
    assert saved.legal_form == "cooperative"
    assert saved.company_number == "SC123456"
    assert saved.charity_number is None
    assert saved.registered_postcode == "WN1 1AA"
    assert saved.cqc_provider_id == "1-123456789"
    assert saved.cqc_rating == "good"
    assert saved.headcount == 1045
    assert (saved.contact_name, saved.contact_email, saved.contact_phone) == (
        "Asha Patel",
        "asha@wellfield-care.example",
        "01632 960 001",
    )


def test_a_saved_profile_answers_the_frameworks_profile_criteria(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    with app.app_context():
        stored = db.session.get(Organisation, provider.organisation_id)
        assert stored is not None
        stored.profile_answers = {"lo_ultimate_owner": "Owned by its 40 worker members"}
        db.session.commit()
    save(client)
    answers = organisation(app, provider).profile_answers
    assert answers == {
        "lo_ultimate_owner": "Owned by its 40 worker members",
        "lo_ownership_form": "cooperative",
        "lo_registered_office": "WN1 1AA",
        "q_cqc_provider_id": "1-123456789",
        "q_cqc_rating": "good",
    }
    with app.app_context():
        framework = framework_of(latest_builtin())
    for criterion_id, value in answers.items():
        assert parse_answer(framework.criteria[criterion_id], value) is not None


def test_clearing_the_cqc_provider_id_removes_its_answer(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    save(client)
    save(client, cqc_provider_id="")
    saved = organisation(app, provider)
    assert saved.cqc_provider_id is None
    assert "q_cqc_provider_id" not in saved.profile_answers


def test_the_summary_shows_what_was_saved_with_a_success_message(
    client: FlaskClient, provider: User
) -> None:
    response = save(client)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your organisation profile has been saved" in html
    assert "govuk-notification-banner--success" in html
    assert "A co-operative owned by its workers, members or the people it supports" in html
    assert "SC123456" in html
    assert "WN1 1AA" in html
    assert "1,045" in html
    assert "Your profile is not complete" not in html


def test_the_edit_form_starts_from_the_saved_profile(client: FlaskClient, provider: User) -> None:
    save(client)
    form = read_form(client.get(EDIT).get_data(as_text=True))
    assert form.value("name") == VALID["name"]
    assert form.value("legal_form") == "cooperative"
    assert form.value("registered_postcode") == "WN1 1AA"
    assert form.value("cqc_rating") == "good"
    assert form.value("headcount") == "1045"


def test_a_charity_number_alone_is_enough(app: Flask, client: FlaskClient, provider: User) -> None:
    assert save(client, company_number="", charity_number="1123456").status_code == 302
    saved = organisation(app, provider)
    assert (saved.company_number, saved.charity_number) == (None, "1123456")


def test_each_organisation_edits_only_its_own_profile(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
) -> None:
    first, second = make_user(Role.PROVIDER), make_user(Role.PROVIDER)
    sign_in(first)
    save(client)
    assert organisation(app, second).name != VALID["name"]
    assert organisation(app, second).profile_answers == {}
    sign_in(second)
    html = client.get(PROFILE).get_data(as_text=True)
    assert VALID["name"] not in html
    assert organisation(app, second).name in html


# --- refusing what cannot be used ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter your organisation’s legal name"),
        ({"legal_form": ""}, "legal_form", "Select who owns and controls your organisation"),
        ({"company_number": "1234"}, "company_number", "Enter a company number of 8 characters"),
        (
            {"company_number": "", "charity_number": ""},
            "company_number",
            "Enter a company number or a charity number",
        ),
        ({"charity_number": "12"}, "charity_number", "Enter a charity number, like 1123456"),
        ({"registered_postcode": ""}, "registered_postcode", "Enter your registered office"),
        ({"registered_postcode": "WN1"}, "registered_postcode", "Enter a full UK postcode"),
        ({"cqc_provider_id": "123456789"}, "cqc_provider_id", "starts with 1- followed by"),
        ({"cqc_rating": ""}, "cqc_rating", "Select your current overall CQC rating"),
        ({"headcount": ""}, "headcount", "Enter the number of staff you employ"),
        ({"headcount": "12.5"}, "headcount", "Number of staff must be a whole number, like 45"),
        ({"headcount": "0"}, "headcount", "Number of staff must be between 1 and 1,000,000"),
        ({"contact_name": ""}, "contact_name", "Enter the name of the person to contact"),
        ({"contact_email": "asha.example"}, "contact_email", "Enter an email address in the"),
        ({"contact_phone": "call me"}, "contact_phone", "Enter a telephone number, like"),
        ({"contact_phone": "0163"}, "contact_phone", "Enter a telephone number, like"),
    ],
)
def test_a_mistake_is_explained_beside_its_field_and_nothing_is_saved(
    app: Flask,
    client: FlaskClient,
    provider: User,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = organisation(app, provider).name
    response = save(client, **changes)
    page = parse_page(response)
    form = read_form(response.get_data(as_text=True))
    assert response.status_code == 200
    assert page.title.startswith("Error: ")
    assert page.h1s == ["Change your organisation profile"]
    [(href, text)] = form.error_links
    assert href == f"#{field}"
    assert message in text
    assert field in form.ids
    assert organisation(app, provider).name == before
    for name, typed in {**VALID, **changes}.items():
        if typed.strip():  # everything typed comes back, the mistake too
            assert form.value(name), name


def test_answers_are_kept_when_the_form_comes_back(client: FlaskClient, provider: User) -> None:
    response = save(client, registered_postcode="not a postcode", headcount="many")
    form = read_form(response.get_data(as_text=True))
    assert [href for href, _ in form.error_links] == ["#registered_postcode", "#headcount"]
    assert form.value("registered_postcode") == "not a postcode"
    assert form.value("headcount") == "many"
    assert form.value("name") == VALID["name"]
    assert form.value("legal_form") == "cooperative"
    assert form.value("cqc_rating") == "good"


def test_a_post_without_the_form_token_is_refused(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    assert client.post(EDIT, data=VALID).status_code == 400
    assert organisation(app, provider).name != VALID["name"]


# --- reuse in bids and self-assessments ------------------------------------------------------


def test_profile_answers_prefill_a_framework_from_the_columns(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    save(client)
    with app.app_context():
        stored = db.session.get(Organisation, provider.organisation_id)
        assert stored is not None
        stored.profile_answers = {**stored.profile_answers, "q_cqc_registered": True}
        stored.cqc_rating = "outstanding"  # a column wins over a stale stored answer
        db.session.commit()
        answers = prefill_answers(stored, framework_of(latest_builtin()))
    assert answers == {
        "lo_ownership_form": "cooperative",
        "lo_registered_office": "WN1 1AA",
        "q_cqc_registered": True,
        "q_cqc_provider_id": "1-123456789",
        "q_cqc_rating": "outstanding",
    }


def test_prefill_leaves_out_what_the_framework_would_not_accept(app: Flask, provider: User) -> None:
    with app.app_context():
        stored = db.session.get(Organisation, provider.organisation_id)
        assert stored is not None
        stored.profile_answers = {"q_cqc_rating": "excellent", "fw_lowest_hourly_pay": "13.50"}
        answers = prefill_answers(stored, framework_of(latest_builtin()))
    assert answers == {}  # not a choice; and pay is not a profile question
