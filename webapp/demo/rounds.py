"""The demo's rounds and their bids: each made only if missing, with its audit events.

A round takes the example round file's settings; a submitted bid takes the provider's example
answers and the documents the framework requires, as a bid submitted through the portal does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from criteria.inputs import Bid as RoundFileBid
from criteria.round_file import LoadedRound
from webapp.audit.snapshots import bid_snapshot, round_snapshot
from webapp.clock import from_london, now, to_london
from webapp.demo.documents import attach_required_documents
from webapp.demo.people import DRAFT_SECTIONS
from webapp.demo.story import AuditStory
from webapp.extensions import db
from webapp.models import (
    Bid,
    BidStatus,
    CommissioningRound,
    FrameworkVersion,
    Organisation,
    RoundStatus,
    User,
)


class RoundMaker:
    """Finds or makes demo rounds and bids, counting what it made in `created`."""

    def __init__(
        self, loaded: LoadedRound, council: str, *, created: Counter[str], story: AuditStory
    ) -> None:
        self.loaded = loaded
        self.framework = loaded.framework
        self.council = council
        self.created = created
        self.story = story

    def round(
        self,
        reference: str,
        title: str,
        *,
        opens_at: datetime,
        closes_at: datetime,
        created_by: User,
    ) -> CommissioningRound:
        existing = db.session.scalars(
            sa.select(CommissioningRound).where(CommissioningRound.reference == reference)
        ).first()
        if existing is not None:
            return existing
        settings = self.loaded.round.settings
        published_at = opens_at - timedelta(days=2)
        round_ = CommissioningRound(
            reference=reference,
            title=title,
            service="homecare",
            description=(
                f"{self.council} is buying homecare and supported living across the borough. "
                "Bids are scored on fair work, local ownership, social value, quality and price."
            ),
            framework_version=self.framework_version(),
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
            published_at=published_at,
            created_by_id=created_by.id,
            created_at=published_at - timedelta(days=1),
        )
        db.session.add(round_)
        db.session.flush()
        self.created["round"] += 1
        # Told as the portal would have recorded it: made as a draft, published a day later.
        published = round_snapshot(round_)
        draft = {**published, "status": RoundStatus.DRAFT.value, "published_at": None}
        self.story.add(
            round_.created_at,
            "round.created",
            actor=created_by,
            subject=f"round:{round_.id}",
            summary=f"Round {reference} ({title}) created as a draft",
            round_=round_,
            after=draft,
        )
        version = round_.framework_version
        self.story.add(
            published_at,
            "round.published",
            actor=created_by,
            subject=f"round:{round_.id}",
            summary=f"Round {reference} published with framework {version.framework_id} "
            f"{version.version} ({version.content_hash})",
            round_=round_,
            before=draft,
            after={**published, "framework_content_hash": version.content_hash},
        )
        return round_

    def framework_version(self) -> FrameworkVersion:
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

    def bid(
        self,
        round_: CommissioningRound,
        provider: DemoProvider,
        submitted_at: datetime,
        *,
        draft: bool = False,
    ) -> Bid:
        existing = db.session.scalars(
            sa.select(Bid).where(
                Bid.round_id == round_.id, Bid.organisation_id == provider.organisation.id
            )
        ).first()
        if existing is not None:
            return existing
        answers = dict(provider.answers)
        record = Bid(round=round_, organisation=provider.organisation)
        if draft:
            started = {c.id for s in self.framework.sections[:DRAFT_SECTIONS] for c in s.criteria}
            answers = {k: v for k, v in answers.items() if k in started}
            record.status = BidStatus.DRAFT.value
        else:
            record.status = BidStatus.SUBMITTED.value
            record.declaration_name = provider.user.name
            record.submitted_at = submitted_at
        record.answers = answers
        db.session.add(record)
        db.session.flush()
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
        if record.status == BidStatus.SUBMITTED.value:
            # The form `webapp.services.bids` gives a first submission.
            record.reference = f"{round_.reference}-B{record.id}-1"
            submitted = bid_snapshot(record)
            self.story.add(
                submitted_at,
                "bid.submitted",
                actor=provider.user,
                subject=f"bid:{record.id}",
                summary=f"Bid {record.reference} submitted by {provider.organisation.name}, "
                f"declaration signed by {record.declaration_name}",
                round_=round_,
                before={
                    **submitted,
                    "status": BidStatus.DRAFT.value,
                    "reference": None,
                    "declaration_name": None,
                    "submitted_at": None,
                },
                after=submitted,
            )
        return record


@dataclass(frozen=True)
class DemoProvider:
    bid: RoundFileBid
    organisation: Organisation
    user: User
    answers: dict[str, Any]
    """The round file's answers as stored: parsed, then JSON-ready."""


def london_day(days: int, *, hour: int) -> datetime:
    """The hour in London on the day `days` from today (negative: before), as UTC."""
    today = to_london(now()).date()
    return from_london(datetime.combine(today + timedelta(days), time(hour)))


def _json_ready(value: Any) -> Any:
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, bool | str) or value is None:
        return value
    return str(value)
