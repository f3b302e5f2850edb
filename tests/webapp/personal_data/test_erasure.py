"""Erasure after retention: the person's name, email and contact details go, the records keep
pointing to the account by id, the audit chain still verifies; refused before retention ends
unless forced with a reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from tests.webapp.audit.trail import (
    audit_verify,
    database_url,
    key_env,
    log_is_intact,
    stored_events,
)
from tests.webapp.forms_helper import post_form
from tests.webapp.personal_data.conftest import People
from webapp.audit.log import record
from webapp.audit.people import REDACTED_TEXT
from webapp.console import main
from webapp.extensions import db
from webapp.models import Bid, Organisation, Role, User
from webapp.services import personal_data


def erase_cli(app: Flask, who: str, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        main,
        ["people", "erase", who, "--database-url", database_url(app), *args],
        env=key_env(app),
    )


def stored_user(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        db.session.expunge(user)
        return user


def everything_stored(app: Flask) -> str:
    """Every text column of the people, organisations and bids, as one string."""
    with app.app_context():
        rows = [
            *db.session.execute(sa.select(User.name, User.email)).all(),
            *db.session.execute(
                sa.select(
                    Organisation.contact_name,
                    Organisation.contact_email,
                    Organisation.contact_phone,
                )
            ).all(),
            *db.session.execute(sa.select(Bid.declaration_name)).all(),
        ]
    return repr(rows)


def test_erasure_is_refused_before_the_retention_period_ends(people: People) -> None:
    result = erase_cli(people.app, "sam.subject@example.org")

    assert result.exit_code == 1
    assert "must be kept until" in result.output
    assert stored_user(people.app, people.subject.id).email == "sam.subject@example.org"
    assert stored_events(people.app, action="person.erased") == []


def test_forcing_erasure_early_needs_a_reason(people: People) -> None:
    result = erase_cli(people.app, "sam.subject@example.org", "--force")

    assert result.exit_code == 1
    assert "Give the reason" in result.output
    assert stored_user(people.app, people.subject.id).name == "Sam Subject"


def test_forced_erasure_removes_name_email_and_contact_details_and_the_chain_verifies(
    people: People,
) -> None:
    before = everything_stored(people.app)
    assert "Sam Subject" in before
    assert "0161" in before

    result = erase_cli(
        people.app, "sam.subject@example.org", "--force", "--reason", "Erasure request upheld"
    )

    assert result.exit_code == 0, result.output
    after = everything_stored(people.app)
    for gone in ("Sam Subject", "sam.subject@example.org", "0161"):
        assert gone not in after
    user = stored_user(people.app, people.subject.id)
    assert (user.name, user.is_active, user.password_hash) == (
        f"Erased person {user.id}",
        False,
        None,
    )
    (event,) = stored_events(people.app, action="person.erased")
    assert event.subject == f"user:{user.id}"
    assert "before the end of its retention period" in event.summary
    assert "Erasure request upheld" not in event.summary  # the reason is not hashed
    assert log_is_intact(people.app)
    assert audit_verify(people.app).exit_code == 0
    # The colleague and the other provider are untouched.
    assert stored_user(people.app, people.colleague.id).email == people.colleague.email
    assert stored_user(people.app, people.other.id).email == people.other.email


def test_the_audit_page_shows_the_erased_person_without_their_name(people: People) -> None:
    erase_cli(people.app, str(people.subject.id), "--force", "--reason", "Request")
    with people.app.app_context():
        round_id = db.session.get(Bid, people.bid_id).round_id  # type: ignore[union-attr]

    people.app.config["CLOCK"] = lambda: datetime(2027, 5, 1, tzinfo=UTC)  # past the deadline
    response = people.client_for(people.commissioner).get(
        f"/commissioning/rounds/{round_id}/events"
    )

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Erased person {people.subject.id} (provider)" in body
    assert "Sam Subject" not in body
    assert "chain intact" in body


def test_an_older_event_naming_the_person_is_withheld_after_erasure(people: People) -> None:
    """Events written before people were named by id keep the name in their hashed text: the
    chain still verifies, and every page shows the text as withheld."""
    with people.app.app_context():
        record("report.issued", actor=None, subject="report:1", summary="Sent to Sam Subject")
        db.session.commit()
    (old,) = stored_events(people.app, action="report.issued")

    erase_cli(people.app, "sam.subject@example.org", "--force", "--reason", "Request")

    with people.app.app_context():
        erasure = personal_data.erasure_of(db.session.get(User, people.subject.id))  # type: ignore[arg-type]
        assert erasure is not None
        assert old.seq in erasure.redacted_event_seqs
    assert log_is_intact(people.app)
    from webapp.audit.people import People as EventPeople

    with people.app.app_context():
        shown = EventPeople.for_events([old]).summary(old)
    assert shown == REDACTED_TEXT


def test_a_person_past_retention_is_erased_without_force(
    app: Flask, make_user: Callable[..., User]
) -> None:
    gone = make_user(
        Role.PROVIDER,
        email="long.gone@example.org",
        last_signed_in_at=datetime(2015, 1, 1, tzinfo=UTC),
        created_at=datetime(2014, 1, 1, tzinfo=UTC),
    )

    result = erase_cli(app, "long.gone@example.org")

    assert result.exit_code == 0, result.output
    assert stored_user(app, gone.id).email == f"erased-{gone.id}@erased.invalid"
    (event,) = stored_events(app, action="person.erased")
    assert "before the end" not in event.summary
    assert log_is_intact(app)


def test_an_administrator_erases_from_the_admin_page(people: People) -> None:
    client = people.client_for(people.admin)
    page = f"/admin/users/{people.subject.id}/personal-data"
    assert "must still be kept until" in client.get(page).get_data(as_text=True)

    refused = post_form(
        client, f"/admin/users/{people.subject.id}/erase", {"force": "y"}, token_from=page
    )
    assert refused.status_code == 400
    assert "Give the reason" in refused.get_data(as_text=True)

    done = post_form(
        client,
        f"/admin/users/{people.subject.id}/erase",
        {"force": "y", "reason": "Erasure request upheld"},
        token_from=page,
    )
    assert done.status_code == 302
    assert stored_user(people.app, people.subject.id).name.startswith("Erased person")
    (event,) = stored_events(people.app, action="person.erased")
    assert event.actor_id == people.admin.id
    assert log_is_intact(people.app)


def test_retention_periods_come_from_the_settings(people: People) -> None:
    people.app.config["RETENTION"] = {
        **people.app.config["RETENTION"],
        "user_account_inactive": "P1D",
        "successful_bid": "P1D",
        "unsuccessful_bid": "P1D",
        "evidence_file": "P1D",
        "self_assessment": "P1D",
    }
    people.app.config["CLOCK"] = lambda: datetime(2027, 6, 1, tzinfo=UTC)

    with people.app.app_context():
        user = personal_data.find_person("sam.subject@example.org")
        assert personal_data.retention_of(user).expired(datetime(2027, 6, 1, tzinfo=UTC))
        erasure = personal_data.erase_person(user, by=None)
        assert erasure.forced is False


def test_durations_add_years_months_and_days() -> None:
    start = datetime(2024, 2, 29, tzinfo=UTC)
    assert personal_data.add_duration(start, "P7Y") == datetime(2031, 2, 28, tzinfo=UTC)
    assert personal_data.add_duration(start, "P1M") == datetime(2024, 3, 29, tzinfo=UTC)
    assert personal_data.add_duration(start, "P1Y6M2D") == datetime(2025, 8, 31, tzinfo=UTC)
