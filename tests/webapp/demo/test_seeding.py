"""Seeding the demo: idempotent, refused in production, and what `make run` prints."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.security import check_password_hash

from tests.webapp.demo.seeding import EXAMPLE, STANDING_AT, counts
from tests.webapp.forms_helper import post_form
from webapp.audit.log import verify_log
from webapp.demo import (
    AWARD_PROVIDERS,
    AWARD_ROUND_REFERENCE,
    AWARD_ROUND_TITLE,
    DEMO_PASSWORD,
    DemoRefusedError,
    in_use_without_demo,
    seed_demo,
    seed_report,
    sign_in_table,
)
from webapp.extensions import db
from webapp.models import PriceCheck, Role, User


def test_seeding_twice_changes_nothing(seeded: Flask) -> None:
    with seeded.app_context():
        first = counts()
        again = seed_demo()
        assert counts() == first
        assert verify_log().ok
    assert not again.changed
    bids = len(EXAMPLE.bids) - 1 + len(AWARD_PROVIDERS)
    assert first == {
        **first,
        "users": 7 + len(EXAMPLE.bids),
        "organisations": len(EXAMPLE.bids),
        "rounds": 2,
        "bids": bids,
        "evaluator assignments": 3,
        "conflict declarations": 3 * len(AWARD_PROVIDERS),
        "mark sheets": 3 * len(AWARD_PROVIDERS) - 1,
        "moderations": 0,
        "price checks": 2,
    }
    assert first["framework versions"] >= 1
    # Created and published, each submitted bid, the assignment, three declarations, every
    # mark sheet, and each price check asked and answered.
    submitted = bids - 1
    assert first["audit events"] == 2 * 2 + submitted + 1 + 3 + first["mark sheets"] + 2 * 2


def test_a_first_seed_reports_what_it_made(app: Flask) -> None:
    with app.app_context():
        summary = seed_demo()
        made = counts()
    assert summary.changed
    assert summary.created["user"] == 15
    assert summary.created["organisation"] == 8
    assert summary.created["round"] == 2
    assert summary.created["bid"] == 12
    assert summary.created["mark sheet"] == made["mark sheets"] == 14
    assert summary.created["audit event"] == made["audit events"]
    assert summary.created["price check"] == 2


def test_a_seed_finishes_a_closed_round_it_finds_half_made(seeded: Flask) -> None:
    with seeded.app_context():
        before = counts()
        for check in db.session.scalars(sa.select(PriceCheck)):
            db.session.delete(check)
        db.session.commit()
        again = seed_demo()
        assert counts() == {**before, "audit events": before["audit events"] + 4}
        assert verify_log().ok
    assert again.created == {"price check": 2, "audit event": 4}


def test_council_staff_cover_every_role(seeded: Flask) -> None:
    with seeded.app_context():
        staff = db.session.scalars(sa.select(User).where(User.role != Role.PROVIDER.value)).all()
    roles = sorted(user.role for user in staff)
    assert roles == sorted(
        ["admin", "commissioner", "commissioner", "evaluator", "evaluator", "evaluator", "board"]
    )
    assert {user.email for user in staff} >= {
        "admin@wellfield.example",
        "commissioner1@wellfield.example",
        "commissioner2@wellfield.example",
        "evaluator3@wellfield.example",
        "board@wellfield.example",
    }
    assert all(user.organisation_id is None for user in staff)


def test_every_account_signs_in_with_the_demo_password(seeded: Flask) -> None:
    with seeded.app_context():
        users = db.session.scalars(sa.select(User)).all()
    assert users
    for user in users:
        assert user.is_active
        assert user.email_confirmed_at is not None
        assert user.password_hash
        assert check_password_hash(user.password_hash, DEMO_PASSWORD), user.email
        assert not check_password_hash(user.password_hash, "wrong password")


def test_the_sign_in_table_lists_every_account_and_the_password(app: Flask) -> None:
    with app.app_context():
        summary = seed_demo()
        emails = set(db.session.scalars(sa.select(User.email)))
    table = sign_in_table(summary)
    assert all(email in table for email in emails)
    assert "Hollin Brook Care Co-operative" in table
    assert f"Password for every demo account: {DEMO_PASSWORD}" in table
    assert table.splitlines()[0].split() == ["Role", "Name", "Email", "Organisation"]


def test_seeding_is_refused_in_production(app: Flask) -> None:
    app.config["ENV_NAME"] = "production"
    with app.app_context(), pytest.raises(DemoRefusedError, match="not loaded in production"):
        seed_demo()
    with app.app_context():
        assert counts()["users"] == 0


def test_seeding_is_refused_when_the_environment_says_production(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMONWEAL_ENV", "production")
    with app.app_context(), pytest.raises(DemoRefusedError):
        seed_demo()


def test_the_seed_demo_command_prints_the_sign_ins(runner: FlaskCliRunner, app: Flask) -> None:
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "commissioner1@wellfield.example" in first.output
    assert "bids@hollin-brook.example" in first.output
    assert DEMO_PASSWORD in first.output
    assert "Created" in first.output

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "already" in second.output
    assert "bids@hollin-brook.example" in second.output
    with app.app_context():
        assert counts()["users"] == 15


def test_the_seed_demo_command_refuses_in_production(
    runner: FlaskCliRunner, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMONWEAL_ENV", "production")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "not loaded in production" in result.output
    assert DEMO_PASSWORD not in result.output


def test_make_run_leaves_a_database_with_its_own_accounts_alone(
    runner: FlaskCliRunner, app: Flask, make_user: Any
) -> None:
    make_user(Role.ADMIN, email="head.of.commissioning@council.example")
    result = runner.invoke(args=["seed-demo", "--skip-if-in-use"])
    assert result.exit_code == 0, result.output
    assert "no demo data was loaded" in result.output
    with app.app_context():
        assert counts()["users"] == 1
        assert counts()["rounds"] == 0


def test_make_run_seeds_an_empty_database_and_reseeds_a_demo_one(
    runner: FlaskCliRunner, app: Flask
) -> None:
    first = runner.invoke(args=["seed-demo", "--skip-if-in-use"])
    assert "Created demo data" in first.output
    with app.app_context():
        assert not in_use_without_demo()
    again = runner.invoke(args=["seed-demo", "--skip-if-in-use"])
    assert "already in place" in again.output
    assert DEMO_PASSWORD in again.output


@pytest.mark.parametrize(
    ("email", "landing"),
    [
        ("bids@hollin-brook.example", "/provider/"),
        ("commissioner1@wellfield.example", "/commissioning/rounds"),
        ("evaluator2@wellfield.example", "/evaluation/"),
        ("board@wellfield.example", "/board/"),
        ("admin@wellfield.example", "/admin/users"),
    ],
)
def test_demo_accounts_sign_in_through_the_sign_in_page(
    seeded: Flask, client: FlaskClient, email: str, landing: str
) -> None:
    response = post_form(client, "/sign-in", {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == landing
    assert client.get(landing).status_code == 200


def test_the_report_says_how_to_walk_the_award_step_by_step(app: Flask) -> None:
    app.config["CLOCK"] = lambda: STANDING_AT
    with app.app_context():
        report = seed_report(seed_demo())
    closed = f"Round {AWARD_ROUND_REFERENCE}, {AWARD_ROUND_TITLE}: closed on 25 November 2026"
    assert closed in report
    steps = [line for line in report.splitlines() if line.lstrip()[:2] in {"1.", "2.", "3.", "4."}]
    assert [step.split()[1] for step in steps] == [
        "evaluator3@wellfield.example",
        "commissioner1@wellfield.example",
        "board@wellfield.example",
        "bids@hollin-brook.example",
    ]
    assert "(Mei Lin): mark Hollin Brook Care Co-operative's bid" in steps[0]
    assert "moderate" in steps[1]
    assert "Meridian Crest Homecare Ltd's price checks" in steps[1]
    assert "approve the award" in steps[2]
    assert "see Hollin Brook Care Co-operative's outcome" in steps[3]


def test_the_seed_demo_command_prints_the_walk_through_every_time(runner: FlaskCliRunner) -> None:
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        assert "To walk through the award" in result.output
        assert "evaluator3@wellfield.example (Mei Lin)" in result.output
