"""Commissioning rounds: where a round is in its life, who may see it, its scoring settings."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from criteria.inputs import RoundSettings
from criteria.model import Framework
from webapp.clock import as_utc, now
from webapp.extensions import db
from webapp.models import CommissioningRound, Organisation, RoundInvitation, RoundStatus
from webapp.services.frameworks import framework_of


class RoundState(enum.StrEnum):
    DRAFT = "draft"  # not published: only staff see it
    UPCOMING = "upcoming"  # published, not yet open for bids
    OPEN = "open"  # accepting bids
    CLOSED = "closed"  # deadline passed: bids unsealed for evaluation


def round_state(round_: CommissioningRound, at: datetime | None = None) -> RoundState:
    moment = at or now()
    if round_.status != RoundStatus.PUBLISHED.value:
        return RoundState.DRAFT
    if moment < as_utc(round_.opens_at):
        return RoundState.UPCOMING
    if moment < as_utc(round_.closes_at):
        return RoundState.OPEN
    return RoundState.CLOSED


def is_sealed(round_: CommissioningRound, at: datetime | None = None) -> bool:
    """Before the deadline nobody but the bidder sees a bid's content."""
    return round_state(round_, at) != RoundState.CLOSED


def is_visible_to(round_: CommissioningRound, organisation: Organisation) -> bool:
    """Published rounds are visible to providers; invite-only ones to invited providers."""
    if round_.status != RoundStatus.PUBLISHED.value:
        return False
    if not round_.invite_only:
        return True
    return any(i.organisation_id == organisation.id for i in round_.invitations)


def rounds_visible_to(organisation: Organisation) -> list[CommissioningRound]:
    invited = sa.select(RoundInvitation.round_id).where(
        RoundInvitation.organisation_id == organisation.id
    )
    query = (
        sa.select(CommissioningRound)
        .where(CommissioningRound.status == RoundStatus.PUBLISHED.value)
        .where(sa.or_(~CommissioningRound.invite_only, CommissioningRound.id.in_(invited)))
        .order_by(CommissioningRound.closes_at, CommissioningRound.id)
    )
    return list(db.session.scalars(query))


def round_framework(round_: CommissioningRound) -> Framework:
    return framework_of(round_.framework_version)


def round_settings(round_: CommissioningRound) -> RoundSettings:
    """The round's own parameter values and pillar weights, for the scoring engine.

    JSON keeps numbers as strings (exact decimals); a parameter that is a number in the
    framework is read back as a Decimal.
    """
    framework = round_framework(round_)
    weights: dict[str, Any] | None = round_.pillar_weights
    parameters: dict[str, Any] = {}
    for name, value in (round_.parameters or {}).items():
        declared = framework.parameters.get(name)
        numeric = declared is not None and isinstance(declared.value, Decimal)
        parameters[name] = Decimal(str(value)) if numeric else value
    return RoundSettings.model_validate(
        {
            "pillar_weights": {k: Decimal(str(v)) for k, v in weights.items()} if weights else None,
            "parameters": parameters,
        }
    )
