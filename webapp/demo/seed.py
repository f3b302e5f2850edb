"""Seeding the demo: find or make each record, so a second run changes nothing.

Everything about the providers (names, answers, the round's settings) is read from the
example round file; `webapp.demo.people` adds who signs in. Every demo account shares one
published password, so seeding refuses to run in production.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from criteria.answers import display_answer, parse_answer
from criteria.inputs import Bid as RoundFileBid
from criteria.model import Framework
from criteria.round_file import LoadedRound, load_round
from webapp.clock import as_utc, from_london, now, to_london
from webapp.demo.documents import attach_required_documents
from webapp.demo.people import (
    CLOSES_IN_DAYS,
    DEMO_PASSWORD,
    DEMO_ROUND_REFERENCE,
    DRAFT_PROVIDER,
    DRAFT_SECTIONS,
    NO_BID_PROVIDER,
    OPENED_DAYS_AGO,
    ROUND_FILE,
    STAFF,
    ProviderFacts,
    facts_of,
    provider_email,
    staff_email,
)
from webapp.demo.report import DemoSummary, SignIn
from webapp.extensions import db
from webapp.models import (
    Bid,
    BidStatus,
    CommissioningRound,
    FrameworkVersion,
    Organisation,
    Role,
    RoundStatus,
    SelfAssessment,
    User,
)
from webapp.services.frameworks import ensure_builtin_frameworks, latest_builtin
from webapp.services.profiles import profile_criteria
from webapp.services.self_assessments import assessed_sections

DEFAULT_COUNCIL = "Wellfield Borough Council"


class DemoRefusedError(RuntimeError):
    """Seeding demo accounts with a published password is refused in production."""


def seed_demo(*, password: str = DEMO_PASSWORD, round_file: Path = ROUND_FILE) -> DemoSummary:
    """Build the demo data that is missing, commit it, and say what was made.

    Raises `DemoRefusedError` in production, and `criteria.loader.FrameworkError` if the round
    file is invalid.
    """
    _refuse_in_production()
    loaded = load_round(round_file)
    council = current_app.config.get("COUNCIL_NAME") or DEFAULT_COUNCIL
    try:
        summary = _Seeder(loaded, council, password).run()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return summary


def in_use_without_demo() -> bool:
    """Whether the database holds accounts, none of them the demo's: someone's own work, into
    which demo accounts with a published password should not be mixed unasked."""
    council = current_app.config.get("COUNCIL_NAME") or DEFAULT_COUNCIL
    staff_emails = [staff_email(mailbox, council) for _, mailbox, _ in STAFF]
    any_account = db.session.scalars(sa.select(User.id).limit(1)).first() is not None
    demo_account = db.session.scalars(
        sa.select(User.id).where(User.email.in_(staff_emails)).limit(1)
    ).first()
    return any_account and demo_account is None


def _refuse_in_production() -> None:
    environments = {
        str(current_app.config.get("ENV_NAME", "")).lower(),
        os.environ.get("COMMONWEAL_ENV", "").strip().lower(),
    }
    if "production" in environments:
        raise DemoRefusedError(
            "Demo data is not loaded in production: every demo account shares a published "
            "password. Run seed-demo on a development or test database instead."
        )


def stored_answers(framework: Framework, raw_answers: dict[str, Any]) -> dict[str, Any]:
    """A round file's answers as the database keeps them: parsed, then JSON-ready."""
    stored: dict[str, Any] = {}
    for criterion_id, raw in raw_answers.items():
        value = parse_answer(framework.criteria[criterion_id], raw)
        if value is not None:
            stored[criterion_id] = display_answer(value)
    return stored


