"""Administrators list accounts, invite council staff, and deactivate or reactivate accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.webapp.auth.conftest import last_message, link_in, reload, sign_in_with, update_user
from tests.webapp.confirming import confirmation_fields, confirmation_form
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import post_form, sign_out
from webapp.extensions import db
from webapp.mail import outbox_of
from webapp.models import Role, User

MakeUser = Callable[..., User]
SignIn = Callable[[User], FlaskClient]
PASSWORD = "marmalade in the orchard at noon"
NOT_ADMINS = [Role.PROVIDER, Role.COMMISSIONER, Role.EVALUATOR, Role.BOARD]


@pytest.fixture
def admin(make_user: MakeUser, sign_in: SignIn) -> User:
    user = make_user(Role.ADMIN, email="admin@example.org")
    sign_in(user)
    return user


def invite(client: FlaskClient, **changes: str):
    data = {"name": "Ivy Evans", "email": "ivy@council.example", "role": "evaluator", **changes}
    return post_form(client, "/admin/users/invite", data)


def stored(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        db.session.expunge(user)
        return user


# --- who may see the admin pages ---------------------------------------------------------------

ADMIN_GETS = ["/admin/users", "/admin/users/invite"]


@pytest.mark.parametrize("path", ADMIN_GETS)
def test_admin_pages_send_anonymous_visitors_to_sign_in(client: FlaskClient, path: str):
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


@pytest.mark.parametrize("role", NOT_ADMINS)
@pytest.mark.parametrize("path", ADMIN_GETS)
def test_admin_pages_refuse_every_other_role(
    client: FlaskClient, make_user: MakeUser, sign_in: SignIn, role: Role, path: str
):
    sign_in(make_user(role))

    response = client.get(path)

    assert response.status_code == 403
    assert parse_page(response).h1s == ["You do not have permission to see this page"]


@pytest.mark.parametrize("action", ["deactivate", "reactivate", "resend-invite"])
@pytest.mark.parametrize("role", [None, *NOT_ADMINS])
def test_admin_actions_are_refused_to_everyone_else(
    app: Flask,
    client: FlaskClient,
    make_user: MakeUser,
    sign_in: SignIn,
    role: Role | None,
    action: str,
):
    target = make_user(Role.EVALUATOR)
    if role is not None:
        sign_in(make_user(role))

    response = post_form(
        client, f"/admin/users/{target.id}/{action}", token_from="/forgot-password"
    )

    assert response.status_code == (302 if role is None else 403)
    assert reload(app, target.id).is_active


def test_admin_pages_post_without_csrf_is_refused(
    app: Flask, client: FlaskClient, make_user: MakeUser, admin: User
):
    target = make_user(Role.EVALUATOR)

    response = client.post(f"/admin/users/{target.id}/deactivate")

    assert response.status_code == 400
    assert reload(app, target.id).is_active


# --- the list ----------------------------------------------------------------------------------


def test_the_users_page_lists_staff_and_providers_with_their_status(
    app: Flask, client: FlaskClient, make_user: MakeUser, admin: User
):
    make_user(Role.COMMISSIONER, email="cora@council.example")
    update_user(app, make_user(Role.EVALUATOR, email="ivy@council.example").id, password_hash=None)
    make_user(Role.BOARD, email="bo@council.example", is_active=False)
    update_user(app, make_user(email="new@provider.example").id, email_confirmed_at=None)

    response = client.get("/admin/users")
    page = parse_page(response)
    html = response.get_data(as_text=True)

    assert page.h1s == ["Users"]
    assert page.duplicate_ids == []
    for email in ["cora@council.example", "ivy@council.example", "bo@council.example"]:
        assert email in html
    assert "new@provider.example" in html
    assert "Provider 5 Ltd" in html
    for status in ["Active", "Invited", "Deactivated", "Email not confirmed"]:
        assert status in html
    assert "This is you" in html
    assert f"/admin/users/{admin.id}/deactivate" not in html
    assert "/admin/users/invite" in page.links


# --- invitations -------------------------------------------------------------------------------


def test_invite_page_offers_the_four_council_roles(client: FlaskClient, admin: User):
    page = parse_page(client.get("/admin/users/invite"))
    html = client.get("/admin/users/invite").get_data(as_text=True)

    assert page.h1s == ["Invite a council user"]
    assert page.duplicate_ids == []
    for role in ["commissioner", "evaluator", "board", "admin"]:
        assert f'value="{role}"' in html
    assert 'value="provider"' not in html
    assert "Marks the narrative answers" in html


def test_inviting_creates_an_account_without_a_password_and_emails_a_link(
    app: Flask, client: FlaskClient, admin: User
):
    response = invite(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    assert "Invitation sent to Ivy Evans" in client.get("/admin/users").get_data(as_text=True)
    invited = stored(app, "ivy@council.example")
    assert invited.role == Role.EVALUATOR.value
    assert invited.password_hash is None
    assert invited.invited_by_id == admin.id
    message = last_message(app)
    assert message["To"] == "ivy@council.example"
    assert "Evaluator" in message.get_content()
    assert "/invite/" in link_in(message)


def test_accepting_an_invitation_sets_the_password_and_signs_in(
    app: Flask, client: FlaskClient, admin: User
):
    invite(client, role="commissioner")
    link = link_in(last_message(app))
    sign_out(client)
    newcomer = app.test_client()

    page = parse_page(newcomer.get(link))
    assert page.h1s == ["Set your password"]
    assert "ivy@council.example" in newcomer.get(link).get_data(as_text=True)

    response = post_form(newcomer, link, {"password": PASSWORD, "confirm_password": PASSWORD})

    assert response.status_code == 302
    invited = stored(app, "ivy@council.example")
    assert invited.email_confirmed_at is not None
    assert invited.last_signed_in_at is not None
    sign_out(newcomer)
    assert sign_in_with(newcomer, "ivy@council.example", PASSWORD).status_code == 302


def test_an_accepted_invitation_link_cannot_be_used_again(
    app: Flask, client: FlaskClient, admin: User
):
    invite(client)
    link = link_in(last_message(app))
    newcomer = app.test_client()
    post_form(newcomer, link, {"password": PASSWORD, "confirm_password": PASSWORD})
    sign_out(newcomer)

    response = newcomer.get(link)

    assert response.status_code == 400
    assert parse_page(response).h1s == ["This link cannot be used"]


def test_an_expired_invitation_is_refused_and_can_be_sent_again(
    app: Flask, client: FlaskClient, admin: User, move_clock: Callable[[timedelta], None]
):
    invite(client)
    old_link = link_in(last_message(app))
    invited = stored(app, "ivy@council.example")

    move_clock(timedelta(days=7, seconds=1))
    expired = app.test_client().get(old_link)
    assert expired.status_code == 400
    assert parse_page(expired).h1s == ["This link has expired"]

    resent = post_form(
        client, f"/admin/users/{invited.id}/resend-invite", token_from="/admin/users/invite"
    )
    assert resent.status_code == 302
    assert "A new invitation has been sent" in client.get("/admin/users").get_data(as_text=True)
    assert app.test_client().get(link_in(last_message(app))).status_code == 200


def test_an_invitation_cannot_be_resent_once_accepted(
    client: FlaskClient, make_user: MakeUser, admin: User
):
    accepted = make_user(Role.EVALUATOR)

    post_form(client, f"/admin/users/{accepted.id}/resend-invite", token_from="/admin/users/invite")

    assert "has already accepted their invitation" in client.get("/admin/users").get_data(
        as_text=True
    )


def test_inviting_an_existing_address_is_refused_on_the_email_field(
    app: Flask, client: FlaskClient, make_user: MakeUser, admin: User
):
    make_user(Role.PROVIDER, email="ivy@council.example")

    response = invite(client, email="IVY@council.example")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "An account already exists with this email address" in html
    assert 'href="#email"' in html
    assert 'value="Ivy Evans"' in html
    assert outbox_of(app) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the person’s full name"),
        ({"email": ""}, "email", "Enter the person’s email address"),
        ({"email": "ivy"}, "email", "Enter an email address in the correct format"),
        ({"role": ""}, "role", "Select the person’s role"),
        ({"role": "provider"}, "role", "Select the person’s role"),
    ],
)
def test_invitation_problems_are_shown_next_to_their_fields(
    app: Flask, client: FlaskClient, admin: User, changes: dict[str, str], field: str, message: str
):
    response = invite(client, **changes)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert parse_page(response).title.startswith("Error: ")
    assert message in html
    assert f'href="#{field}"' in html
    assert outbox_of(app) == []


# --- deactivation ------------------------------------------------------------------------------


def test_deactivating_a_user_signs_them_out_and_stops_their_sign_in(
    app: Flask, client: FlaskClient, make_user: MakeUser, admin: User
):
    commissioner = make_user(Role.COMMISSIONER, email="cora@council.example")
    other_admin = make_user(Role.ADMIN, email="second@council.example")
    their_device = app.test_client()
    sign_in_with(their_device, "second@council.example")
    assert their_device.get("/admin/users").status_code == 200

    asked = client.get(f"/admin/users/{other_admin.id}/deactivate")
    assert reload(app, other_admin.id).is_active
    response = client.post(
        f"/admin/users/{other_admin.id}/deactivate", data=confirmation_fields(asked)
    )

    assert response.status_code == 302
    assert "account has been deactivated" in client.get("/admin/users").get_data(as_text=True)
    assert not reload(app, other_admin.id).is_active
    assert reload(app, commissioner.id).is_active
    assert their_device.get("/admin/users").status_code == 302
    assert sign_in_with(their_device, "second@council.example").status_code == 200


def test_a_deactivated_user_can_be_reactivated(
    app: Flask, client: FlaskClient, make_user: MakeUser, admin: User
):
    gone = make_user(Role.BOARD, is_active=False)

    post_form(client, f"/admin/users/{gone.id}/reactivate", token_from="/admin/users/invite")

    assert reload(app, gone.id).is_active
    assert sign_in_with(app.test_client(), gone.email).status_code == 302


def test_an_admin_cannot_deactivate_themselves(app: Flask, client: FlaskClient, admin: User):
    response = post_form(
        client, f"/admin/users/{admin.id}/deactivate", token_from="/admin/users/invite"
    )

    assert response.status_code == 302
    assert "You cannot deactivate your own account" in client.get("/admin/users").get_data(
        as_text=True
    )
    assert reload(app, admin.id).is_active


def test_deactivating_asks_are_you_sure_and_restates_the_consequence(
    app: Flask, client: FlaskClient, make_user: MakeUser, admin: User
):
    cora = make_user(Role.COMMISSIONER, email="cora@council.example")
    update_user(app, cora.id, name="Cora Lane")
    listing = parse_page(client.get("/admin/users"))
    assert f"/admin/users/{cora.id}/deactivate" in listing.links

    response = client.get(f"/admin/users/{cora.id}/deactivate")
    page = parse_page(response)
    html = " ".join(response.get_data(as_text=True).split())

    assert page.status_code == 200
    assert page.h1s == ["Are you sure you want to deactivate Cora Lane’s account?"]
    assert page.duplicate_ids == []
    assert "Cora Lane will be signed out at once and will not be able to sign in" in html
    assert "cora@council.example" in html
    assert "/admin/users" in page.links  # cancel
    action, fields = confirmation_form(response)
    assert action == f"/admin/users/{cora.id}/deactivate"
    assert fields["confirmed"] == "yes"
    assert reload(app, cora.id).is_active


def test_a_deactivation_posted_without_the_confirmation_changes_nothing(
    app: Flask, client: FlaskClient, make_user: MakeUser, admin: User
):
    cora = make_user(Role.COMMISSIONER, email="cora@council.example")

    response = post_form(
        client, f"/admin/users/{cora.id}/deactivate", token_from="/admin/users/invite"
    )

    assert response.status_code == 200
    assert parse_page(response).h1s[0].startswith("Are you sure you want to deactivate")
    assert reload(app, cora.id).is_active


def test_an_account_already_deactivated_is_not_offered_for_deactivation_again(
    app: Flask, client: FlaskClient, make_user: MakeUser, admin: User
):
    gone = update_user(app, make_user(Role.BOARD, is_active=False).id, name="Bo Reid")

    response = client.get(f"/admin/users/{gone.id}/deactivate")

    assert response.status_code == 302
    assert "Bo Reid’s account is already deactivated" in client.get("/admin/users").get_data(
        as_text=True
    )


@pytest.mark.parametrize("action", ["deactivate", "reactivate", "resend-invite"])
def test_actions_on_an_unknown_user_are_not_found(client: FlaskClient, admin: User, action: str):
    response = post_form(client, f"/admin/users/99999/{action}", token_from="/admin/users/invite")

    assert response.status_code == 404
