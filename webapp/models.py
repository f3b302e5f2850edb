"""Database models (SQLAlchemy 2, typed). Change one, then add an Alembic revision for it.

Answers are stored per bid (and per self-assessment) as JSON keyed by criterion id, exactly the
JSON-ready values `criteria.answers` parses, with a version counter for optimistic locking. A
round keeps the frozen framework it was opened with (its YAML text and content hash), so a
result can always be recomputed from stored inputs.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(enum.StrEnum):
    ADMIN = "admin"
    COMMISSIONER = "commissioner"
    EVALUATOR = "evaluator"
    BOARD = "board"
    PROVIDER = "provider"

    @property
    def label(self) -> str:
        return {
            Role.ADMIN: "Administrator",
            Role.COMMISSIONER: "Commissioner",
            Role.EVALUATOR: "Evaluator",
            Role.BOARD: "Board member",
            Role.PROVIDER: "Provider",
        }[self]


STAFF_ROLES = frozenset({Role.ADMIN, Role.COMMISSIONER, Role.EVALUATOR, Role.BOARD})


class Organisation(db.Model):
    """A care provider: its profile is filled once and reused in every bid."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    legal_form: Mapped[str | None] = mapped_column(String(64))
    company_number: Mapped[str | None] = mapped_column(String(16))
    charity_number: Mapped[str | None] = mapped_column(String(16))
    registered_postcode: Mapped[str | None] = mapped_column(String(10))
    cqc_provider_id: Mapped[str | None] = mapped_column(String(32))
    cqc_rating: Mapped[str | None] = mapped_column(String(32))
    headcount: Mapped[int | None] = mapped_column(Integer)
    contact_name: Mapped[str | None] = mapped_column(String(255))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    profile_answers: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, default=dict, server_default=text("'{}'")
    )
    """Answers to framework criteria marked `profile: true`, keyed by criterion id."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), onupdate=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")
    bids: Mapped[list[Bid]] = relationship(back_populates="organisation")

    @property
    def active_provider_users(self) -> list[User]:
        """The organisation's people who can sign in and act for it: whom its emails go to."""
        return [u for u in self.users if u.is_active and u.has_role(Role.PROVIDER)]

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class User(db.Model):
    """A person who signs in. Provider users belong to exactly one organisation."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    """Bumped when the password changes, which signs out every other session."""
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    last_signed_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, *roles: Role) -> bool:
        return self.role in {r.value for r in roles}

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class FrameworkVersion(db.Model):
    """An exact framework version, frozen: its YAML text and canonical content hash."""

    __tablename__ = "framework_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(80), unique=True)
    source_name: Mapped[str] = mapped_column(String(255))
    source_text: Mapped[str] = mapped_column(Text)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class CommissioningRound(db.Model):
    """A tender, mini-competition or call-off: a framework, its settings and a deadline."""

    __tablename__ = "commissioning_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    service: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    framework_version_id: Mapped[int] = mapped_column(ForeignKey("framework_version.id"))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    pillar_weights: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    invite_only: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymise_bidders: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    """Quality evaluators see "Bid A", "Bid B", not the bidder's name."""
    hide_price_from_evaluators: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    """Quality evaluators do not see the bid's price answers."""
    spread_threshold: Mapped[int] = mapped_column(Integer, default=2, server_default=text("2"))
    """Moderation highlights a criterion whose marks differ by at least this many points."""
    status: Mapped[str] = mapped_column(String(16), default=RoundStatus.DRAFT.value)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    framework_version: Mapped[FrameworkVersion] = relationship()
    bids: Mapped[list[Bid]] = relationship(back_populates="round")
    invitations: Mapped[list[RoundInvitation]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )


