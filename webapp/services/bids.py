"""Bids: start one, save a section, submit, withdraw. Authorisation and transactions live here.

A provider only ever reaches its own organisation's bids (anything else is "not found", so
sealed bids stay sealed). Every change is checked against the round's deadline with
`webapp.clock.received_at()`, the moment the request reached the server: at or after `closes_at`
nothing changes and the draft is kept as it was. Submitting is in `webapp.services.submission`.

Saves are guarded twice against a second tab or a colleague: the page posts the bid `version`
it was opened with, and SQLAlchemy's version counter refuses an UPDATE that lost a race
(`StaleDataError`). Either way nothing is written and the person keeps what they typed. The
answers dict is replaced whole, in one transaction, never edited in place.

A submitted bid keeps counting while its provider changes it. Changes are kept apart, in
`Bid.draft_answers` (and documents uploaded since, beside `Bid.submitted_attachments`), and
replace the submitted answers only when the bid is submitted again, before the deadline. A
provider who changes a submitted bid and never submits again still has the bid it submitted.
Provider pages show the working copy (`working_answers`, `working_attachments`); everyone who
evaluates sees what was submitted (`Bid.answers`, `attachments_of`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from criteria.model import Framework, Section
from webapp.audit.bid_events import record_reopened
from webapp.audit.log import record
from webapp.audit.snapshots import bid_snapshot
from webapp.clock import as_utc, london_text, now, received_at
from webapp.extensions import db
from webapp.forms.builder import (
    SectionForm,
    SectionStatus,
    answers_from_form,
    merge_section_answers,
    section_status,
    set_errors,
    uploaded_files,
)
from webapp.models import Bid, BidStatus, CommissioningRound, EvidenceFile, Organisation, User
from webapp.services import unsaved_sections as unsaved
from webapp.services.evidence import store_uploads
from webapp.services.profiles import organisation_of, prefill_answers
from webapp.services.rounds import (
    RoundState,
    is_visible_to,
    round_framework,
    round_state,
    rounds_visible_to,
)

__all__ = [
    "CONFLICT_MESSAGE",
    "REOPENED_MESSAGE",
    "SUBMIT_CONFLICT_MESSAGE",
    "BidError",
    "BidNotFoundError",
    "BidState",
    "DeadlinePassedError",
    "RoundEntry",
    "SaveOutcome",
    "SectionEntry",
    "StaleBidError",
    "attachments_of",
    "bid_for",
    "bid_framework",
    "bid_sections",
    "bid_state",
    "bids_of",
    "changes_pending",
    "check_deadline",
    "deadline_passed",
    "is_complete",
    "latest_document_ids",
    "open_rounds",
    "remove_pending_upload",
    "save_section",
    "start_bid",
    "withdraw_bid",
    "working_answers",
    "working_attachments",
]

CONFLICT_MESSAGE = (
    "This bid was changed in another tab or by a colleague since you opened this page. "
    "Your answers below have not been saved. Check them and save again."
)
SUBMIT_CONFLICT_MESSAGE = (
    "This bid was changed in another tab or by a colleague since you opened this page. "
    "It has not been submitted. Check your answers and submit again."
)
REOPENED_MESSAGE = (
    "You have changed your submitted bid. The bid you submitted still counts: submit it again "
    "before the deadline for your changes to count"
)


class BidError(Exception):
    """A bid action that cannot be done, with a message for the provider."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BidNotFoundError(LookupError):
    """No such bid or round for this user: pages answer 404, revealing nothing."""


class DeadlinePassedError(BidError):
    """At or after the round's closing time: nothing was changed."""


class StaleBidError(BidError):
    """The bid changed since the page was opened: nothing was changed."""


# --- finding things -------------------------------------------------------------------------


def _organisation(user: User) -> Organisation:
    try:
        return organisation_of(user)
    except LookupError as error:
        raise BidNotFoundError("no organisation") from error


def bid_for(user: User, bid_id: int) -> Bid:
    """The bid, if it is the user's organisation's; BidNotFoundError otherwise."""
    bid = db.session.get(Bid, bid_id)
    if bid is None or user.organisation_id is None or bid.organisation_id != user.organisation_id:
        raise BidNotFoundError(f"bid {bid_id}")
    return bid


