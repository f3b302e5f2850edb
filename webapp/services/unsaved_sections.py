"""What a refused save of a section held, kept so that nothing typed or uploaded is lost.

When "Save and continue" is refused (a required answer missing, an amount that is not one), or
a draft leaves answers that cannot be used, the section's posted values are kept on the bid in
`unsaved_sections`, and every document posted with them is checked and stored at once, as a
*pending upload*: an `EvidenceFile` that belongs to no bid yet. Opening the section again shows
the values as they were typed, their errors, and each pending upload as "attached, not yet
saved" with a button to remove it. The next save that succeeds attaches the pending uploads to
the bid (a file posted again for the same question replaces its pending one) and forgets what
was kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict

from criteria.model import Framework
from webapp.extensions import db
from webapp.forms.builder import SectionForm, evidence_field_name, field_name, section_of
from webapp.forms.fields import kind_of
from webapp.forms.text_limits import storable
from webapp.models import Bid, EvidenceFile
from webapp.services.evidence import evidence_answer

__all__ = [
    "UnsavedSection",
    "attach_pending",
    "count_pending",
    "discard_pending",
    "forget",
    "keep",
    "pending_files",
    "posted_fields",
    "unsaved_section",
    "with_pending",
]


@dataclass(frozen=True)
class UnsavedSection:
    """A section's posted values, whether they were to complete it, and its pending uploads."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    complete: bool = True
    uploads: dict[str, int] = field(default_factory=dict)
    """field name -> the id of the pending `EvidenceFile` posted for it."""

    def formdata(self) -> MultiDict[str, str]:
        return MultiDict(
            [(name, value) for name, values in self.fields.items() for value in values]
        )

    def as_json(self) -> dict[str, Any]:
        return {"fields": self.fields, "complete": self.complete, "uploads": self.uploads}


def unsaved_section(bid: Bid, section_id: str) -> UnsavedSection | None:
    """What a refused save of this section kept, if anything."""
    kept = (bid.unsaved_sections or {}).get(section_id)
    if not isinstance(kept, dict):
        return None
    return UnsavedSection(
        fields={str(k): [str(v) for v in vs] for k, vs in kept.get("fields", {}).items()},
        complete=bool(kept.get("complete", True)),
        uploads={str(k): int(v) for k, v in kept.get("uploads", {}).items()},
    )


def count_pending(bid: Bid) -> dict[str, int]:
    """section id -> how many answers of it are kept unsaved (by posted field)."""
    return {
        section_id: len(kept.get("fields", {}))
        for section_id, kept in (bid.unsaved_sections or {}).items()
    }


def posted_fields(form: SectionForm) -> dict[str, list[str]]:
    """The values posted for the form's answer fields (not its files or tokens)."""
    return {
        name: [storable(str(value)) for value in bound.raw_data or []]
        for name, bound in form._fields.items()
        if name != "csrf_token" and not isinstance(bound, FileField) and bound.raw_data
    }


def keep(
    bid: Bid,
    section_id: str,
    form: SectionForm,
    *,
    complete: bool,
    uploads: Mapping[str, int],
) -> UnsavedSection:
    """Keep the posted section (the caller commits)."""
    kept = UnsavedSection(posted_fields(form), complete, dict(uploads))
    bid.unsaved_sections = {**(bid.unsaved_sections or {}), section_id: kept.as_json()}
    return kept


def forget(bid: Bid, section_id: str) -> None:
    """Drop what was kept of the section (the caller commits)."""
    if section_id in (bid.unsaved_sections or {}):
        remaining = {k: v for k, v in (bid.unsaved_sections or {}).items() if k != section_id}
        bid.unsaved_sections = remaining or None


def pending_files(bid: Bid, kept: UnsavedSection | None) -> dict[str, EvidenceFile]:
    """field name -> the pending upload kept for it (only the organisation's own, unattached)."""
    found: dict[str, EvidenceFile] = {}
    for name, evidence_id in (kept.uploads if kept else {}).items():
        evidence = db.session.get(EvidenceFile, evidence_id)
        mine = evidence is not None and evidence.organisation_id == bid.organisation_id
        if mine and evidence is not None and evidence.bid_id is None:
            found[name] = evidence
    return found


def with_pending(
    framework: Framework, section_id: str, form: SectionForm, pending: Mapping[str, EvidenceFile]
) -> None:
    """Count pending uploads as given: a document as attached, a file answer as answered."""
    section = section_of(framework, section_id)
    for criterion in section.criteria:
        answer = pending.get(field_name(criterion.id))
        if answer is not None and kind_of(criterion).upload:
            form.stored_answers = {**form.stored_answers, criterion.id: evidence_answer(answer)}
        document = pending.get(evidence_field_name(criterion.id))
        if document is not None:
            form.attachments = {**form.attachments, criterion.id: document.filename}
    form.pending = {name: evidence.filename for name, evidence in pending.items()}


def attach_pending(bid: Bid, pending: Mapping[str, EvidenceFile], replaced: set[str]) -> int:
    """Attach the pending uploads to the bid, except those replaced by a file posted now;
    returns how many were attached (the caller commits)."""
    attached = 0
    for name, evidence in pending.items():
        if name not in replaced:
            evidence.bid_id = bid.id
            attached += 1
    return attached


def discard_pending(bid: Bid, section_id: str, name: str) -> bool:
    """Remove the pending upload kept for field `name`; False when there is none (the caller
    commits)."""
    kept = unsaved_section(bid, section_id)
    if kept is None or name not in kept.uploads:
        return False
    uploads = {k: v for k, v in kept.uploads.items() if k != name}
    remaining = UnsavedSection(kept.fields, kept.complete, uploads)
    bid.unsaved_sections = {**(bid.unsaved_sections or {}), section_id: remaining.as_json()}
    return True
