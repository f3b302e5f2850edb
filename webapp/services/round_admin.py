"""Running commissioning rounds: create, set up, invite, publish; and the frameworks they use.

Commissioners and administrators change rounds; evaluators and the board only look. Every
function that changes something takes the acting user, checks the role, and commits. Bids stay
sealed until the deadline: before it, only their number leaves this module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from criteria.errors import RoundInputError
from criteria.weights import round_parameters, round_pillar_weights
from webapp.audit.log import record
from webapp.audit.snapshots import (
    invitations_snapshot,
    invitations_summary,
    round_snapshot,
    settings_snapshot,
    settings_summary,
)
from webapp.clock import as_utc, now, to_london
from webapp.extensions import db
from webapp.models import (
    Bid,
    BidStatus,
    CommissioningRound,
    FrameworkVersion,
    Organisation,
    Role,
    RoundInvitation,
    RoundStatus,
    User,
)
from webapp.services.frameworks import ensure_builtin_frameworks, store_framework
from webapp.services.rounds import (
    RoundState,
    is_sealed,
    round_framework,
    round_settings,
    round_state,
)

SERVICES: dict[str, str] = {
    "homecare": "Homecare",
    "supported_living": "Supported living",
    "extra_care": "Extra care",
    "day_services": "Day services",
}
"""The services a round can buy, by stored value."""

MANAGERS = (Role.ADMIN, Role.COMMISSIONER)
VIEWERS = (Role.ADMIN, Role.COMMISSIONER, Role.EVALUATOR, Role.BOARD)
FRAMEWORK_MAX_BYTES = 1024 * 1024
"""The largest framework file accepted, unless the app sets `FRAMEWORK_MAX_BYTES`."""
REFERENCE_PREFIX = "CW"
_REFERENCE = re.compile(rf"^{REFERENCE_PREFIX}-(\d{{4}})-(\d+)$")


class NotAllowedError(Exception):
    """The user's role does not allow this change."""


class RoundChangeError(Exception):
    """The change cannot be made to the round as it stands; the message says why."""


class BidsSealedError(Exception):
    """The round's deadline has not passed: who bid, and what, stays hidden."""


@dataclass(frozen=True)
class NewRound:
    title: str
    service: str
    description: str | None
    framework_version_id: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    invite_only: bool


@dataclass(frozen=True)
class RoundRow:
    """One line of the rounds table."""

    round: CommissioningRound
    state: RoundState
    bids_submitted: int


@dataclass(frozen=True)
class FrameworkRow:
    version: FrameworkVersion
    uploaded_by: str | None


def can_manage(user: User) -> bool:
    return user.has_role(*MANAGERS)


def _require_manager(user: User) -> None:
    if not can_manage(user):
        raise NotAllowedError(f"{user.role} users cannot change commissioning rounds")


# --- frameworks -----------------------------------------------------------------------


def framework_versions() -> list[FrameworkVersion]:
    """Every stored framework version, built-in ones first, storing the built-ins if new."""
    ensure_builtin_frameworks()
    db.session.commit()
    query = sa.select(FrameworkVersion).order_by(
        FrameworkVersion.builtin.desc(), FrameworkVersion.title, FrameworkVersion.id
    )
    return list(db.session.scalars(query))


def framework_rows() -> list[FrameworkRow]:
    """Every stored framework version with the name of whoever uploaded it."""
    versions = framework_versions()
    uploader_ids = {v.uploaded_by_id for v in versions if v.uploaded_by_id}
    names = dict(
        db.session.execute(sa.select(User.id, User.name).where(User.id.in_(uploader_ids))).all()
    )
    return [FrameworkRow(v, names.get(v.uploaded_by_id)) for v in versions]


def find_framework(version_id: int) -> FrameworkVersion | None:
    return db.session.get(FrameworkVersion, version_id)


def upload_framework(content: bytes, filename: str, *, by: User) -> tuple[FrameworkVersion, bool]:
    """Validate and store an uploaded framework; return it and whether it is new.

    Raises `criteria.loader.FrameworkError` (every problem, with file, line and field) and
    stores nothing when the file is invalid, and `RoundChangeError` when it is not a text
    file of a sensible size.
    """
    _require_manager(by)
    name = re.split(r"[\\/]", filename or "")[-1].strip() or "framework.yaml"
    limit = int(current_app.config.get("FRAMEWORK_MAX_BYTES", FRAMEWORK_MAX_BYTES))
    if len(content) > limit:
        raise RoundChangeError(f"The selected file must be smaller than {_size_text(limit)}")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RoundChangeError("The selected file must be a text file saved as UTF-8") from None
    before = db.session.scalar(sa.select(sa.func.count(FrameworkVersion.id)))
    try:
        version = store_framework(text, name[:255], uploaded_by=by)
    except Exception:
        db.session.rollback()
        raise
    after = db.session.scalar(sa.select(sa.func.count(FrameworkVersion.id)))
    db.session.commit()
    return version, after != before


