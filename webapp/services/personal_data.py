"""Personal data (UK GDPR): how long it is kept, a subject access export, erasure after that.

Retention is set per kind of record (`RETENTION` in the settings, ISO 8601 durations such as
`P7Y`). A person may be erased once every record that keeps them is past its period: their
account since they last signed in, each bid they acted on since its round closed, each
document they uploaded and each self-assessment they worked on since it last changed. Before
then erasure is refused unless an administrator forces it and says why.

Erasure pseudonymises rather than deletes: the account row stays (events and records point to it
by id) with its name, email, password and sign-in times replaced, the organisation's contact
details cleared when they are this person's, and a bid's declaration name replaced when it is
theirs. Audit events name people by id, so the chain still verifies; events written before
that rule whose hashed text names the person are listed in `PersonalDataErasure` and withheld
wherever events are shown (their stored text cannot change without breaking the chain).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from webapp.audit.chain import canonical_json
from webapp.audit.log import record
from webapp.audit.people import ERASED_EMAIL_DOMAIN, People, is_erased, person
from webapp.audit.tables import PersonalDataErasure
from webapp.clock import as_utc, now
from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    Bid,
    CommissioningRound,
    EvidenceFile,
    Organisation,
    Role,
    SelfAssessment,
    User,
)

__all__ = [
    "ErasureRefusedError",
    "Retention",
    "add_duration",
    "erase_person",
    "export_json",
    "export_person",
    "find_person",
    "retention_of",
]

_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?")


class ErasureRefusedError(Exception):
    """Erasure was refused, with a message for the administrator; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def add_duration(moment: datetime, duration: str) -> datetime:
    """`moment` plus an ISO 8601 duration of years, months and days (`P7Y`, `P1Y6M`, `P30D`).

    29 February plus whole years is 28 February in a year that has none.
    """
    found = _DURATION.fullmatch(duration.strip().upper())
    if not found or not any(found.groups()):
        raise ValueError(f"{duration!r} is not a retention period such as P7Y, P6M or P30D")
    years, months, days = (int(part or 0) for part in found.groups())
    total = moment.month - 1 + months + 12 * years
    year, month = moment.year + total // 12, total % 12 + 1
    day = moment.day
    while True:
        try:
            shifted = moment.replace(year=year, month=month, day=day)
            break
        except ValueError:
            day -= 1
    return shifted + timedelta(days=days)


def _periods() -> Mapping[str, str]:
    return dict(current_app.config["RETENTION"])


@dataclass(frozen=True)
class Retention:
    """Why a person's data is still kept: (kind of record, what, kept until), latest last."""

    reasons: list[tuple[str, str, datetime]]

    @property
    def until(self) -> datetime | None:
        return max((until for _, _, until in self.reasons), default=None)

    def expired(self, at: datetime) -> bool:
        return self.until is None or as_utc(self.until) <= as_utc(at)


def find_person(email_or_id: str | int) -> User:
    """The account with this email address or id; LookupError when there is none."""
    if isinstance(email_or_id, int) or str(email_or_id).isdigit():
        user = db.session.get(User, int(email_or_id))
    else:
        query = sa.select(User).where(sa.func.lower(User.email) == str(email_or_id).lower())
        user = db.session.scalars(query).first()
    if user is None:
        raise LookupError(f"there is no account {email_or_id}")
    return user


def _acted_on_bids(user: User) -> list[Bid]:
    """Bids the person submitted, withdrew, changed or uploaded documents to."""
    subjects = db.session.scalars(
        sa.select(AuditEvent.subject).where(
            AuditEvent.actor_id == user.id, AuditEvent.subject.like("bid:%")
        )
    ).all()
    ids = {int(s.split(":", 1)[1]) for s in subjects if s.split(":", 1)[1].isdigit()}
    ids |= set(
        db.session.scalars(
            sa.select(EvidenceFile.bid_id).where(
                EvidenceFile.uploaded_by_id == user.id, EvidenceFile.bid_id.is_not(None)
            )
        ).all()
    )
    if user.organisation_id is not None and not is_erased(user):
        ids |= set(
            db.session.scalars(
                sa.select(Bid.id).where(
                    Bid.organisation_id == user.organisation_id,
                    Bid.declaration_name == user.name,
                )
            ).all()
        )
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Bid).where(Bid.id.in_(ids)).order_by(Bid.id)))


def _self_assessments(user: User) -> list[SelfAssessment]:
    """Self-assessments the person uploaded documents to (who typed answers is not kept)."""
    ids = db.session.scalars(
        sa.select(EvidenceFile.self_assessment_id).where(
            EvidenceFile.uploaded_by_id == user.id, EvidenceFile.self_assessment_id.is_not(None)
        )
    ).all()
    if not ids:
        return []
    query = sa.select(SelfAssessment).where(SelfAssessment.id.in_(set(ids)))
    return list(db.session.scalars(query.order_by(SelfAssessment.id)))


