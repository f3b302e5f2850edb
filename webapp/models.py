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
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    reference: Mapped[str | None] = mapped_column(String(48), unique=True)
    declaration_name: Mapped[str | None] = mapped_column(String(255))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
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