def _size_text(size: int) -> str:
    """1048576 -> "1 MB", 2048 -> "2 KB" (GOV.UK writes KB and MB)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"


# --- rounds ---------------------------------------------------------------------------


def find_round(round_id: int) -> CommissioningRound | None:
    return db.session.get(CommissioningRound, round_id)


def round_rows() -> list[RoundRow]:
    """Every round, latest closing first, with how many bids are in (never whose)."""
    rounds = db.session.scalars(
        sa.select(CommissioningRound).order_by(
            CommissioningRound.closes_at.desc(), CommissioningRound.id.desc()
        )
    ).all()
    counts = _submitted_counts()
    moment = now()
    return [RoundRow(r, round_state(r, moment), counts.get(r.id, 0)) for r in rounds]


def _submitted_counts() -> dict[int, int]:
    query = (
        sa.select(Bid.round_id, sa.func.count(Bid.id))
        .where(Bid.status == BidStatus.SUBMITTED.value)
        .group_by(Bid.round_id)
    )
    return {row[0]: row[1] for row in db.session.execute(query)}


def submitted_bid_count(round_: CommissioningRound) -> int:
    return _submitted_counts().get(round_.id, 0)


def submitted_bids(round_: CommissioningRound) -> list[Bid]:
    """The submitted bids, oldest first. Raises `BidsSealedError` before the deadline."""
    if is_sealed(round_):
        raise BidsSealedError(f"Bids in round {round_.reference} are sealed until its deadline")
    query = (
        sa.select(Bid)
        .where(Bid.round_id == round_.id, Bid.status == BidStatus.SUBMITTED.value)
        .order_by(Bid.submitted_at, Bid.id)
    )
    return list(db.session.scalars(query))


def create_round(details: NewRound, *, by: User) -> CommissioningRound:
    """Create a draft round with the next free reference for its opening year."""
    _require_manager(by)
    if details.service not in SERVICES:
        raise RoundChangeError(f"There is no service called {details.service!r}")
    if find_framework(details.framework_version_id) is None:
        raise RoundChangeError("The selected framework does not exist")
    if details.closes_at <= details.opens_at:
        raise RoundChangeError("The closing time must be after the opening time")
    if details.closes_at <= now():
        raise RoundChangeError("The closing time must be in the future")
    year = to_london(details.opens_at).year
    for _attempt in range(5):  # another commissioner may take the same number at once
        round_ = CommissioningRound(
            reference=next_reference(year),
            title=details.title,
            service=details.service,
            description=details.description,
            framework_version_id=details.framework_version_id,
            parameters={},
            pillar_weights=None,
            opens_at=details.opens_at,
            closes_at=details.closes_at,
            invite_only=details.invite_only,
            status=RoundStatus.DRAFT.value,
            created_by_id=by.id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(round_)
        except IntegrityError:
            continue
        record(
            "round.created",
            actor=by,
            subject=f"round:{round_.id}",
            summary=f"Round {round_.reference} ({round_.title}) created as a draft",
            round_=round_,
            after=round_snapshot(round_),
        )
        db.session.commit()
        return round_
    raise RoundChangeError("Could not give the round a reference: try again")


def next_reference(year: int) -> str:
    """`CW-2027-004`: the year the round opens and the next number in that year."""
    pattern = f"{REFERENCE_PREFIX}-{year}-%"
    taken = db.session.scalars(
        sa.select(CommissioningRound.reference).where(CommissioningRound.reference.like(pattern))
    ).all()
    numbers = [int(m.group(2)) for r in taken if (m := _REFERENCE.match(r))]
    return f"{REFERENCE_PREFIX}-{year}-{max(numbers, default=0) + 1:03d}"


def settings_frozen_reason(round_: CommissioningRound) -> str | None:
    """Why the round's settings can no longer change, or None while they can."""
    state = round_state(round_)
    if state in (RoundState.DRAFT, RoundState.UPCOMING):
        return None
    if state == RoundState.OPEN:
        return (
            "The round is open for bids, so its settings are frozen: every provider must bid "
            "against the same published settings."
        )
    return "The round has closed, so its settings are frozen."


