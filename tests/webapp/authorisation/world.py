"""A round with something behind every id, and one person for each role the access tests try.

`AccessWorld(app)` starts from the award world (a closed round, four submitted bids, three
evaluators) and takes it to the end: every evaluator has marked every bid, one criterion is
moderated, Meridian Crest's price checks are asked, answered and decided, the board has
approved, and the summaries have been issued by a report job. It adds what the award world
lacks: documents on two organisations' bids and self-assessments, self-assessments, an
evaluator not assigned to the round and one with a declared conflict with the bid under test.

The bid under test is Meridian Crest's (`OWN`); the other organisation is Hollin Brook
(`OTHER`), which has a bid, a document and a self-assessment of its own.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.award_world import EVALUATED, FLAGGED, AwardWorld
from webapp.extensions import db
from webapp.models import (
    Bid,
    BidStatus,
    CommissioningRound,
    ConflictDeclaration,
    EvidenceFile,
    IssuedReport,
    Organisation,
    PriceCheck,
    ReportJob,
    ReportJobStatus,
    Role,
    RoundEvaluator,
    RoundStatus,
    SelfAssessment,
    User,
)
from webapp.services.evidence import upload_folder
from webapp.services.issued_reports import ASSESSMENT_SUMMARY, issued_folder
from webapp.services.report_jobs import ASSESSMENT_SUMMARIES
from webapp.services.rounds import round_framework
from webapp.services.self_assessments import open_self_assessment

OWN = FLAGGED
"""The bid every id in the access tests points at: Meridian Crest's, with price checks."""
OTHER = "hollin-brook"
"""Another organisation that bid in the same round."""

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class Who(enum.StrEnum):
    """Everyone the access tests sign in as (or not)."""

    ANONYMOUS = "anonymous"
    PROVIDER = "provider"
    """A user of the organisation whose bid the ids point at."""
    OTHER_PROVIDER = "other provider"
    """A user of another organisation, with a bid of its own in the same round."""
    EVALUATOR = "evaluator"
    """Assigned to the round, no conflicts declared, marks submitted."""
    UNASSIGNED_EVALUATOR = "unassigned evaluator"
    CONFLICTED_EVALUATOR = "conflicted evaluator"
    """Assigned to the round, with a declared conflict of interest with the bid under test."""
    COMMISSIONER = "commissioner"
    BOARD = "board"
    ADMIN = "admin"


