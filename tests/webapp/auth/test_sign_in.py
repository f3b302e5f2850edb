"""Signing in and out: landing pages by role, the generic error, `next`, sessions, rate limit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from config import TestingConfig
from tests.webapp.auth.conftest import reload, sign_in_with, update_user
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import csrf_token_of, post_form, sign_out
from webapp import clock, create_app
from webapp.auth.views import LANDING_ENDPOINTS
from webapp.extensions import db
from webapp.models import Role, User

MakeUser = Callable[..., User]


def expected_landing(app: Flask, role: Role) -> str:
    endpoint = LANDING_ENDPOINTS[role]
    with app.test_request_context():
        return url_for(endpoint if endpoint in app.view_functions else "public.home")


def test_sign_in_page_is_a_gov_uk_form(client: FlaskClient):
    page = parse_page(client.get("/sign-in"))

    assert page.status_code == 200
    assert page.h1s == ["Sign in"]
    assert page.title.startswith("Sign in – Commonweal")
    assert page.duplicate_ids == []
    assert {"email", "password"} <= set(page.ids)
    assert "/register" in page.links
    assert "/forgot-password" in page.links


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_start_page(
    app: Flask, client: FlaskClient, make_user: MakeUser, role: Role
):
    user = make_user(role)

    response = sign_in_with(client, user.email)

    assert response.status_code == 302
    assert response.headers["Location"] == expected_landing(app, role)


@pytest.mark.parametrize(
    ("role", "path", "heading"),
    [
        (Role.EVALUATOR, "/evaluation/", "Your marking"),
        (Role.BOARD, "/board/", "Decisions waiting for you"),
        (Role.COMMISSIONER, "/commissioning/rounds", "Commissioning rounds"),
        (Role.PROVIDER, "/provider/", "Your bids"),
    ],
)
def test_each_role_starts_on_its_own_work_which_the_menu_leads_back_to(
    client: FlaskClient, make_user: MakeUser, role: Role, path: str, heading: str
):
    user = make_user(role)

    response = sign_in_with(client, user.email)
    page = parse_page(client.get(path))

    assert response.headers["Location"] == path
    assert page.h1s == [heading]
    assert path in page.links


def test_admin_lands_on_the_users_page(client: FlaskClient, make_user: MakeUser):
    admin = make_user(Role.ADMIN)

    response = sign_in_with(client, admin.email)

    assert response.headers["Location"] == "/admin/users"
    assert client.get("/admin/users").status_code == 200


def test_signing_in_records_the_time(app: Flask, client: FlaskClient, make_user: MakeUser):
    user = make_user(Role.COMMISSIONER)
    assert user.last_signed_in_at is None

    sign_in_with(client, user.email)

    signed_in_at = reload(app, user.id).last_signed_in_at
    assert signed_in_at is not None
    with app.app_context():
        assert abs(clock.as_utc(signed_in_at) - clock.now()) < timedelta(minutes=1)


def test_email_address_is_matched_whatever_its_case(client: FlaskClient, make_user: MakeUser):
    make_user(Role.EVALUATOR, email="evie.evaluator@example.org")

    response = sign_in_with(client, "  Evie.Evaluator@EXAMPLE.org ")

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("provider1@example.org", "not the password at all"),
        ("nobody@example.org", "correct horse battery staple"),
    ],
    ids=["wrong password", "unknown email"],
)
def test_a_wrong_email_or_password_gets_the_same_generic_error(
    client: FlaskClient, make_user: MakeUser, email: str, password: str
):
    make_user(Role.PROVIDER, email="provider1@example.org")

    response = sign_in_with(client, email, password)
    page = parse_page(response)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert page.title.startswith("Error: Sign in")
    assert "govuk-error-summary" in page.classes
    assert html.count("Enter a correct email address and password") == 2  # summary and field
    assert 'href="#email"' in html
    assert f'value="{email}"' in html
    assert password not in html


def test_missing_answers_are_named_next_to_their_fields(client: FlaskClient):
    response = post_form(client, "/sign-in", {"email": "", "password": ""})
    html = response.get_data(as_text=True)

    assert "Enter your email address" in html
    assert "Enter your password" in html
    assert 'href="#password"' in html


def test_a_staff_member_who_never_set_a_password_cannot_sign_in(
    client: FlaskClient, make_user: MakeUser
):
    invited = update_user(client.application, make_user(Role.EVALUATOR).id, password_hash=None)

    response = sign_in_with(client, invited.email, "")

    assert response.status_code == 200
    assert client.get("/admin/users").status_code == 302


def test_an_unconfirmed_provider_cannot_sign_in_and_is_offered_a_new_link(
    client: FlaskClient, make_user: MakeUser
):
    user = update_user(client.application, make_user().id, email_confirmed_at=None)

    response = sign_in_with(client, user.email)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Confirm your email address before you sign in" in html
    assert "/resend-confirmation?email=" in html
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_a_deactivated_user_cannot_sign_in(client: FlaskClient, make_user: MakeUser):
    user = make_user(Role.COMMISSIONER, is_active=False)

    response = sign_in_with(client, user.email)

    assert response.status_code == 200
    assert "Your account has been deactivated" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_next_takes_the_user_back_to_a_page_on_this_site(client: FlaskClient, make_user: MakeUser):
    admin = make_user(Role.ADMIN)

    response = sign_in_with(client, admin.email, url="/sign-in?next=/admin/users/invite")

    assert response.headers["Location"] == "/admin/users/invite"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        "admin/users",
    ],
)
def test_next_never_leaves_the_site(
    app: Flask, client: FlaskClient, make_user: MakeUser, target: str
):
    admin = make_user(Role.ADMIN)

    response = post_form(
        client,
        "/sign-in",
        {"email": admin.email, "password": "correct horse battery staple", "next": target},
    )

    assert response.headers["Location"] == expected_landing(app, Role.ADMIN)


def test_a_protected_page_sends_anonymous_visitors_to_sign_in_and_back(
    client: FlaskClient, make_user: MakeUser
):
    admin = make_user(Role.ADMIN)

    refused = client.get("/admin/users")
    assert refused.status_code == 302
    sign_in_page = refused.headers["Location"]
    assert sign_in_page.startswith("/sign-in?next=")

    response = sign_in_with(client, admin.email, url=sign_in_page)

    assert response.headers["Location"] == "/admin/users"


def test_a_signed_in_user_visiting_sign_in_goes_to_their_start_page(
    app: Flask, client: FlaskClient, make_user: MakeUser, sign_in: Callable[[User], FlaskClient]
):
    sign_in(make_user(Role.BOARD))

    response = client.get("/sign-in")

    assert response.status_code == 302
    assert response.headers["Location"] == expected_landing(app, Role.BOARD)


def test_the_session_lasts_eight_hours(client: FlaskClient, make_user: MakeUser):
    admin = make_user(Role.ADMIN)

    response = sign_in_with(client, admin.email)

    cookie = next(
        header for header in response.headers.getlist("Set-Cookie") if header.startswith("session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    with client.application.app_context():
        lifetime = expires - clock.now()
    assert timedelta(hours=7, minutes=59) < lifetime <= timedelta(hours=8)


def test_signing_in_starts_a_new_session(client: FlaskClient, make_user: MakeUser):
    admin = make_user(Role.ADMIN)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"

    sign_in_with(client, admin.email)

    with client.session_transaction() as session:
        assert "planted" not in session


def test_signing_out_ends_the_session(
    client: FlaskClient, make_user: MakeUser, sign_in: Callable[[User], FlaskClient]
):
    sign_in(make_user(Role.ADMIN))

    response = sign_out(client)
    home = client.get(response.headers["Location"])

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "You have signed out on every device." in home.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 302


def test_a_get_to_sign_out_signs_no_one_out_but_offers_the_button(
    client: FlaskClient, make_user: MakeUser, sign_in: Callable[[User], FlaskClient]
):
    sign_in(make_user(Role.ADMIN))

    page = parse_page(client.get("/sign-out"))

    assert page.status_code == 200
    assert page.h1s == ["Sign out"]
    assert client.get("/admin/users").status_code == 200


def test_signing_out_without_the_csrf_token_is_refused(
    client: FlaskClient, make_user: MakeUser, sign_in: Callable[[User], FlaskClient]
):
    sign_in(make_user(Role.ADMIN))

    response = client.post("/sign-out")

    assert response.status_code == 400
    assert client.get("/admin/users").status_code == 200


def test_the_header_signs_out_with_a_form_not_a_link(
    client: FlaskClient, make_user: MakeUser, sign_in: Callable[[User], FlaskClient]
):
    sign_in(make_user(Role.ADMIN))

    html = client.get("/admin/users").get_data(as_text=True)

    assert 'href="/sign-out"' not in html
    form = html.split('action="/sign-out"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrf_token"' in form
    assert '<button type="submit"' in form
    assert ">Sign out</button>" in form


def test_signing_out_when_not_signed_in_just_goes_home(client: FlaskClient):
    response = client.get("/sign-out")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_post_without_the_csrf_token_is_refused(client: FlaskClient, make_user: MakeUser):
    admin = make_user(Role.ADMIN)

    response = client.post(
        "/sign-in", data={"email": admin.email, "password": "correct horse battery staple"}
    )

    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_the_eleventh_sign_in_attempt_in_a_minute_is_refused(
    client: FlaskClient, make_user: MakeUser
):
    user = make_user(Role.PROVIDER)
    token = csrf_token_of(client, "/sign-in")
    attempt = {"email": user.email, "password": "wrong password", "csrf_token": token}

    statuses = [client.post("/sign-in", data=attempt).status_code for _ in range(10)]
    refused = client.post("/sign-in", data=attempt)
    page = parse_page(refused)

    assert statuses == [200] * 10
    assert refused.status_code == 429
    assert page.h1s == ["You have tried too many times"]
    assert "You have tried to sign in too many times. Wait a minute and try again." in (
        refused.get_data(as_text=True)
    )
    assert "Retry-After" in refused.headers
    # Even the right password waits: guessing cannot continue by getting one right.
    attempt["password"] = "correct horse battery staple"
    assert client.post("/sign-in", data=attempt).status_code == 429
    # Reading the page is not limited.
    assert client.get("/sign-in").status_code == 200


def test_sign_in_limits_do_not_carry_over_to_a_new_app(
    app_config: TestingConfig, client: FlaskClient, make_user: MakeUser
):
    user = make_user(Role.PROVIDER)
    token = csrf_token_of(client, "/sign-in")
    attempt = {"email": user.email, "password": "wrong password", "csrf_token": token}
    for _ in range(11):
        client.post("/sign-in", data=attempt)
    assert client.post("/sign-in", data=attempt).status_code == 429

    fresh_app = create_app(app_config)
    try:
        fresh = fresh_app.test_client()
        fresh_token = csrf_token_of(fresh, "/sign-in")
        response = fresh.post("/sign-in", data={**attempt, "csrf_token": fresh_token})
    finally:
        with fresh_app.app_context():
            db.session.remove()
            db.engine.dispose()

    assert response.status_code == 200