def _evidence(user: User) -> list[EvidenceFile]:
    query = sa.select(EvidenceFile).where(EvidenceFile.uploaded_by_id == user.id)
    return list(db.session.scalars(query.order_by(EvidenceFile.id)))


def retention_of(user: User) -> Retention:
    """Every record that keeps the person's data, and until when (from `RETENTION`)."""
    periods = _periods()
    reasons: list[tuple[str, str, datetime]] = []
    last_seen = user.last_signed_in_at or user.created_at or now()
    reasons.append(
        (
            "user_account_inactive",
            "their account, since they last signed in",
            add_duration(as_utc(last_seen), periods["user_account_inactive"]),
        )
    )
    for bid in _acted_on_bids(user):
        kind = _bid_kind(periods)
        closed = as_utc(bid.round.closes_at)
        label = f"bid {bid.reference or bid.id}, since its round closed"
        reasons.append((kind, label, add_duration(closed, periods[kind])))
    for assessment in _self_assessments(user):
        changed = as_utc(assessment.updated_at or assessment.created_at)
        label = f"self-assessment {assessment.id}, since it last changed"
        reasons.append(
            ("self_assessment", label, add_duration(changed, periods["self_assessment"]))
        )
    for evidence in _evidence(user):
        label = f"document {evidence.filename}, since it was uploaded"
        reasons.append(
            (
                "evidence_file",
                label,
                add_duration(as_utc(evidence.created_at), periods["evidence_file"]),
            )
        )
    return Retention(sorted(reasons, key=lambda reason: as_utc(reason[2])))


def _bid_kind(periods: Mapping[str, str]) -> str:
    """Which bid period applies. Awards are not linked to bids here, so the longer of the
    successful and unsuccessful periods is kept for every bid."""
    base = datetime(2000, 1, 1, tzinfo=UTC)
    return max(
        ("successful_bid", "unsuccessful_bid"), key=lambda kind: add_duration(base, periods[kind])
    )


# --- subject access ---------------------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def _account(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "organisation_id": user.organisation_id,
        "is_active": user.is_active,
        "email_confirmed_at": _time(user.email_confirmed_at),
        "last_signed_in_at": _time(user.last_signed_in_at),
        "created_at": _time(user.created_at),
        "invited_by_id": user.invited_by_id,
    }


def _organisation(user: User) -> dict[str, Any] | None:
    organisation = user.organisation
    if organisation is None:
        return None
    held: dict[str, Any] = {
        "id": organisation.id,
        "name": organisation.name,
        "legal_form": organisation.legal_form,
        "company_number": organisation.company_number,
        "charity_number": organisation.charity_number,
    }
    if _is_contact(organisation, user):
        held |= {
            "contact_name": organisation.contact_name,
            "contact_email": organisation.contact_email,
            "contact_phone": organisation.contact_phone,
        }
    return held


def _is_contact(organisation: Organisation, user: User) -> bool:
    email = (organisation.contact_email or "").strip().lower()
    return bool(email) and email == user.email.strip().lower()


def export_person(user: User, *, by: User | None) -> dict[str, Any]:
    """Everything held about the person, as JSON-ready data; the export is audit-logged.

    Holds their account, their organisation (its contact details only when they are the
    contact), the bids and self-assessments they acted on, the documents they uploaded, the
    audit events about them or by them, and how long each is kept. Nobody else's name or email.
    """
    bids = _acted_on_bids(user)
    events = list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                sa.or_(
                    AuditEvent.actor_id == user.id,
                    AuditEvent.summary.contains(person(user)),
                    AuditEvent.subject == f"user:{user.id}",
                )
            )
            .order_by(AuditEvent.seq)
        )
    )
    people = People({user.id: user}, People.for_events(events).redacted)
    retention = retention_of(user)
    data: dict[str, Any] = {
        "exported_at": _time(now()),
        "account": _account(user),
        "organisation": _organisation(user),
        "bids": [_bid(bid, user) for bid in bids],
        "self_assessments": [
            {
                "id": a.id,
                "organisation_id": a.organisation_id,
                "framework_version_id": a.framework_version_id,
                "answers": a.answers,
                "updated_at": _time(a.updated_at or a.created_at),
            }
            for a in _self_assessments(user)
        ],
        "evidence_files": [
            {
                "id": e.id,
                "filename": e.filename,
                "content_type": e.content_type,
                "size": e.size,
                "sha256": e.sha256,
                "bid_id": e.bid_id,
                "self_assessment_id": e.self_assessment_id,
                "criterion_id": e.criterion_id,
                "uploaded_at": _time(e.created_at),
            }
            for e in _evidence(user)
        ],
        "audit_events": [
            {
                "seq": e.seq,
                "occurred_at": _time(e.occurred_at),
                "action": e.action,
                "by_this_person": e.actor_id == user.id,
                "subject": e.subject,
                "summary": _others_hidden(people.summary(e)),
                "round_id": e.round_id,
            }
            for e in events
        ],
        "retention": [
            {"kind": kind, "record": label, "kept_until": _time(until)}
            for kind, label, until in retention.reasons
        ],
    }
    record(
        "person.exported",
        actor=by,
        subject=f"user:{user.id}",
        summary=f"Personal data of {person(user)} exported (subject access)",
    )
    db.session.commit()
    return data


