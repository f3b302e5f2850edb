"""The form builder: a framework section becomes a Flask-WTF form, and a posted form answers.

One field per criterion, chosen from `webapp.forms.fields.FIELD_KINDS` by answer type, plus a
file field for each criterion that asks for a supporting document. Form classes are cached per
(framework content hash, section id), so a framework version builds its forms once.

Answers travel as the JSON-ready values `criteria.answers` reads: posted text is checked by
`parse_answer`, so the messages a provider sees are the domain's own, and follow-up questions
are asked only when their `show_if` condition holds on the answers given.

Documents are not answers, except for criteria of type `evidence`, whose answer is the
reference the evidence service gives the stored file. Forms only *find* uploads
(`uploaded_files`); a service stores them. `attachments` (criterion id -> file name) tells the
builder which criteria already have a document, for the "Current file" hint and for required
documents.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from threading import Lock
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import Field

from criteria.answer_messages import missing_message
from criteria.answers import AnswerError, display_answer, is_unanswered, parse_answer
from criteria.conditions import condition_holds
from criteria.hashing import content_hash
from criteria.model import AnswerValue, Criterion, Framework, Section
from webapp.forms.fields import evidence_upload_field, kind_of
from webapp.forms.text_limits import text_problem

__all__ = [
    "MISSING_DOCUMENT",
    "PendingUpload",
    "SectionForm",
    "SectionStatus",
    "answers_from_form",
    "current_answers",
    "evidence_field_name",
    "field_name",
    "form_for_section",
    "framework_digest",
    "merge_section_answers",
    "section_form_class",
    "section_of",
    "section_status",
    "typed_answers",
    "uploaded_files",
    "visible_criteria",
]

MISSING_DOCUMENT = "Select a supporting document to upload"


class SectionForm(FlaskForm):
    """Base of every built section form. Instances know the answers they were opened with."""

    stored_answers: dict[str, Any] = {}  # noqa: RUF012 - replaced per instance
    attachments: dict[str, str] = {}  # noqa: RUF012 - replaced per instance
    pending: dict[str, str] = {}  # noqa: RUF012 - replaced per instance
    """field name -> file name of an upload kept from a refused save, not yet saved."""
    _framework: Framework
    _section: Section


RESERVED_NAMES = frozenset(name for name in dir(SectionForm) if not name.startswith("_")) | {
    "csrf_token"
}
"""Form attributes a criterion id must not shadow (a criterion called `data`, say)."""


def field_name(criterion_id: str) -> str:
    """The form field (and HTML name and id) of a criterion: its id, unless that is reserved."""
    return f"{criterion_id}-answer" if criterion_id in RESERVED_NAMES else criterion_id


def evidence_field_name(criterion_id: str) -> str:
    """The file field for a criterion's supporting document (ids cannot contain "-")."""
    return f"{criterion_id}-evidence"


# --- form classes, cached per framework version ----------------------------------------------

_digests: dict[int, tuple[Framework, str]] = {}
_classes: dict[tuple[str, str], type[SectionForm]] = {}
_lock = Lock()
_MAX_CACHED = 256


def framework_digest(framework: Framework) -> str:
    """The framework's content hash, remembered per framework object."""
    known = _digests.get(id(framework))
    if known is not None and known[0] is framework:
        return known[1]
    digest = content_hash(framework)
    with _lock:
        if len(_digests) >= _MAX_CACHED:
            _digests.clear()
        _digests[id(framework)] = (framework, digest)  # holding it keeps its id unique
    return digest


def section_of(framework: Framework, section_id: str) -> Section:
    """The section with this id; KeyError when the framework has none."""
    for section in framework.sections:
        if section.id == section_id:
            return section
    raise KeyError(section_id)


def section_form_class(framework: Framework, section_id: str) -> type[SectionForm]:
    """The form class of one section: a field per criterion, a file field per document asked."""
    key = (framework_digest(framework), section_id)
    cached = _classes.get(key)
    if cached is not None:
        return cached
    section = section_of(framework, section_id)
    attributes: dict[str, Any] = {"_framework": framework, "_section": section}
    for criterion in section.criteria:
        attributes[field_name(criterion.id)] = kind_of(criterion).make(criterion)
        if criterion.evidence is not None:
            attributes[evidence_field_name(criterion.id)] = evidence_upload_field(criterion)
    form_class = type(f"{section_id.title().replace('_', '')}Form", (SectionForm,), attributes)
    with _lock:
        if len(_classes) >= _MAX_CACHED:
            _classes.clear()
        _classes[key] = form_class
    return form_class