class RoundInvitation(db.Model):
    __tablename__ = "round_invitation"

    round_id: Mapped[int] = mapped_column(ForeignKey("commissioning_round.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)

    round: Mapped[CommissioningRound] = relationship(back_populates="invitations")
    organisation: Mapped[Organisation] = relationship()


class BidStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Bid(db.Model):
    """One organisation's tender in one round. `version` guards against stale saves."""

    __tablename__ = "bid"
    __table_args__ = (UniqueConstraint("round_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("commissioning_round.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    status: Mapped[str] = mapped_column(String(16), default=BidStatus.DRAFT.value)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    """The answers that count: for a submitted bid, exactly what was submitted."""
    draft_answers: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    """Changes to a submitted bid not yet submitted again (None when there are none). The
    submitted `answers` still count until the provider submits these."""
    submitted_attachments: Mapped[dict[str, int] | None] = mapped_column(JSONDocument)
    """criterion id -> the `EvidenceFile` id of each document as submitted; documents uploaded
    since belong to the changes, not to the submitted bid."""
    changes_reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the provider was last emailed that its changes are not yet submitted."""
    unsaved_sections: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    """What a refused save of a section held, kept so nothing typed or uploaded is lost:
    section id -> {"fields": {field name: [posted values]}, "uploads": {field: evidence id}}."""
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    reference: Mapped[str | None] = mapped_column(String(48), unique=True)
    declaration_name: Mapped[str | None] = mapped_column(String(255))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the server received the latest submission: the deadline was judged by this."""
    submitted_from_version: Mapped[int | None] = mapped_column(Integer)
    """The `version` of the check page the latest submission was posted from: posting that page
    again, while nothing has changed since, shows the receipt instead of submitting twice."""
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), onupdate=utcnow)

    round: Mapped[CommissioningRound] = relationship(back_populates="bids")
    organisation: Mapped[Organisation] = relationship(back_populates="bids")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own protocol


class SelfAssessment(db.Model):
    """A provider's free self-assessment against a framework, outside any round."""

    __tablename__ = "self_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    framework_version_id: Mapped[int] = mapped_column(ForeignKey("framework_version.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    unsaved_sections: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    """As `Bid.unsaved_sections`: what a refused save held, kept until it is saved or removed."""
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    framework_version: Mapped[FrameworkVersion] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own protocol


class EvidenceFile(db.Model):
    """An uploaded document, stored outside static under its content hash."""

    __tablename__ = "evidence_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id"))
    self_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("self_assessment.id"))
    criterion_id: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# --- evaluation and award -------------------------------------------------------------------


class RoundEvaluator(db.Model):
    """An evaluator assigned to a round, to every evaluator-marked section or to some of them."""

    __tablename__ = "round_evaluator"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("commissioning_round.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    section_ids: Mapped[list[str] | None] = mapped_column(JSONDocument)
    """The framework sections this evaluator marks; None for all of them."""
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    round: Mapped[CommissioningRound] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ConflictDeclaration(db.Model):
    """An evaluator's declaration, before opening any bid, of any conflict with one bidder.

    A declared conflict removes the evaluator from that bid. Declarations are not edited: a
    change of circumstances is a new declaration, and the latest one stands.
    """

    __tablename__ = "conflict_declaration"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("commissioning_round.id"), index=True)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"))
    has_conflict: Mapped[bool] = mapped_column(Boolean)
    details: Mapped[str | None] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    evaluator: Mapped[User] = relationship()
    bid: Mapped[Bid] = relationship()


class MarkSheetStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class MarkSheet(db.Model):
    """One evaluator's marks for one bid. Submitted sheets are final; moderation follows."""

    __tablename__ = "mark_sheet"
    __table_args__ = (UniqueConstraint("bid_id", "evaluator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("commissioning_round.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"))
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(16), default=MarkSheetStatus.DRAFT.value)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    bid: Mapped[Bid] = relationship()
    evaluator: Mapped[User] = relationship()
    marks: Mapped[list[EvaluatorMark]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan", order_by="EvaluatorMark.criterion_id"
    )


class EvaluatorMark(db.Model):
    """A mark on the framework's scale for one criterion, with the evaluator's justification."""

    __tablename__ = "evaluator_mark"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("mark_sheet.id"))
    criterion_id: Mapped[str] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(Integer)
    justification: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    sheet: Mapped[MarkSheet] = relationship(back_populates="marks")


class Moderation(db.Model):
    """A moderated mark agreed for one criterion of one bid. Never edited: a change is a new row,
    and the latest row (highest id) is the one that counts; earlier rows are its history."""

    __tablename__ = "moderation"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("commissioning_round.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"))
    criterion_id: Mapped[str] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    bid: Mapped[Bid] = relationship()
    moderator: Mapped[User] = relationship()


class PriceCheckStatus(enum.StrEnum):
    OPEN = "open"  # flagged, nobody has asked yet
    ASKED = "asked"  # clarification sent, waiting for the provider
    ANSWERED = "answered"  # the provider replied
    DECIDED = "decided"  # accepted or disregarded, with a reason


class PriceCheck(db.Model):
    """A flagged price and what was done about it (Procurement Act 2023 s.19)."""

    __tablename__ = "price_check"
    __table_args__ = (UniqueConstraint("bid_id", "flag_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("commissioning_round.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"))
    flag_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=PriceCheckStatus.OPEN.value)
    question: Mapped[str | None] = mapped_column(Text)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    asked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    response: Mapped[str | None] = mapped_column(Text)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision: Mapped[str | None] = mapped_column(String(16))
    """"accept" or "disregard", as `criteria.inputs.PriceDecision` reads it."""
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    bid: Mapped[Bid] = relationship()


class BoardDecisionKind(enum.StrEnum):
    APPROVE = "approve"
    REFER_BACK = "refer_back"


class BoardSubmission(db.Model):
    """A round's results put to the procurement board, and the board's one decision on them.

    `inputs_digest` fixes exactly what the board was shown. A decision, once recorded, is
    final for this submission; after a referral the commissioner submits again (a new row).
    """

    __tablename__ = "board_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("commissioning_round.id"), index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    inputs_digest: Mapped[str] = mapped_column(String(80))
    result_digest: Mapped[str] = mapped_column(String(80))
    recommended_bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id"))
    note: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(16))
    comments: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    round: Mapped[CommissioningRound] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    recommended_bid: Mapped[Bid | None] = relationship()