class _Seeder:
    """One seeding run: finds or makes each record, counting what it made."""

    def __init__(self, loaded: LoadedRound, council: str, password: str) -> None:
        self.loaded = loaded
        self.framework = loaded.framework
        self.council = council
        self.password = password
        self._password_hash: str | None = None
        self.created: Counter[str] = Counter()
        self.sign_ins: list[SignIn] = []

    def run(self) -> DemoSummary:
        stored = self._store_frameworks()
        if stored:
            self.created["framework version"] += stored
        staff = {mailbox: self._staff_user(role, mailbox, name) for role, mailbox, name in STAFF}
        providers = [self._provider(bid) for bid in self.loaded.round.bids]
        round_ = self._round(created_by=staff["commissioner1"])
        self_assessed = latest_builtin(self.framework.id)
        for position, provider in enumerate(providers):
            if provider.bid.id == NO_BID_PROVIDER:
                continue
            self._bid(round_, provider, position)
            self._self_assessment(provider, self_assessed)
        return DemoSummary(
            council=self.council,
            password=self.password,
            round_reference=round_.reference,
            round_title=round_.title,
            closes_at=round_.closes_at,
            sign_ins=self.sign_ins,
            created=self.created,
        )

    # --- frameworks and people ---------------------------------------------------------

    def _store_frameworks(self) -> int:
        before = db.session.scalar(sa.select(sa.func.count()).select_from(FrameworkVersion))
        ensure_builtin_frameworks()
        after = db.session.scalar(sa.select(sa.func.count()).select_from(FrameworkVersion))
        return (after or 0) - (before or 0)

    def _hash(self) -> str:
        # One hash for the run: every demo account has the same published password anyway,
        # and hashing once keeps a first seed quick.
        if self._password_hash is None:
            self._password_hash = generate_password_hash(self.password)
        return self._password_hash

    def _user(
        self, role: Role, email: str, name: str, organisation: Organisation | None = None
    ) -> User:
        user = db.session.scalars(sa.select(User).where(User.email == email)).first()
        if user is None:
            user = User(
                email=email,
                name=name,
                role=role.value,
                organisation=organisation,
                password_hash=self._hash(),
                email_confirmed_at=now(),
            )
            db.session.add(user)
            self.created["user"] += 1
        self.sign_ins.append(
            SignIn(role, user.name, user.email, organisation.name if organisation else "")
        )
        return user

    def _staff_user(self, role: Role, mailbox: str, name: str) -> User:
        return self._user(role, staff_email(mailbox, self.council), name)

    def _provider(self, bid: RoundFileBid) -> _Provider:
        facts = facts_of(bid.id)
        organisation = db.session.scalars(
            sa.select(Organisation).where(Organisation.name == bid.name)
        ).first()
        email = provider_email(bid.id)
        if organisation is None:
            organisation = self._new_organisation(bid, facts, email)
        user = self._user(Role.PROVIDER, email, facts.contact, organisation)
        answers = stored_answers(self.framework, bid.answers)
        return _Provider(bid, organisation, user, answers)

    def _new_organisation(
        self, bid: RoundFileBid, facts: ProviderFacts, email: str
    ) -> Organisation:
        answers = stored_answers(self.framework, bid.answers)
        profile = {
            criterion_id: value
            for criterion_id, value in answers.items()
            if self.framework.criteria[criterion_id].profile
        }
        organisation = Organisation(
            name=bid.name,
            company_number=facts.company_number,
            charity_number=facts.charity_number,
            headcount=facts.headcount,
            contact_name=facts.contact,
            contact_email=email,
            contact_phone=facts.phone,
            profile_answers=profile,
        )
        # The profile's columns answer the framework's profile criteria, as the profile page
        # saves them (webapp.services.profiles), so its prefill reads the same values back.
        for column, criterion in profile_criteria(self.framework).items():
            if criterion.id in profile:
                setattr(organisation, column, profile[criterion.id])
        db.session.add(organisation)
        db.session.flush()
        self.created["organisation"] += 1
        return organisation

    # --- the round and its bids --------------------------------------------------------

    def _round(self, *, created_by: User) -> CommissioningRound:
        existing = db.session.scalars(
            sa.select(CommissioningRound).where(
                CommissioningRound.reference == DEMO_ROUND_REFERENCE
            )
        ).first()
        if existing is not None:
            return existing
        today = to_london(now()).date()
        opens_at = from_london(datetime.combine(today - timedelta(OPENED_DAYS_AGO), time(9)))
        closes_at = from_london(datetime.combine(today + timedelta(CLOSES_IN_DAYS), time(12)))
        settings = self.loaded.round.settings
        round_ = CommissioningRound(
            reference=DEMO_ROUND_REFERENCE,
            title=self.loaded.round.title.split(" (")[0],
            service="homecare",
            description=(
                f"{self.council} is buying homecare and supported living across the borough. "
                "Bids are scored on fair work, local ownership, social value, quality and price."
            ),
            framework_version=self._framework_version(),
            parameters={k: _json_ready(v) for k, v in settings.parameters.items()},
            pillar_weights=(
                {k: str(v) for k, v in settings.pillar_weights.items()}
                if settings.pillar_weights
                else None
            ),
            opens_at=opens_at,
            closes_at=closes_at,
            invite_only=False,
            status=RoundStatus.PUBLISHED.value,
            published_at=opens_at - timedelta(days=2),
            created_by_id=created_by.id,
        )
        db.session.add(round_)
        db.session.flush()
        self.created["round"] += 1
        return round_

    def _framework_version(self) -> FrameworkVersion:
        version = db.session.scalars(
            sa.select(FrameworkVersion)
            .where(
                FrameworkVersion.framework_id == self.framework.id,
                FrameworkVersion.version == self.framework.version,
                FrameworkVersion.builtin,
            )
            .order_by(FrameworkVersion.id.desc())
        ).first()
        if version is None:
            raise LookupError(
                f"the built-in framework {self.framework.id!r} version "
                f"{self.framework.version!r} that the round file names is not stored"
            )
        return version

    def _bid(self, round_: CommissioningRound, provider: _Provider, position: int) -> None:
        existing = db.session.scalars(
            sa.select(Bid).where(
                Bid.round_id == round_.id, Bid.organisation_id == provider.organisation.id
            )
        ).first()
        if existing is not None:
            return
        answers = dict(provider.answers)
        record = Bid(round=round_, organisation=provider.organisation)
        if provider.bid.id == DRAFT_PROVIDER:
            started = {c.id for s in self.framework.sections[:DRAFT_SECTIONS] for c in s.criteria}
            answers = {k: v for k, v in answers.items() if k in started}
            record.status = BidStatus.DRAFT.value
        else:
            record.status = BidStatus.SUBMITTED.value
            record.declaration_name = provider.user.name
            # Spread over the days since the round opened, all safely in the past.
            record.submitted_at = as_utc(round_.opens_at) + timedelta(hours=18 * (position + 1))
        record.answers = answers
        db.session.add(record)
        db.session.flush()
        if record.status == BidStatus.SUBMITTED.value:
            # The form `webapp.services.bids` gives a first submission.
            record.reference = f"{round_.reference}-B{record.id}-1"
        self.created["bid"] += 1
        self.created["document"] += len(
            attach_required_documents(
                self.framework,
                answers,
                organisation=provider.organisation,
                uploaded_by=provider.user,
                file_stem=provider.bid.id,
                bid=record,
            )
        )

    def _self_assessment(self, provider: _Provider, version: FrameworkVersion) -> None:
        """The provider has also scored itself, so its self-assessment shows results."""
        existing = db.session.scalars(
            sa.select(SelfAssessment).where(
                SelfAssessment.organisation_id == provider.organisation.id,
                SelfAssessment.framework_version_id == version.id,
            )
        ).first()
        if existing is not None or version.version != self.framework.version:
            return
        asked = {c.id for s in assessed_sections(self.framework) for c in s.criteria}
        answers = {k: v for k, v in provider.answers.items() if k in asked}
        assessment = SelfAssessment(
            organisation_id=provider.organisation.id,
            framework_version_id=version.id,
            answers=answers,
        )
        db.session.add(assessment)
        db.session.flush()
        self.created["self-assessment"] += 1
        self.created["document"] += len(
            attach_required_documents(
                self.framework,
                answers,
                organisation=provider.organisation,
                uploaded_by=provider.user,
                file_stem=f"{provider.bid.id}-self-assessment",
                self_assessment=assessment,
            )
        )


@dataclass(frozen=True)
class _Provider:
    bid: RoundFileBid
    organisation: Organisation
    user: User
    answers: dict[str, Any]
    """The round file's answers as stored: parsed, then JSON-ready."""


def _json_ready(value: Any) -> Any:
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, bool | str) or value is None:
        return value
    return str(value)