def form_for_section(
    framework: Framework,
    section_id: str,
    answers: Mapping[str, Any],
    formdata: Any = None,
    *,
    attachments: Mapping[str, str] | None = None,
) -> SectionForm:
    """A form for the section: prefilled from stored answers, or holding posted `formdata`.

    `formdata` should include uploaded files (`CombinedMultiDict((request.files, request.form))`).
    """
    form_class = section_form_class(framework, section_id)
    if formdata is None:
        section = section_of(framework, section_id)
        data = {
            field_name(c.id): kind_of(c).initial(c, answers.get(c.id)) for c in section.criteria
        }
        form = form_class(formdata=None, data=data)
    else:
        form = form_class(formdata=formdata)
    form.stored_answers = dict(answers)
    form.attachments = dict(attachments or {})
    return form


# --- which questions are asked ------------------------------------------------------------


def typed_answers(framework: Framework, answers: Mapping[str, Any]) -> dict[str, AnswerValue]:
    """Every answer that parses, typed; answers that do not parse are left out."""
    typed: dict[str, AnswerValue] = {}
    for criterion in framework.criteria.values():
        try:
            value = parse_answer(criterion, answers.get(criterion.id))
        except AnswerError:
            continue
        if value is not None:
            typed[criterion.id] = value
    return typed


def _asked(
    framework: Framework,
    criterion: Criterion,
    typed: Mapping[str, AnswerValue],
    params: Mapping[str, Any],
    memo: dict[str, bool],
) -> bool:
    if criterion.id in memo:
        return memo[criterion.id]
    memo[criterion.id] = False  # guards against a loop; the loader already refuses them
    condition = criterion.show_if
    asked = True
    if condition is not None:
        parent = framework.criteria[condition.criterion]
        asked = _asked(framework, parent, typed, params, memo) and condition_holds(
            condition, typed.get(parent.id), params
        )
    memo[criterion.id] = asked
    return asked


def visible_criteria(
    framework: Framework, section: Section | str, answers: Mapping[str, Any]
) -> list[Criterion]:
    """The section's criteria that are asked, given the (JSON) answers to the whole framework.

    A follow-up is asked when its `show_if` holds on its parent's parsed answer and the parent
    is itself asked; an answer that does not parse counts as no answer.
    """
    if isinstance(section, str):
        section = section_of(framework, section)
    typed = typed_answers(framework, answers)
    params = framework.parameter_values()
    memo: dict[str, bool] = {}
    return [c for c in section.criteria if _asked(framework, c, typed, params, memo)]


# --- reading a posted form ----------------------------------------------------------------


@dataclass(frozen=True)
class PendingUpload:
    """A file posted with the form, waiting for the evidence service to store it."""

    criterion_id: str
    field_name: str
    file: FileStorage
    is_answer: bool
    """True for a criterion of type `evidence` (the stored file's reference is the answer)."""


def _posted_file(bound: Field | None) -> FileStorage | None:
    data = getattr(bound, "data", None)
    if isinstance(data, FileStorage) and (data.filename or "").strip():
        return data
    return None


def uploaded_files(
    framework: Framework, section_id: str, form: SectionForm, *, visible_only: bool = True
) -> list[PendingUpload]:
    """The files posted with the form, for criteria that are asked (unless `visible_only`)."""
    section = section_of(framework, section_id)
    criteria = (
        visible_criteria(framework, section, _merged_answers(framework, section, form))
        if visible_only
        else section.criteria
    )
    uploads = []
    for criterion in criteria:
        if kind_of(criterion).upload:
            name = field_name(criterion.id)
            posted = _posted_file(form._fields.get(name))
            if posted is not None:
                uploads.append(PendingUpload(criterion.id, name, posted, True))
        if criterion.evidence is not None:
            name = evidence_field_name(criterion.id)
            posted = _posted_file(form._fields.get(name))
            if posted is not None:
                uploads.append(PendingUpload(criterion.id, name, posted, False))
    return uploads


def _read_section(section: Section, form: SectionForm) -> tuple[dict[str, Any], dict[str, str]]:
    """Each criterion's posted answer as JSON (None when empty or wrong) and parse errors."""
    posted: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for criterion in section.criteria:
        kind = kind_of(criterion)
        if kind.upload:
            posted[criterion.id] = form.stored_answers.get(criterion.id)
            continue
        raw = kind.raw(form[field_name(criterion.id)])
        problem = text_problem(criterion, raw)
        if problem is not None:
            problems[criterion.id] = problem
            posted[criterion.id] = None
            continue
        try:
            value = parse_answer(criterion, raw)
        except AnswerError as error:
            problems[criterion.id] = kind.invalid or error.message
            posted[criterion.id] = None
            continue
        posted[criterion.id] = display_answer(value)
    return posted, problems