def bids_of(user: User) -> list[Bid]:
    """The organisation's bids, the latest round first."""
    organisation = _organisation(user)
    query = (
        sa.select(Bid)
        .where(Bid.organisation_id == organisation.id)
        .join(Bid.round)
        .order_by(CommissioningRound.closes_at.desc(), Bid.id.desc())
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class RoundEntry:
    round: CommissioningRound
    state: RoundState
    bid: Bid | None


def open_rounds(user: User) -> list[RoundEntry]:
    """Rounds the organisation can see that are open or about to open, with its bid if any."""
    organisation = _organisation(user)
    bids = {bid.round_id: bid for bid in bids_of(user)}
    entries = []
    for round_ in rounds_visible_to(organisation):
        state = round_state(round_)
        if state in (RoundState.OPEN, RoundState.UPCOMING):
            entries.append(RoundEntry(round_, state, bids.get(round_.id)))
    return entries


def bid_framework(bid: Bid) -> Framework:
    return round_framework(bid.round)


def _latest_documents(bid: Bid) -> dict[str, tuple[int, str]]:
    """criterion id -> (evidence id, file name) of the latest document attached to it."""
    query = (
        sa.select(EvidenceFile.id, EvidenceFile.criterion_id, EvidenceFile.filename)
        .where(EvidenceFile.bid_id == bid.id)
        .order_by(EvidenceFile.id)
    )
    return {row.criterion_id: (row.id, row.filename) for row in db.session.execute(query)}


def attachments_of(bid: Bid) -> dict[str, str]:
    """criterion id -> the name of the document that counts: as submitted, for a submitted bid
    (documents uploaded since belong to changes not yet submitted), else the latest."""
    submitted = bid.submitted_attachments
    if bid.status != BidStatus.SUBMITTED.value or submitted is None:
        return working_attachments(bid)
    ids = [int(evidence_id) for evidence_id in submitted.values()]
    query = sa.select(EvidenceFile.id, EvidenceFile.filename).where(EvidenceFile.id.in_(ids))
    names = {row.id: row.filename for row in db.session.execute(query)}
    return {
        criterion_id: names[int(evidence_id)]
        for criterion_id, evidence_id in submitted.items()
        if int(evidence_id) in names
    }


def working_attachments(bid: Bid) -> dict[str, str]:
    """criterion id -> the name of the latest document attached to it: what the provider sees."""
    return {criterion_id: name for criterion_id, (_, name) in _latest_documents(bid).items()}


def working_answers(bid: Bid) -> dict[str, Any]:
    """The answers the provider is working on: its changes to a submitted bid, if any, else the
    bid's answers."""
    return dict(bid.draft_answers if bid.draft_answers is not None else bid.answers or {})


def changes_pending(bid: Bid) -> bool:
    """True when a submitted bid has changes that are not submitted yet."""
    return bid.status == BidStatus.SUBMITTED.value and bid.draft_answers is not None


class BidState(enum.StrEnum):
    """Where a bid stands, as its provider reads it."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_NOT_SUBMITTED = "changes_not_submitted"
    WITHDRAWN = "withdrawn"


def bid_state(bid: Bid) -> BidState:
    if changes_pending(bid):
        return BidState.CHANGES_NOT_SUBMITTED
    return BidState(bid.status)


# --- the deadline ------------------------------------------------------------------------------


def deadline_passed(bid: Bid, at: datetime | None = None) -> bool:
    """True at or after the round's closing time (to the microsecond, by the server's clock).

    `at` defaults to when the current request reached the server (`clock.received_at`), so a
    request that queued behind others is judged by when it was sent, not when it was served.
    """
    return (at or received_at()) >= as_utc(bid.round.closes_at)


def check_deadline(bid: Bid, outcome: str, at: datetime | None = None) -> None:
    """DeadlinePassedError (saying `outcome`) at or after the round's closing time."""
    if deadline_passed(bid, at):
        raise DeadlinePassedError(
            f"The deadline for this round was {london_text(bid.round.closes_at)}. {outcome}"
        )


# --- starting a bid ----------------------------------------------------------------------------