def update_settings(
    round_: CommissioningRound,
    parameters: Mapping[str, Any],
    pillar_weights: Mapping[str, Decimal],
    *,
    by: User,
) -> None:
    """Store the round's parameter values and pillar weights, checked by the scoring rules.

    Numbers are stored as strings ("13.45") so they stay exact in JSON. Raises
    `RoundChangeError` once bids can arrive, or when the values break the framework's rules.
    """
    _require_manager(by)
    reason = settings_frozen_reason(round_)
    if reason:
        raise RoundChangeError(reason)
    before = settings_snapshot(round_)
    round_.parameters = {name: _json_value(value) for name, value in parameters.items()}
    round_.pillar_weights = {pillar: _decimal_text(w) for pillar, w in pillar_weights.items()}
    try:
        _check_settings(round_)
    except RoundChangeError:
        db.session.rollback()
        raise
    after = settings_snapshot(round_)
    if after != before:
        record(
            "round.settings_changed",
            actor=by,
            subject=f"round:{round_.id}",
            summary=settings_summary(round_, before, after),
            round_=round_,
            before=before,
            after=after,
        )
    db.session.commit()


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def _decimal_text(value: Decimal) -> str:
    """13.450 -> "13.45", 40 -> "40", never an exponent."""
    return format(value.normalize(), "f")


def _check_settings(round_: CommissioningRound) -> None:
    """Refuse settings the scoring engine would refuse, in the engine's words."""
    framework = round_framework(round_)
    try:
        settings = round_settings(round_)
        round_parameters(framework, settings)
        round_pillar_weights(framework, settings)
    except (RoundInputError, ValueError) as exc:
        raise RoundChangeError(str(exc)) from None


def provider_organisations() -> list[Organisation]:
    """The registered provider organisations, by name."""
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def invited_ids(round_: CommissioningRound) -> set[int]:
    return {invitation.organisation_id for invitation in round_.invitations}


def set_invitations(
    round_: CommissioningRound, organisation_ids: Iterable[int], *, by: User
) -> None:
    """Invite exactly these organisations to an invite-only round that has not closed."""
    _require_manager(by)
    if not round_.invite_only:
        raise RoundChangeError(
            "This round is open to every registered provider, so nobody needs an invitation."
        )
    if round_state(round_) == RoundState.CLOSED:
        raise RoundChangeError("The round has closed, so invitations can no longer change.")
    wanted = set(organisation_ids)
    known = set(db.session.scalars(sa.select(Organisation.id).where(Organisation.id.in_(wanted))))
    if wanted - known:
        raise RoundChangeError("Select providers from the list")
    before = invited_ids(round_)
    for invitation in list(round_.invitations):
        if invitation.organisation_id not in wanted:
            round_.invitations.remove(invitation)
    for organisation_id in sorted(wanted - invited_ids(round_)):
        round_.invitations.append(RoundInvitation(organisation_id=organisation_id))
    if wanted != before:
        record(
            "round.invitations_changed",
            actor=by,
            subject=f"round:{round_.id}",
            summary=invitations_summary(round_, before, wanted),
            round_=round_,
            before=invitations_snapshot(before),
            after=invitations_snapshot(wanted),
        )
    db.session.commit()


def publish_refusal(round_: CommissioningRound) -> str | None:
    """Why the round cannot be published now, or None when it can."""
    if round_.status == RoundStatus.PUBLISHED.value:
        return "This round has already been published."
    if as_utc(round_.closes_at) <= now():
        return (
            "The closing time is in the past, so providers could not bid. Create a new round "
            "with a closing time in the future."
        )
    return None


def publish_round(round_: CommissioningRound, *, by: User) -> None:
    """Publish: providers can see the round; its framework version is fixed by content hash."""
    _require_manager(by)
    refusal = publish_refusal(round_)
    if refusal:
        raise RoundChangeError(refusal)
    _check_settings(round_)
    before = round_snapshot(round_)
    round_.status = RoundStatus.PUBLISHED.value
    round_.published_at = now()
    version = round_.framework_version
    record(
        "round.published",
        actor=by,
        subject=f"round:{round_.id}",
        summary=f"Round {round_.reference} published with framework {version.framework_id} "
        f"{version.version} ({version.content_hash})",
        round_=round_,
        before=before,
        after={**round_snapshot(round_), "framework_content_hash": version.content_hash},
    )
    db.session.commit()
