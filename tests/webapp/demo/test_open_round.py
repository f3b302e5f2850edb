"""The demo's people, providers and the round open for bids: what a person finds at first."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from criteria.answers import parse_answer
from criteria.engine import score_round
from criteria.inputs import Bid as EngineBid
from tests.webapp.demo.seeding import EXAMPLE, STANDING_AT
from tests.webapp.demo.seeding import demo_round as _demo_round
from tests.webapp.demo.seeding import organisation as _organisation
from tests.webapp.forms_helper import post_form, sign_out
from webapp.clock import as_utc, to_london
from webapp.demo import (
    DEMO_PASSWORD,
    DEMO_ROUND_REFERENCE,
    DRAFT_PROVIDER,
    NO_BID_PROVIDER,
    provider_email,
)
from webapp.demo.documents import demo_pdf
from webapp.demo.people import DRAFT_SECTIONS
from webapp.extensions import db
from webapp.forms.builder import SectionStatus
from webapp.models import BidStatus, EvidenceFile, Role, SelfAssessment
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


def test_the_co_operative_can_start_a_bid_and_staff_see_the_round_sealed(
    seeded: Flask, client: FlaskClient
) -> None:
    post_form(
        client, "/sign-in", {"email": provider_email(NO_BID_PROVIDER), "password": DEMO_PASSWORD}
    )
    dashboard = client.get("/provider/").get_data(as_text=True)
    assert DEMO_ROUND_REFERENCE in dashboard
    assert "Start a bid" in dashboard
    sign_out(client)

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