class AccessWorld(AwardWorld):
    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self.mark_all()
        self.moderate(OWN, EVALUATED[0], 4, "Agreed at moderation on the evidence given.")
        self.decide_price_checks()
        self.submission_id = self.approve()
        with app.app_context():
            self.unassigned = self._user(Role.EVALUATOR, "Tom Unassigned")
            self.conflicted = self._user(Role.EVALUATOR, "Cora Conflicted")
            db.session.add(
                RoundEvaluator(
                    round_id=self.round_id,
                    user_id=self.conflicted.id,
                    section_ids=None,
                    assigned_by_id=self.commissioner.id,
                )
            )
            for key, bid_id in self.bid_ids.items():
                db.session.add(
                    ConflictDeclaration(
                        round_id=self.round_id,
                        evaluator_id=self.conflicted.id,
                        bid_id=bid_id,
                        has_conflict=key == OWN,
                        details="I used to manage their branch." if key == OWN else None,
                        declared_at=self.now - timedelta(hours=1),
                    )
                )
            db.session.commit()
            for user in (self.unassigned, self.conflicted):
                db.session.refresh(user)
                db.session.expunge(user)

            framework = round_framework(self.round())
            self.section_id = framework.sections[0].id
            self.criterion_id = EVALUATED[0]
            self.flag_code = "abnormally_low"
            [self.check_id] = [
                c.id
                for c in db.session.scalars(
                    sa.select(PriceCheck).filter_by(
                        bid_id=self.bid_ids[OWN], flag_code=self.flag_code
                    )
                )
            ]
            self.self_assessment_ids = {
                key: open_self_assessment(db.session.get(User, self.providers[key].id)).id
                for key in (OWN, OTHER)
            }
            self.bid_evidence_ids = {
                key: self._evidence(key, bid_id=self.bid_ids[key]) for key in (OWN, OTHER)
            }
            self.self_assessment_evidence_ids = {
                key: self._evidence(key, self_assessment_id=self.self_assessment_ids[key])
                for key in (OWN, OTHER)
            }
            self.job_id, self.issued_id = self._issued_summary()
            self.open_round_id, self.open_bid_ids = self._open_round()
            self.open_evidence_id = self._evidence(OWN, bid_id=self.open_bid_ids[OWN])

    # --- rows --------------------------------------------------------------------------------

    def _evidence(
        self, key: str, *, bid_id: int | None = None, self_assessment_id: int | None = None
    ) -> int:
        """A stored PDF of `key`'s on a bid or a self-assessment: on disk under its hash."""
        content = PDF + f"% {key} document {bid_id} {self_assessment_id}\n".encode()
        sha256 = hashlib.sha256(content).hexdigest()
        (upload_folder() / sha256).write_bytes(content)
        organisation_id = self.providers[key].organisation_id
        assert organisation_id is not None
        row = EvidenceFile(
            sha256=sha256,
            filename=f"{key}-{bid_id or 'self-assessment'}.pdf",
            content_type="application/pdf",
            size=len(content),
            organisation_id=organisation_id,
            bid_id=bid_id,
            self_assessment_id=self_assessment_id,
            criterion_id=EVALUATED[0],
            uploaded_by_id=self.providers[key].id,
        )
        db.session.add(row)
        db.session.commit()
        return row.id

    def _issued_summary(self) -> tuple[int, int]:
        """A finished report job and the summary it issued for the bid under test."""
        job = ReportJob(
            round_id=self.round_id,
            kind=ASSESSMENT_SUMMARIES,
            requested_by_id=self.commissioner.id,
            status=ReportJobStatus.DONE.value,
            total=1,
            done=1,
            created_at=self.now,
            started_at=self.now,
            progressed_at=self.now,
            finished_at=self.now,
            inputs_digest="sha256:" + "c" * 64,
        )
        db.session.add(job)
        db.session.flush()
        pdf = PDF + b"% issued summary\n"
        sha256 = "sha256:" + hashlib.sha256(pdf).hexdigest()
        (issued_folder() / sha256.removeprefix("sha256:")).write_bytes(pdf)
        issued = IssuedReport(
            round_id=self.round_id,
            bid_id=self.bid_ids[OWN],
            job_id=job.id,
            kind=ASSESSMENT_SUMMARY,
            filename="assessment-summary.pdf",
            pdf_sha256=sha256,
            inputs_digest="sha256:" + "c" * 64,
            pages=1,
            created_at=self.now,
            created_by_id=self.commissioner.id,
        )
        db.session.add(issued)
        db.session.commit()
        return job.id, issued.id

    def _open_round(self) -> tuple[int, dict[str, int]]:
        """A second round, still open for a week, where both organisations have submitted."""
        round_ = CommissioningRound(
            reference="CW-2027-0002",
            title="Homecare, Lot 2",
            service="homecare",
            framework_version_id=self.round().framework_version_id,
            parameters={},
            opens_at=self.now - timedelta(days=1),
            closes_at=self.now + timedelta(days=7),
            status=RoundStatus.PUBLISHED.value,
            published_at=self.now - timedelta(days=2),
            created_by_id=self.commissioner.id,
        )
        db.session.add(round_)
        db.session.flush()
        bid_ids = {}
        for key in (OWN, OTHER):
            bid = Bid(
                round_id=round_.id,
                organisation_id=self.providers[key].organisation_id,
                status=BidStatus.SUBMITTED.value,
                answers=dict(self.bid(key).answers),
                declaration_name="Bids Lead",
                submitted_at=self.now - timedelta(hours=2),
            )
            db.session.add(bid)
            db.session.flush()
            bid.reference = f"{round_.reference}-B{bid.id}-1"
            bid_ids[key] = bid.id
        db.session.add(
            RoundEvaluator(
                round_id=round_.id,
                user_id=self.evaluators[0].id,
                section_ids=None,
                assigned_by_id=self.commissioner.id,
            )
        )
        db.session.commit()
        return round_.id, bid_ids

    # --- people ------------------------------------------------------------------------------

    def person(self, who: Who) -> User | None:
        return {
            Who.ANONYMOUS: None,
            Who.PROVIDER: self.providers[OWN],
            Who.OTHER_PROVIDER: self.providers[OTHER],
            Who.EVALUATOR: self.evaluators[0],
            Who.UNASSIGNED_EVALUATOR: self.unassigned,
            Who.CONFLICTED_EVALUATOR: self.conflicted,
            Who.COMMISSIONER: self.commissioner,
            Who.BOARD: self.board,
            Who.ADMIN: self.admin,
        }[who]

    def client_as(self, who: Who) -> FlaskClient:
        """A new browser: signed in as `who`, or not signed in at all."""
        user = self.person(who)
        return self.app.test_client() if user is None else self.client_for(user)

    def organisation_id(self, key: str) -> int:
        with self.app.app_context():
            organisation = db.session.get(Organisation, self.providers[key].organisation_id)
            assert organisation is not None
            return organisation.id

    def self_assessment(self, key: str) -> SelfAssessment:
        found = self.rows(SelfAssessment, id=self.self_assessment_ids[key])
        return found[0]

    def url_values(self) -> dict[str, Any]:
        """A real value for every URL argument the app's routes take, by argument name."""
        return {
            "id": self.round_id,
            "round_id": self.round_id,
            "bid_id": self.bid_ids[OWN],
            "evidence_id": self.bid_evidence_ids[OWN],
            "check_id": self.check_id,
            "issued_id": self.issued_id,
            "job_id": self.job_id,
            "user_id": self.providers[OTHER].id,
            "section_id": self.section_id,
            "criterion_id": self.criterion_id,
            "flag_code": self.flag_code,
            "name": f"{self.criterion_id}-file",
            "token": "not-a-real-token",
            "filename": "govuk-frontend.min.css",
        }


def database_state() -> str:
    """A digest of every row of every table: any insert, update or delete changes it."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        digest.update(f"{table.name}:{len(rows)}:{rows!r}".encode())
    db.session.rollback()
    return digest.hexdigest()
