"""Text typed into the other forms (sign-in, registration, moderation): kept exactly, limits
said clearly, and a NUL character refused next to its field on either database."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.award_world import AwardWorld
from tests.webapp.forms_helper import post_form
from tests.webapp.input.test_answer_text import ODD_TEXT
from tests.webapp.moderation.pages import CRITERION, mark_url
from tests.webapp.provider.page_forms import read_form
from webapp.models import Moderation, Organisation

NUL_IN = "contains a hidden character that cannot be saved (a null character)"


@pytest.fixture
def marked(award: AwardWorld) -> AwardWorld:
    award.mark_all(spread={("kestrel", CRITERION): (1, 3, 4)})
    return award


def moderate(award: AwardWorld, rationale: str) -> TestResponse:
    client = award.client_for(award.commissioner)
    return post_form(client, mark_url(award, "kestrel"), {"points": "3", "rationale": rationale})


@pytest.mark.parametrize("name", ["sql", "attribute", "rtl-override", "emoji", "formula-equals"])
def test_a_moderation_rationale_is_stored_exactly_as_typed(marked: AwardWorld, name: str) -> None:
    typed = ODD_TEXT[name]
    response = moderate(marked, typed)
    assert response.status_code == 302
    [row] = marked.rows(Moderation)
    assert row.rationale == typed


def test_a_hundred_kilobyte_rationale_is_refused_with_the_limit_and_kept(
    marked: AwardWorld,
) -> None:
    typed = "z" * 100_000
    response = moderate(marked, typed)
    assert response.status_code == 200
    form = read_form(response.get_data(as_text=True))
    assert form.field_errors["rationale-error"] == "Rationale must be 5,000 characters or fewer"
    assert form.value("rationale") == typed
    assert marked.rows(Moderation) == []


def test_a_nul_in_a_moderation_rationale_is_refused_next_to_the_field(marked: AwardWorld) -> None:
    response = moderate(marked, "Agreed\x00 at panel")
    assert response.status_code == 200
    form = read_form(response.get_data(as_text=True))
    assert form.field_errors["rationale-error"].startswith(f"Rationale {NUL_IN}")
    assert marked.rows(Moderation) == []


def test_a_nul_in_the_sign_in_email_is_refused_not_a_server_error(client: FlaskClient) -> None:
    response = post_form(
        client, "/sign-in", {"email": "ada\x00@example.org", "password": "not the password"}
    )
    assert response.status_code == 200
    form = read_form(response.get_data(as_text=True))
    assert any(NUL_IN in text for _, text in form.error_links)


def test_a_nul_in_an_organisation_name_is_refused_at_registration(
    client: FlaskClient, award: AwardWorld
) -> None:
    password = "a kettle, two owls and a lighthouse"
    response = post_form(
        client,
        "/register",
        {
            "organisation_name": "Brookside\x00 Home Care",
            "name": "Ada Brook",
            "email": "ada@brookside.example",
            "password": password,
            "confirm_password": password,
        },
    )
    assert response.status_code == 200
    form = read_form(response.get_data(as_text=True))
    assert form.field_errors["organisation_name-error"].endswith(
        "type it again, or paste it as plain text"
    )
    assert "Brookside" not in {o.name for o in award.rows(Organisation)}
