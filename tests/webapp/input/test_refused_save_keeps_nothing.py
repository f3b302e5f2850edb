"""A "Save and continue" refused for one of its documents saves nothing of the section.

The answers are all valid and one of the two documents posted with them is refused. The save
is undone as one: the bid's answers and documents are as they were, and the good
document is kept beside the typed answers as "attached, not yet saved", like any refused save.
A commit slipped in between storing the documents and checking them would fail this test.
"""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from flask import Flask
from werkzeug.test import TestResponse

from tests.webapp.input import hostile_files as files
from tests.webapp.provider.bidding import BidWorld, section_url
from tests.webapp.provider.page_forms import read_form
from webapp.extensions import db
from webapp.models import EvidenceFile
from webapp.services.frameworks import store_framework

TWO_DOCUMENTS = """\
id: two-documents
version: "1"
title: Two documents in one section
parameters: {}
sections:
  - id: documents
    title: Your documents
    pillar: quality
    weight: 100
    criteria:
      - id: travel_paid
        prompt: Do you pay care workers for their travel time?
        type: yes_no
        weight: 100
        scoring: {rule: choice_points, points: {"yes": 1, "no": 0}}
      - id: training
        prompt: Describe your training.
        type: narrative
        evidence: {description: Your training plan., required: true}
      - id: pay_policy
        prompt: Attach your pay policy.
        type: evidence
  - id: price
    title: Price
    pillar: price
    weight: 100
    criteria:
      - id: hourly_rate
        prompt: What hourly rate do you charge?
        type: money
        unit: per_hour
        weight: 100
        scoring: {rule: price}
award:
  pillars:
    - {id: quality, title: Quality, weight: 60}
    - {id: price, title: Price, weight: 40}
  price: {criterion: hourly_rate, formula: {name: lowest_over_bid}}
"""

WRONG_TYPE = (
    "The selected file must be a PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG"
)


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def two_document_round(app: Flask, world: BidWorld) -> int:
    with app.app_context():
        version = store_framework(TWO_DOCUMENTS, "two-documents.yaml")
        db.session.commit()
        version_id = version.id
    return world.round(framework_version_id=version_id)


def save_documents(
    world: BidWorld, bid_id: int, training_plan: bytes, pay_policy: bytes
) -> TestResponse:
    url = section_url(bid_id, "documents")
    form = world.page(f"{url}?change=confirmed")[1]
    body = {
        "csrf_token": form.value("csrf_token"),
        "version": form.value("version"),
        "travel_paid": "yes",
        "training": "Every new worker shadows a senior carer for two weeks.",
        "action": "continue",
        "training-evidence": (io.BytesIO(training_plan), "training.pdf"),
        "pay_policy": (io.BytesIO(pay_policy), "pay.pdf"),
    }
    return world.client.post(url, data=body, content_type="multipart/form-data")


def test_one_refused_document_saves_nothing_and_keeps_the_good_one_aside(
    app: Flask, world: BidWorld
) -> None:
    world.provider()
    bid_id = world.start(two_document_round(app, world))
    before = world.bid(bid_id)

    response = save_documents(world, bid_id, files.PLAIN_PDF, files.EXE)

    assert response.status_code == 200
    shown = read_form(response.get_data(as_text=True))
    assert shown.field_errors == {"pay_policy-error": WRONG_TYPE}
    assert shown.value("training") == "Every new worker shadows a senior carer for two weeks."
    assert "training.pdf is attached, not yet saved" in words(response.get_data(as_text=True))
    after = world.bid(bid_id)
    assert after.answers == before.answers
    with app.app_context():
        kept = db.session.scalars(sa.select(EvidenceFile)).all()
        assert [(evidence.filename, evidence.bid_id) for evidence in kept] == [
            ("training.pdf", None)
        ]

    # Sending the good policy saves the section with the kept plan, without sending it again.
    url = section_url(bid_id, "documents")
    form = world.page(url)[1]
    body = {
        "csrf_token": form.value("csrf_token"),
        "version": form.value("version"),
        "travel_paid": "yes",
        "training": "Every new worker shadows a senior carer for two weeks.",
        "action": "continue",
        "pay_policy": (io.BytesIO(files.PLAIN_PDF), "pay.pdf"),
    }
    saved = world.client.post(url, data=body, content_type="multipart/form-data")
    assert saved.status_code == 302, saved.get_data(as_text=True)
    with app.app_context():
        attached = db.session.scalars(
            sa.select(EvidenceFile).where(EvidenceFile.bid_id == bid_id)
        ).all()
        assert sorted(evidence.filename for evidence in attached) == ["pay.pdf", "training.pdf"]
    assert world.bid(bid_id).answers["pay_policy"].startswith("evidence:")