def _merged_answers(framework: Framework, section: Section, form: SectionForm) -> dict[str, Any]:
    posted, _ = _read_section(section, form)
    return {**form.stored_answers, **posted}


def current_answers(framework: Framework, section: Section, form: SectionForm) -> dict[str, Any]:
    """The answers the form shows: the stored ones, with this section's as posted (or
    prefilled); an answer that cannot be used counts as none."""
    return _merged_answers(framework, section, form)


def answers_from_form(
    framework: Framework, section_id: str, form: SectionForm, *, require_complete: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """The section's answers from a posted form, and its errors by field name.

    Answers are JSON-ready and only for the questions asked (follow-ups whose `show_if` does
    not hold are left out). With `require_complete`, a required question left empty, or a
    required document neither attached before nor posted now, is an error; without it (saving
    a draft), only answers that cannot be used are. The errors are also set on the form's
    fields, so the page shows them.
    """
    section = section_of(framework, section_id)
    posted, problems = _read_section(section, form)
    asked = visible_criteria(framework, section, {**form.stored_answers, **posted})
    uploads = uploaded_files(framework, section_id, form)
    uploaded_answers = {u.criterion_id for u in uploads if u.is_answer}
    uploaded_documents = {u.criterion_id for u in uploads if not u.is_answer}
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for criterion in asked:
        name = field_name(criterion.id)
        value = posted[criterion.id]
        if criterion.id in problems:
            errors[name] = problems[criterion.id]
        elif not is_unanswered(value):
            answers[criterion.id] = value
        elif require_complete and criterion.required and criterion.id not in uploaded_answers:
            errors[name] = kind_of(criterion).missing or missing_message(criterion)
        demand = criterion.evidence
        if (
            require_complete
            and demand is not None
            and demand.required
            and criterion.id not in form.attachments
            and criterion.id not in uploaded_documents
        ):
            errors[evidence_field_name(criterion.id)] = MISSING_DOCUMENT
    set_errors(form, errors)
    return answers, errors


def set_errors(form: SectionForm, errors: Mapping[str, str]) -> None:
    """Show these messages on the form's fields (replacing any shown before)."""
    for name, bound in form._fields.items():
        if name != "csrf_token":
            bound.errors = [errors[name]] if name in errors else []


def merge_section_answers(
    framework: Framework,
    section_id: str,
    stored: Mapping[str, Any],
    answers: Mapping[str, Any],
    errors: Mapping[str, str],
) -> dict[str, Any]:
    """The framework's answers after saving one section: a new dict, nothing changed in place.

    The section's answers are replaced by `answers`; a question whose posted answer could not
    be used keeps its stored answer (a draft loses nothing), and a question no longer asked
    loses its answer.
    """
    section = section_of(framework, section_id)
    merged = {k: v for k, v in stored.items() if k not in {c.id for c in section.criteria}}
    merged.update(answers)
    asked = {c.id for c in visible_criteria(framework, section, merged)}
    for criterion in section.criteria:
        kept = stored.get(criterion.id)
        if field_name(criterion.id) in errors and kept is not None and criterion.id in asked:
            merged[criterion.id] = kept
    return merged


# --- progress -----------------------------------------------------------------------------


class SectionStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "in_progress": "In progress"}.get(
            self.value, "Completed"
        )


def section_status(
    framework: Framework,
    section_id: str,
    answers: Mapping[str, Any],
    attachments: Collection[str] = frozenset(),
) -> SectionStatus:
    """Completed when every question asked that is required has an answer that can be used
    (and every required document is attached); not started when nothing is answered yet.

    `attachments` holds the ids of the criteria with a document attached (a mapping of
    criterion id -> file name will do).
    """
    section = section_of(framework, section_id)
    answered_any = False
    complete = True
    for criterion in visible_criteria(framework, section, answers):
        try:
            value = parse_answer(criterion, answers.get(criterion.id))
        except AnswerError:
            answered_any, complete = True, False
            continue
        if value is not None or criterion.id in attachments:
            answered_any = True
        if value is None and criterion.required:
            complete = False
        demand = criterion.evidence
        if demand is not None and demand.required and criterion.id not in attachments:
            complete = False
    if complete:
        return SectionStatus.COMPLETED
    return SectionStatus.IN_PROGRESS if answered_any else SectionStatus.NOT_STARTED