def _others_hidden(text: str) -> str:
    """Tokens for anyone but the exported person become "another person"."""
    return re.sub(r"⟦user:\d+⟧|user \d+", "another person", text)


def _bid(bid: Bid, user: User) -> dict[str, Any]:
    return {
        "id": bid.id,
        "reference": bid.reference,
        "round": bid.round.reference,
        "status": bid.status,
        "declaration_name": bid.declaration_name
        if not is_erased(user) and bid.declaration_name == user.name
        else None,
        "submitted_at": _time(bid.submitted_at),
        "answers": bid.answers,
    }


def export_json(data: Mapping[str, Any]) -> str:
    """The export as a file: indented JSON, keys in a stable order."""
    import json

    return json.dumps(json.loads(canonical_json(data)), indent=2, ensure_ascii=False) + "\n"


# --- erasure ----------------------------------------------------------------------------------


def erase_person(
    user: User, *, by: User | None, reason: str = "", force: bool = False
) -> PersonalDataErasure:
    """Pseudonymise the person (see the module's notes); audit-logged, one transaction.

    Refused (ErasureRefusedError, nothing changed) for someone already erased, for the
    administrator themselves, and before every retention period has ended unless `force` with
    a `reason`.
    """
    reason = reason.strip()
    if is_erased(user):
        raise ErasureRefusedError(f"The personal data of user {user.id} was already erased.")
    if by is not None and by.id == user.id:
        raise ErasureRefusedError("You cannot erase your own personal data.")
    if user.has_role(Role.ADMIN) and _other_admins(user) == 0:
        raise ErasureRefusedError("This is the only administrator: invite another one first.")
    retention = retention_of(user)
    at = now()
    if not retention.expired(at):
        until = retention.until
        assert until is not None
        if not force:
            raise ErasureRefusedError(
                f"Their data must be kept until {as_utc(until).date().isoformat()} "
                f"({retention.reasons[-1][1]}). To erase it sooner, force it and give a reason."
            )
        if not reason:
            raise ErasureRefusedError(
                "Give the reason for erasing before the retention period ends."
            )
    redacted = _events_naming(user)
    _pseudonymise(user)
    erasure = PersonalDataErasure(
        user_id=user.id,
        erased_at=at,
        erased_by_id=by.id if by is not None else None,
        reason=reason or "retention period ended",
        forced=not retention.expired(at),
        redacted_event_seqs=redacted,
    )
    db.session.add(erasure)
    early = " before the end of its retention period" if erasure.forced else ""
    record(
        "person.erased",
        actor=by,
        subject=f"user:{user.id}",
        summary=f"Personal data of user {user.id} erased{early}",
    )
    db.session.commit()
    return erasure


def _other_admins(user: User) -> int:
    query = sa.select(sa.func.count(User.id)).where(
        User.role == Role.ADMIN.value, User.id != user.id, User.is_active.is_(True)
    )
    return db.session.scalar(query) or 0


def _events_naming(user: User) -> list[int]:
    """Events whose hashed text holds the person's name or email (written before people were
    referenced by id, or typed into a summary)."""
    needles = [n.lower() for n in (user.name.strip(), user.email.strip()) if len(n.strip()) >= 3]
    if not needles:
        return []
    conditions = [sa.func.lower(column).contains(n) for n in needles for column in _TEXT]
    query = sa.select(AuditEvent.seq).where(sa.or_(*conditions)).order_by(AuditEvent.seq)
    return list(db.session.scalars(query))


_TEXT = (AuditEvent.actor, AuditEvent.summary, AuditEvent.subject)


def _pseudonymise(user: User) -> None:
    old_name = user.name
    organisation = user.organisation
    if organisation is not None and _is_contact(organisation, user):
        organisation.contact_name = None
        organisation.contact_email = None
        organisation.contact_phone = None
    if user.organisation_id is not None:
        for bid in db.session.scalars(
            sa.select(Bid).where(
                Bid.organisation_id == user.organisation_id, Bid.declaration_name == old_name
            )
        ):
            bid.declaration_name = f"Erased person {user.id}"
    user.name = f"Erased person {user.id}"
    user.email = f"erased-{user.id}@{ERASED_EMAIL_DOMAIN}"
    user.password_hash = None
    user.is_active = False
    user.session_version = (user.session_version or 1) + 1
    user.last_signed_in_at = None
    user.email_confirmed_at = None


def erasure_of(user: User) -> PersonalDataErasure | None:
    return db.session.scalars(
        sa.select(PersonalDataErasure).where(PersonalDataErasure.user_id == user.id)
    ).first()


def rounds_of(user: User) -> list[CommissioningRound]:
    """Rounds of the bids the person acted on (for the administrator's page)."""
    return sorted({bid.round for bid in _acted_on_bids(user)}, key=lambda r: r.id)