class AuditEvent(db.Model):
    """One entry in the append-only, hash-chained audit log.

    `hash` is SHA-256 over the event's canonical fields and the previous event's hash
    (`webapp.audit.chain`), so changing, removing or reordering any stored event breaks every
    link after it. `seq` is unique: two writers can never both extend the chain from one head.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[str] = mapped_column(String(400))
    """Who, as text ("Priya Shah <commissioner1@...> (commissioner)"), kept if the user goes."""
    action: Mapped[str] = mapped_column(String(64))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("commissioning_round.id"), index=True)
    subject: Mapped[str] = mapped_column(String(128))
    """What changed, as "bid:12" or "mark_sheet:4"."""
    summary: Mapped[str] = mapped_column(Text)
    before_digest: Mapped[str | None] = mapped_column(String(80))
    after_digest: Mapped[str | None] = mapped_column(String(80))
    prev_hash: Mapped[str] = mapped_column(String(80))
    hash: Mapped[str] = mapped_column(String(80), unique=True)
    seal: Mapped[str | None] = mapped_column(String(80))
    """HMAC of `hash` with the audit key (outside the database); None before signing began."""


# --- issued reports ---------------------------------------------------------------------------


class ReportJobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReportJob(db.Model):
    """A request to make a round's reports, and how far it has got.

    A job issues every assessment summary of a round (`subject` empty), or renders one
    document: the round's board pack (`subject` empty) or one bid's summary (`subject`
    "bid:<id>"). `total` and `done` count the reports; a failed job keeps the error a person
    can act on; `attempts` counts the runs started, so a job is retried a set number of times.
    """

    __tablename__ = "report_job"
    __table_args__ = (
        # At most one unfinished job per document (or bulk issue), kept by the database even
        # against a race.
        Index(
            "uq_report_job_unfinished",
            "round_id",
            "kind",
            "subject",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
        # The same for documents of no round (a self-assessment report): NULLs never clash.
        Index(
            "uq_report_job_unfinished_own",
            "kind",
            "subject",
            unique=True,
            sqlite_where=text("round_id IS NULL AND status IN ('queued', 'running')"),
            postgresql_where=text("round_id IS NULL AND status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("commissioning_round.id"), index=True)
    """The round whose document it makes; None for a provider's self-assessment report."""
    kind: Mapped[str] = mapped_column(String(32))
    """"assessment_summaries", "board_pack", "assessment_summary" or "self_assessment_report"."""
    subject: Mapped[str] = mapped_column(String(40), default="", server_default="")
    """Which document: "" for the round's own, "bid:<id>" for one bid's, "self-assessment:<id>"
    for a self-assessment's report."""
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id"))
    self_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("self_assessment.id"))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    source_sha256: Mapped[str | None] = mapped_column(String(80))
    """`sha256:...` of the HTML a single-document job was asked to render."""
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(16), default=ReportJobStatus.QUEUED.value)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    inputs_digest: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    progressed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the job last reported progress: a running job silent for long has died."""
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    round: Mapped[CommissioningRound | None] = relationship()
    requested_by: Mapped[User] = relationship()


class IssuedReport(db.Model):
    """A report as it was issued: its PDF's hash and the digest of the inputs it was made from.

    The PDF itself is kept on disk like evidence, under its SHA-256 (`webapp.services.
    report_jobs`). Rows are never changed: issuing again adds a row, and the latest row for a
    round, bid and kind is the current one.
    """

    __tablename__ = "issued_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("commissioning_round.id"), index=True)
    """The round it belongs to; None for a provider's self-assessment report."""
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id"))
    self_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("self_assessment.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("report_job.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    """"assessment_summary" (a bid's), "board_pack" (the round's), "self_assessment_report"."""
    filename: Mapped[str] = mapped_column(String(255))
    pdf_sha256: Mapped[str] = mapped_column(String(80))
    """`sha256:...` of the PDF's bytes."""
    inputs_digest: Mapped[str] = mapped_column(String(80))
    source_sha256: Mapped[str | None] = mapped_column(String(80))
    """`sha256:...` of the HTML the PDF was rendered from (the same HTML gives the same PDF)."""
    pages: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    bid: Mapped[Bid | None] = relationship()
    created_by: Mapped[User | None] = relationship()


from webapp.audit.tables import AuditHead, PersonalDataErasure  # noqa: E402, F401
