"""Seeding the demo: find or make each record, so a second run changes nothing.

Everything about the providers (names, answers, the round's settings) is read from the
example round file; `webapp.demo.people` adds who signs in. Every demo account shares one
published password, so seeding refuses to run in production.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from criteria.answers import display_answer, parse_answer
from criteria.inputs import Bid as RoundFileBid
from criteria.model import Framework
from criteria.round_file import LoadedRound, load_round
from webapp.clock import as_utc, now
from webapp.demo.award import EvaluationSeeder
from webapp.demo.documents import attach_required_documents
from webapp.demo.people import (
    AWARD_CLOSED_DAYS_AGO,
    AWARD_COMMISSIONER,
    AWARD_OPENED_DAYS_AGO,
    AWARD_PROVIDERS,
    AWARD_ROUND_REFERENCE,
    AWARD_ROUND_TITLE,
    CLOSES_IN_DAYS,
    DEMO_PASSWORD,
    DEMO_ROUND_REFERENCE,
    DRAFT_PROVIDER,
    EVALUATORS,
    NO_BID_PROVIDER,
    OPENED_DAYS_AGO,
    ROUND_FILE,
    STAFF,
    ProviderFacts,
    facts_of,
    provider_email,
    staff_email,
)
from webapp.demo.report import DemoRound, DemoSummary, SignIn
from webapp.demo.rounds import DemoProvider, RoundMaker, london_day
from webapp.demo.story import AuditStory
from webapp.extensions import db
from webapp.models import (
    CommissioningRound,
    FrameworkVersion,
    Organisation,
    Role,
    SelfAssessment,
    User,
)
from webapp.services.accounts import hash_password
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
        self.story = AuditStory()
        self.rounds = RoundMaker(loaded, council, created=self.created, story=self.story)

    def run(self) -> DemoSummary:
        stored = self._store_frameworks()
        if stored:
            self.created["framework version"] += stored
        staff = {mailbox: self._staff_user(role, mailbox, name) for role, mailbox, name in STAFF}
        providers = [self._provider(bid) for bid in self.loaded.round.bids]
        round_ = self._open_round(staff["commissioner1"], providers)
        self_assessed = latest_builtin(self.framework.id)
        for provider in providers:
            if provider.bid.id != NO_BID_PROVIDER:
                self._self_assessment(provider, self_assessed)
        award_round = self._award_round(staff, {p.bid.id: p for p in providers})
        self.created["audit event"] += self.story.record_all()
        return DemoSummary(
            council=self.council,
            password=self.password,
            round_reference=round_.reference,
            round_title=round_.title,
            closes_at=round_.closes_at,
            sign_ins=self.sign_ins,
            created=self.created,
            award_round=DemoRound(award_round.reference, award_round.title, award_round.closes_at),
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
            self._password_hash = hash_password(self.password)
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

    def _provider(self, bid: RoundFileBid) -> DemoProvider:
        facts = facts_of(bid.id)
        organisation = db.session.scalars(
            sa.select(Organisation).where(Organisation.name == bid.name)
        ).first()
        email = provider_email(bid.id)
        if organisation is None:
            organisation = self._new_organisation(bid, facts, email)
        user = self._user(Role.PROVIDER, email, facts.contact, organisation)
        answers = stored_answers(self.framework, bid.answers)
        return DemoProvider(bid, organisation, user, answers)

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

    def _open_round(self, commissioner: User, providers: list[DemoProvider]) -> CommissioningRound:
        """The round open for bids: most providers have bid, one has a draft, one has not."""
        round_ = self.rounds.round(
            DEMO_ROUND_REFERENCE,
            self.loaded.round.title.split(" (")[0],
            opens_at=london_day(-OPENED_DAYS_AGO, hour=9),
            closes_at=london_day(CLOSES_IN_DAYS, hour=12),
            created_by=commissioner,
        )
        for position, provider in enumerate(providers):
            if provider.bid.id == NO_BID_PROVIDER:
                continue
            # Spread over the days since the round opened, all safely in the past.
            submitted_at = as_utc(round_.opens_at) + timedelta(hours=18 * (position + 1))
            self.rounds.bid(round_, provider, submitted_at, draft=provider.bid.id == DRAFT_PROVIDER)
        return round_

    def _award_round(
        self, staff: dict[str, User], providers: dict[str, DemoProvider]
    ) -> CommissioningRound:
        """The closed round whose evaluation is under way, for walking through an award."""
        round_ = self.rounds.round(
            AWARD_ROUND_REFERENCE,
            AWARD_ROUND_TITLE,
            opens_at=london_day(-AWARD_OPENED_DAYS_AGO, hour=9),
            closes_at=london_day(-AWARD_CLOSED_DAYS_AGO, hour=12),
            created_by=staff[AWARD_COMMISSIONER],
        )
        opens_at, closes_at = as_utc(round_.opens_at), as_utc(round_.closes_at)
        gap = (closes_at - opens_at) / (len(AWARD_PROVIDERS) + 1)
        bids = {
            key: self.rounds.bid(round_, providers[key], opens_at + gap * (position + 1))
            for position, key in enumerate(AWARD_PROVIDERS)
        }
        evaluation = EvaluationSeeder(
            round_,
            self.framework,
            self.loaded.round.marks,
            created=self.created,
            story=self.story,
        )
        evaluation.run(
            commissioner=staff[AWARD_COMMISSIONER],
            evaluators=[(mailbox, staff[mailbox]) for mailbox in EVALUATORS],
            bids=bids,
            bidders={key: providers[key].user for key in AWARD_PROVIDERS},
        )
        return round_

    def _self_assessment(self, provider: DemoProvider, version: FrameworkVersion) -> None:
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
