"""The demo data: what `flask seed-demo` builds, that it is idempotent and refused in production."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.security import check_password_hash

from criteria.answers import parse_answer
from criteria.engine import score_round
from criteria.inputs import Bid as EngineBid
from criteria.round_file import load_round
from tests.webapp.forms_helper import post_form
from webapp.clock import as_utc, to_london
from webapp.demo import (
    DEMO_PASSWORD,
    DEMO_ROUND_REFERENCE,
    DRAFT_PROVIDER,
    NO_BID_PROVIDER,
    ROUND_FILE,
    DemoRefusedError,
    in_use_without_demo,
    provider_email,
    seed_demo,
    sign_in_table,
)
from webapp.demo.documents import demo_pdf
from webapp.demo.people import DRAFT_SECTIONS
from webapp.extensions import db
from webapp.forms.builder import SectionStatus
from webapp.models import (
    Bid,
    BidStatus,
    CommissioningRound,
    EvidenceFile,
    FrameworkVersion,
    Organisation,
    Role,
    SelfAssessment,
    User,
)
from webapp.services.bids import attachments_of, bid_sections
from webapp.services.bids import is_complete as bid_is_complete
from webapp.services.evidence import evidence_path
from webapp.services.profiles import is_complete, prefill_answers
from webapp.services.rounds import (
    RoundState,
    is_sealed,
    round_framework,
    round_settings,
    round_state,
    rounds_visible_to,
)
from webapp.services.self_assessments import score_self_assessment, section_tasks

EXAMPLE = load_round(ROUND_FILE).round
STANDING_AT = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)


@pytest.fixture
def seeded(app: Flask) -> Flask:
    app.config["CLOCK"] = lambda: STANDING_AT
    with app.app_context():
        seed_demo()
    return app


def _counts() -> dict[str, int]:
    models: dict[str, Any] = {
        "users": User,
        "organisations": Organisation,
        "rounds": CommissioningRound,
        "bids": Bid,
        "framework versions": FrameworkVersion,
    }
    return {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        for name, model in models.items()
    }


def _demo_round() -> CommissioningRound:
    return db.session.scalars(
        sa.select(CommissioningRound).where(CommissioningRound.reference == DEMO_ROUND_REFERENCE)
    ).one()


def _organisation(name: str) -> Organisation:
    return db.session.scalars(sa.select(Organisation).where(Organisation.name == name)).one()


def test_seeding_twice_changes_nothing(seeded: Flask) -> None:
    with seeded.app_context():
        first = _counts()
        again = seed_demo()
        assert _counts() == first
    assert not again.changed
    assert first == {
        "users": 7 + len(EXAMPLE.bids),
        "organisations": len(EXAMPLE.bids),
        "rounds": 1,
        "bids": len(EXAMPLE.bids) - 1,
        "framework versions": first["framework versions"],
    }
    assert first["framework versions"] >= 1


def test_a_first_seed_reports_what_it_made(app: Flask) -> None:
    with app.app_context():
        summary = seed_demo()
    assert summary.changed
    assert summary.created["user"] == 15
    assert summary.created["organisation"] == 8
    assert summary.created["round"] == 1
    assert summary.created["bid"] == 7


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


def test_every_example_provider_has_a_user_and_a_filled_profile(seeded: Flask) -> None:
    with seeded.app_context():
        for example in EXAMPLE.bids:
            organisation = _organisation(example.name)
            users = organisation.users
            assert [user.email for user in users] == [f"bids@{example.id}.example"]
            assert users[0].role == Role.PROVIDER.value
            answers = example.answers
            assert organisation.legal_form == answers["lo_ownership_form"]
            assert organisation.profile_answers["lo_ownership_form"] == answers["lo_ownership_form"]
            assert organisation.registered_postcode == answers["lo_registered_office"]
            assert organisation.cqc_rating == answers["q_cqc_rating"]
            assert organisation.cqc_provider_id == answers["q_cqc_provider_id"]
            assert organisation.contact_email == users[0].email
            assert organisation.contact_name == users[0].name
            assert is_complete(organisation), example.name


def test_profile_answers_hold_only_the_frameworks_profile_facts(seeded: Flask) -> None:
    with seeded.app_context():
        framework = round_framework(_demo_round())
        organisation = _organisation("Meridian Crest Homecare Ltd")
        profile = organisation.profile_answers
        prefill = prefill_answers(organisation, framework)
    assert profile
    assert all(framework.criteria[criterion_id].profile for criterion_id in profile)
    # A private-equity owner answers the follow-up naming its ultimate owner.
    assert "Castlegate Harbour" in profile["lo_ultimate_owner"]
    assert prefill == profile


def test_the_demo_round_is_open_with_a_week_gone_and_two_weeks_to_run(seeded: Flask) -> None:
    with seeded.app_context():
        round_ = _demo_round()
        assert round_state(round_) == RoundState.OPEN
        assert is_sealed(round_)
        opens, closes = to_london(round_.opens_at), to_london(round_.closes_at)
        providers = [_organisation(example.name) for example in EXAMPLE.bids]
        assert all(round_ in rounds_visible_to(provider) for provider in providers)
        settings = round_settings(round_)
        assert round_.framework_version.framework_id == "ethical-care"
    assert (opens.date(), opens.hour) == ((STANDING_AT - timedelta(days=7)).date(), 9)
    assert (closes.date(), closes.hour) == ((STANDING_AT + timedelta(days=14)).date(), 12)
    assert settings.parameters["local_postcode_districts"] == list(
        EXAMPLE.settings.parameters["local_postcode_districts"]
    )


def test_most_providers_have_submitted_one_has_a_draft_and_the_co_operative_has_none(
    seeded: Flask,
) -> None:
    with seeded.app_context():
        round_ = _demo_round()
        by_provider = {bid.organisation.name: bid for bid in round_.bids}
        co_operative = next(b for b in EXAMPLE.bids if b.id == NO_BID_PROVIDER)
        draft_example = next(b for b in EXAMPLE.bids if b.id == DRAFT_PROVIDER)

        assert co_operative.name not in by_provider
        assert co_operative.answers["lo_ownership_form"] == "cooperative"
        draft = by_provider.pop(draft_example.name)
        assert draft.status == BidStatus.DRAFT.value
        assert draft.reference is None
        assert draft.submitted_at is None
        assert 0 < len(draft.answers) < len(draft_example.answers)

        assert len(by_provider) == len(EXAMPLE.bids) - 2
        references = set()
        for bid in by_provider.values():
            assert bid.status == BidStatus.SUBMITTED.value
            assert bid.reference
            assert bid.declaration_name
            assert bid.submitted_at is not None
            submitted = as_utc(bid.submitted_at)
            assert as_utc(round_.opens_at) < submitted < STANDING_AT
            references.add(bid.reference)
        assert len(references) == len(by_provider)


def test_submitted_answers_parse_with_the_rounds_framework_and_score(seeded: Flask) -> None:
    with seeded.app_context():
        round_ = _demo_round()
        framework = round_framework(round_)
        settings = round_settings(round_)
        submitted = [b for b in round_.bids if b.status == BidStatus.SUBMITTED.value]
        engine_bids = []
        for bid in submitted:
            example = next(b for b in EXAMPLE.bids if b.name == bid.organisation.name)
            assert set(bid.answers) == set(example.answers)
            for criterion_id, stored in bid.answers.items():
                parse_answer(framework.criteria[criterion_id], stored)  # raises if unusable
            engine_bids.append(
                EngineBid(id=str(bid.id), name=bid.organisation.name, answers=bid.answers)
            )
    result = score_round(framework, engine_bids, {}, settings)
    assert len(result.bids) == len(submitted)


def test_submitted_bids_are_complete_with_their_required_documents(seeded: Flask) -> None:
    with seeded.app_context():
        round_ = _demo_round()
        framework = round_framework(round_)
        required = {c.id for c in framework.criteria.values() if c.evidence and c.evidence.required}
        assert required, "the framework asks for documents: the demo must attach them"
        for bid in round_.bids:
            attached = attachments_of(bid)
            statuses = [entry.status for entry in bid_sections(bid)]
            if bid.status == BidStatus.SUBMITTED.value:
                assert bid_is_complete(bid), bid.organisation.name
                assert set(attached) == required
                assert bid.reference == f"{round_.reference}-B{bid.id}-1"
            else:
                assert statuses[:DRAFT_SECTIONS] == [SectionStatus.COMPLETED] * DRAFT_SECTIONS
                assert set(statuses[DRAFT_SECTIONS:]) == {SectionStatus.NOT_STARTED}


def test_demo_documents_are_stored_pdfs_anyone_can_open(seeded: Flask) -> None:
    with seeded.app_context():
        documents = db.session.scalars(sa.select(EvidenceFile)).all()
        paths = [evidence_path(document) for document in documents]
    assert documents
    for document, path in zip(documents, paths, strict=True):
        assert document.content_type == "application/pdf"
        assert document.filename.endswith(".pdf")
        content = path.read_bytes()
        assert len(content) == document.size
        _assert_well_formed_pdf(content)


def _assert_well_formed_pdf(content: bytes) -> None:
    """The header, and every cross-reference offset pointing at the object it names."""
    assert content.startswith(b"%PDF-1.4\n")
    assert content.rstrip().endswith(b"%%EOF")
    xref_at = int(content.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    table = content[xref_at:].split(b"trailer", 1)[0].splitlines()
    assert table[0] == b"xref"
    entries = table[3:]  # after "xref", "0 N" and the free entry of object 0
    assert len(entries) == int(table[1].split()[1]) - 1
    for number, entry in enumerate(entries, start=1):
        offset = int(entry.split()[0])
        assert content[offset:].startswith(b"%d 0 obj" % number)


def test_pdf_text_is_escaped_so_the_document_stays_valid() -> None:
    content = demo_pdf("Title (with brackets) \\ and £", ["x" * 500, "A (second) paragraph"])
    _assert_well_formed_pdf(content)
    assert b"\\(with brackets\\)" in content


def test_providers_with_a_bid_have_scored_themselves(seeded: Flask) -> None:
    with seeded.app_context():
        assessments = db.session.scalars(sa.select(SelfAssessment)).all()
        names = {assessment.organisation.name for assessment in assessments}
        results = [score_self_assessment(assessment) for assessment in assessments]
        tasks = [task.status for a in assessments for task in section_tasks(a)]
    co_operative = next(b.name for b in EXAMPLE.bids if b.id == NO_BID_PROVIDER)
    assert names == {b.name for b in EXAMPLE.bids} - {co_operative}
    assert set(tasks) == {SectionStatus.COMPLETED}
    for result in results:
        assert 0 < result.total.earned <= result.total.available
        assert result.advice or result.evaluator_advice


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
        assert _counts()["users"] == 0


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
        assert _counts()["users"] == 15


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
        assert _counts()["users"] == 1
        assert _counts()["rounds"] == 0


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
        ("evaluator2@wellfield.example", "/commissioning/rounds"),
        ("board@wellfield.example", "/commissioning/rounds"),
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


def test_the_co_operative_can_start_a_bid_and_staff_see_the_round_sealed(
    seeded: Flask, client: FlaskClient
) -> None:
    post_form(
        client, "/sign-in", {"email": provider_email(NO_BID_PROVIDER), "password": DEMO_PASSWORD}
    )
    dashboard = client.get("/provider/").get_data(as_text=True)
    assert DEMO_ROUND_REFERENCE in dashboard
    assert "Start a bid" in dashboard
    client.get("/sign-out")

    post_form(
        client, "/sign-in", {"email": "commissioner1@wellfield.example", "password": DEMO_PASSWORD}
    )
    rounds = client.get("/commissioning/rounds").get_data(as_text=True)
    assert DEMO_ROUND_REFERENCE in rounds
    with seeded.app_context():
        round_id = _demo_round().id
    page = client.get(f"/commissioning/rounds/{round_id}").get_data(as_text=True)
    assert f"{len(EXAMPLE.bids) - 2} bids submitted" in page
    assert not [b.name for b in EXAMPLE.bids if b.name in page]