def start_bid(user: User, round_id: int) -> Bid:
    """The organisation's bid in the round: created (prefilled from its profile) if new.

    BidNotFoundError when the round is not visible to the organisation; BidError when it is not
    open for bids.
    """
    organisation = _organisation(user)
    round_ = db.session.get(CommissioningRound, round_id)
    if round_ is None or not is_visible_to(round_, organisation):
        raise BidNotFoundError(f"round {round_id}")
    existing = _existing_bid(round_, organisation)
    if existing is not None:
        return existing
    state = round_state(round_)
    if state == RoundState.UPCOMING:
        raise BidError(f"This round opens on {london_text(round_.opens_at)}.")
    if state != RoundState.OPEN:
        raise BidError(
            f"The deadline for this round was {london_text(round_.closes_at)}. "
            "You can no longer start a bid."
        )
    bid = Bid(
        round=round_,
        organisation=organisation,
        status=BidStatus.DRAFT.value,
        answers=prefill_answers(organisation, round_framework(round_)),
    )
    db.session.add(bid)
    try:
        db.session.commit()
    except IntegrityError:
        # A colleague started it at the same moment: theirs is the organisation's bid.
        db.session.rollback()
        existing = _existing_bid(round_, organisation)
        if existing is None:
            raise
        return existing
    return bid


def _existing_bid(round_: CommissioningRound, organisation: Organisation) -> Bid | None:
    return db.session.scalars(
        sa.select(Bid).where(Bid.round_id == round_.id, Bid.organisation_id == organisation.id)
    ).first()


# --- progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionEntry:
    section: Section
    status: SectionStatus


def bid_sections(bid: Bid, attachments: Mapping[str, str] | None = None) -> list[SectionEntry]:
    """Each section of the bid's framework with its status (of the provider's working copy), in
    framework order."""
    framework = bid_framework(bid)
    attached = working_attachments(bid) if attachments is None else attachments
    answers = working_answers(bid)
    return [
        SectionEntry(section, section_status(framework, section.id, answers, attached))
        for section in framework.sections
    ]


def is_complete(bid: Bid, attachments: Mapping[str, str] | None = None) -> bool:
    return all(e.status == SectionStatus.COMPLETED for e in bid_sections(bid, attachments))


# --- saving a section --------------------------------------------------------------------------


@dataclass
class SaveOutcome:
    """What happened to a save. `errors` are by field name and already shown on the form.

    `changes_pending`: the bid is submitted and now has changes that are not (the submitted bid
    still counts until it is submitted again)."""

    saved: bool
    conflict: bool = False
    changes_pending: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def save_section(
    user: User,
    bid: Bid,
    section_id: str,
    form: SectionForm,
    *,
    complete: bool,
    expected_version: int | None,
) -> SaveOutcome:
    """Save one section's posted answers (and documents) in one transaction.

    `complete` ("Save and continue") saves only when every question asked is answered; a
    draft saves every answer that can be used and keeps the stored answer of any that cannot.
    A bid changed since the page was opened is not saved (`conflict`). A change to a submitted
    bid is kept apart from it until the bid is submitted again (`changes_pending`). Raises
    DeadlinePassedError at or after the deadline; nothing is saved.
    """
    bid = bid_for(user, bid.id)
    check_deadline(bid, "Your changes were not saved. Your draft has been kept.")
    if expected_version is None or expected_version != bid.version:
        return SaveOutcome(saved=False, conflict=True)
    framework = bid_framework(bid)
    pending = unsaved.pending_files(bid, unsaved.unsaved_section(bid, section_id))
    unsaved.with_pending(framework, section_id, form, pending)
    answers, errors = answers_from_form(framework, section_id, form, require_complete=complete)
    try:
        if complete and errors:
            outcome = _keep_refused(user, bid, framework, section_id, form, errors, pending)
        else:
            outcome = _write_section(
                user, bid, framework, section_id, form, answers, errors, complete, pending
            )
    except StaleDataError:
        db.session.rollback()
        return SaveOutcome(saved=False, conflict=True)
    except BaseException:
        db.session.rollback()
        raise
    set_errors(form, outcome.errors)
    return outcome


def remove_pending_upload(
    user: User, bid: Bid, section_id: str, name: str, *, expected_version: int | None
) -> bool:
    """Remove a file kept from a refused save (not yet saved); False when there was none.
    Raises DeadlinePassedError or StaleBidError; nothing is changed."""
    bid = bid_for(user, bid.id)
    check_deadline(bid, "Nothing was changed. Your draft has been kept.")
    if expected_version is None or expected_version != bid.version:
        raise StaleBidError(CONFLICT_MESSAGE)
    removed = unsaved.discard_pending(bid, section_id, name)
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise StaleBidError(CONFLICT_MESSAGE) from error
    return removed


