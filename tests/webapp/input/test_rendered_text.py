"""Hostile text in every free-text field is shown as text, on every page and in every PDF.

Each field a provider or a member of staff writes gets its own hostile text (a script, an
attribute break-out, an injected element, a `javascript:` link, template syntax, SQL), tagged
with the field's name. The pages each person can reach by following the app's own links are
read as a browser would: none may hold an injected element, event handler, script or
`javascript:` address, and each field's text must appear, literally, somewhere. The board pack
and the provider's assessment summary are rendered to PDF and read back the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.webapp.award_world import EVALUATED, FLAGGED, AwardWorld
from tests.webapp.board.states import decided, evaluated, submitted
from tests.webapp.input.inert import (
    crawl,
    payload,
    pdf_file,
    pdf_links,
    pdf_text,
    read_markup,
    squashed,
)
from tests.webapp.reports.downloads import fetched_pdf
from webapp.extensions import db
from webapp.models import EvaluatorMark, EvidenceFile, MarkSheet, Organisation, PriceCheck
from webapp.services.evidence_checks import document_problem
from webapp.services.rounds import round_framework

OWN = "kestrel"

FIELDS = {
    "ORGNAME": "the organisation's name",
    "CONTACT": "the organisation's contact name",
    "ROUNDTITLE": "the round's title",
    "ROUNDDESC": "the round's description",
    "ANSWER": "the bid's written answers",
    "DECLARED": "the name on the bid's declaration",
    "FILENAME": "an evidence file's name",
    "JUSTIFY": "an evaluator's justifications",
    "RATIONALE": "a moderation rationale",
    "PRICEQUESTION": "a price check's question",
    "PRICEREPLY": "a provider's price check reply",
    "PRICEREASON": "a price check decision's reason",
    "BOARDNOTE": "the note put to the board",
    "BOARDCOMMENTS": "the board's comments",
}


def hostile(award: AwardWorld) -> None:
    """The world awarded, with hostile text in every free-text field."""
    evaluated(award)
    with award.app.app_context():
        round_ = award.round()
        round_.title = payload("ROUNDTITLE")
        round_.description = payload("ROUNDDESC")
        bid = award.bid(OWN)
        organisation = db.session.get(Organisation, bid.organisation_id)
        assert organisation is not None
        organisation.name = payload("ORGNAME")
        organisation.contact_name = payload("CONTACT")
        framework = round_framework(round_)
        bid.answers = {
            **bid.answers,
            **{
                c.id: payload("ANSWER")
                for c in framework.criteria.values()
                if c.type == "narrative" and c.id in bid.answers
            },
        }
        bid.declaration_name = payload("DECLARED")
        db.session.add(
            EvidenceFile(
                sha256="0" * 64,
                filename=payload("FILENAME"),
                content_type="application/pdf",
                size=10,
                organisation_id=organisation.id,
                bid_id=bid.id,
                criterion_id="q_safeguarding",
            )
        )
        sheets = db.session.scalars(sa.select(MarkSheet).filter_by(bid_id=bid.id))
        for sheet in sheets:
            for mark in db.session.scalars(sa.select(EvaluatorMark).filter_by(sheet_id=sheet.id)):
                mark.justification = payload("JUSTIFY")
        for check in db.session.scalars(sa.select(PriceCheck)):
            check.question = payload("PRICEQUESTION")
            check.response = payload("PRICEREPLY")
            check.decision_reason = payload("PRICEREASON")
        db.session.commit()
    award.moderate(OWN, EVALUATED[0], 3, payload("RATIONALE"))
    submission_id = submitted(award, note=payload("BOARDNOTE"))
    decided(award, submission_id, "approve", payload("BOARDCOMMENTS"))


def shown_fields(text: str) -> set[str]:
    flat = squashed(text)
    return {tag for tag in FIELDS if squashed(payload(tag)) in flat}


def read_pages(browser: FlaskClient, starts: Iterable[str]) -> tuple[set[str], int]:
    """Every field shown whole on the pages reached; fails on the first page with markup."""
    shown: set[str] = set()
    pages = 0
    for start in starts:
        for path, html in crawl(browser, start):
            pages += 1
            markup = read_markup(html)
            assert markup.problems == [], (path, markup.problems)
            shown |= shown_fields(" ".join(markup.text))
    return shown, pages


@pytest.fixture
def world(award: AwardWorld) -> AwardWorld:
    hostile(award)
    return award


def test_hostile_text_is_inert_on_every_page_each_person_reaches(world: AwardWorld) -> None:
    shown: set[str] = set()
    round_page = f"/commissioning/rounds/{world.round_id}"
    people = {
        "commissioner": (world.commissioner, ["/", round_page]),
        "admin": (world.admin, ["/", round_page]),
        "evaluator": (world.evaluators[0], ["/"]),
        "board": (world.board, ["/"]),
        "provider": (world.providers[OWN], ["/", f"/provider/bids/{world.bid_ids[OWN]}/receipt"]),
        "flagged provider": (world.providers[FLAGGED], ["/"]),
    }
    read: dict[str, int] = {}
    for role, (user, starts) in people.items():
        found, pages = read_pages(world.client_for(user), starts)
        read[role] = pages
        shown |= found
    assert all(count >= 3 for count in read.values()), read
    assert shown == set(FIELDS), f"never shown whole: {sorted(set(FIELDS) - shown)}"


@pytest.mark.one_database
def test_hostile_text_is_text_in_the_board_pack_and_the_assessment_summary(
    world: AwardWorld,
) -> None:
    board_pack = fetched_pdf(
        world.client_for(world.board),
        f"/commissioning/rounds/{world.round_id}/reports/board-pack.pdf",
    )
    summary = fetched_pdf(
        world.client_for(world.providers[OWN]),
        f"/provider/bids/{world.bid_ids[OWN]}/assessment-summary.pdf",
    )
    for response in (board_pack, summary):
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        content = response.get_data()
        assert not any(link.lower().startswith("javascript:") for link in pdf_links(content))
        assert document_problem(pdf_file(content), "pdf") is None  # no script, no action
    pack_fields = shown_fields(pdf_text(board_pack.get_data()))
    assert {"ORGNAME", "ROUNDTITLE", "JUSTIFY", "RATIONALE", "PRICEREASON"} <= pack_fields
    assert {"ORGNAME", "ROUNDTITLE"} <= shown_fields(pdf_text(summary.get_data()))