def _keep_refused(
    user: User,
    bid: Bid,
    framework: Framework,
    section_id: str,
    form: SectionForm,
    errors: dict[str, str],
    pending: Mapping[str, EvidenceFile],
) -> SaveOutcome:
    """A refused save: nothing is saved, but what was typed and uploaded is kept."""
    posted = store_uploads(
        uploaded_files(framework, section_id, form, visible_only=False),
        {},  # nothing is answered until a save succeeds
        errors,
        organisation=bid.organisation,
        uploaded_by=user,
    )
    uploads = {name: evidence.id for name, evidence in {**pending, **posted}.items()}
    unsaved.keep(bid, section_id, form, complete=True, uploads=uploads)
    db.session.commit()
    unsaved.with_pending(
        framework,
        section_id,
        form,
        unsaved.pending_files(bid, unsaved.unsaved_section(bid, section_id)),
    )
    return SaveOutcome(saved=False, errors=errors)


def _write_section(
    user: User,
    bid: Bid,
    framework: Framework,
    section_id: str,
    form: SectionForm,
    answers: dict[str, Any],
    errors: dict[str, str],
    complete: bool,
    pending: Mapping[str, EvidenceFile],
) -> SaveOutcome:
    if bid.status == BidStatus.SUBMITTED.value and bid.submitted_attachments is None:
        bid.submitted_attachments = latest_document_ids(
            bid
        )  # a bid submitted before they were kept
    current = working_answers(bid)
    merged = merge_section_answers(framework, section_id, current, answers, errors)
    uploads = uploaded_files(framework, section_id, form)
    stored = len(
        store_uploads(
            uploads,
            merged,
            errors,
            organisation=bid.organisation,
            uploaded_by=user,
            bid=bid,
        )
    )
    if complete and errors:
        # A refused document refuses the whole save: undo what this save stored, then keep
        # what was typed and uploaded, as for any refused save.
        db.session.rollback()
        return _keep_refused(user, bid, framework, section_id, form, errors, pending)
    stored += unsaved.attach_pending(bid, pending, {upload.field_name for upload in uploads})
    if stored > 0 or merged != current:
        if bid.status == BidStatus.SUBMITTED.value:
            db.session.flush()  # the documents just stored count among the bid's latest
            same = merged == bid.answers and latest_document_ids(bid) == _submitted_document_ids(
                bid
            )
            reopened = bid.draft_answers is None and not same
            bid.draft_answers = None if same else merged
            if reopened:
                record_reopened(user, bid)
        else:
            bid.answers = merged
    if errors:
        unsaved.keep(bid, section_id, form, complete=False, uploads={})
    else:
        unsaved.forget(bid, section_id)
    db.session.commit()
    return SaveOutcome(saved=True, changes_pending=changes_pending(bid), errors=errors)


def latest_document_ids(bid: Bid) -> dict[str, int]:
    """criterion id -> the id of the latest document attached to it."""
    return {
        criterion_id: evidence_id
        for criterion_id, (evidence_id, _) in _latest_documents(bid).items()
    }


def _submitted_document_ids(bid: Bid) -> dict[str, int]:
    submitted = bid.submitted_attachments or {}
    return {criterion_id: int(evidence_id) for criterion_id, evidence_id in submitted.items()}


# --- withdrawing ----------------------------------------------------------------------------


def withdraw_bid(user: User, bid: Bid) -> Bid:
    """Withdraw a submitted bid before the deadline (it can be changed and submitted again)."""
    bid = bid_for(user, bid.id)
    check_deadline(bid, "Your bid was not withdrawn.")
    if bid.status != BidStatus.SUBMITTED.value:
        raise BidError("Only a submitted bid can be withdrawn.")
    before = bid_snapshot(bid)
    if bid.draft_answers is not None:
        # Nothing of the bid counts once it is withdrawn: the changes become the draft.
        bid.answers = bid.draft_answers
        bid.draft_answers = None
    bid.status = BidStatus.WITHDRAWN.value
    bid.withdrawn_at = now()
    try:
        record(
            "bid.withdrawn",
            actor=user,
            subject=f"bid:{bid.id}",
            summary=f"Bid {bid.reference} withdrawn by {bid.organisation.name}",
            round_=bid.round,
            before=before,
            after=bid_snapshot(bid),
        )
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise StaleBidError(
            "This bid was changed in another tab. Check it and try again."
        ) from error
    return bid
