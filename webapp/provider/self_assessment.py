"""Self-assessment pages: the task list, one page per section, and the results with advice."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import CombinedMultiDict

from criteria.improvement import points_text
from criteria.model import Framework, Section
from webapp.auth.roles import role_required
from webapp.forms.builder import SectionForm, SectionStatus, form_for_section
from webapp.forms.rendering import error_summary_items, section_questions
from webapp.models import Role, SelfAssessment
from webapp.provider import bp
from webapp.provider.access import form_version, signed_in_user
from webapp.services.profiles import is_complete
from webapp.services.self_assessments import (
    CONFLICT_MESSAGE,
    SectionTask,
    assessed_sections,
    attachments_of,
    evaluator_marked,
    next_section_id,
    open_self_assessment,
    save_section,
    score_self_assessment,
    section_tasks,
    self_assessment_framework,
    unfinished_tasks,
)

STATUS_TAGS: dict[SectionStatus, dict[str, Any]] = {
    SectionStatus.NOT_STARTED: {"tag": {"text": "Not started", "classes": "govuk-tag--blue"}},
    SectionStatus.IN_PROGRESS: {"tag": {"text": "In progress", "classes": "govuk-tag--light-blue"}},
    SectionStatus.COMPLETED: {"text": "Completed"},
}


def points_label(points: Fraction) -> str:
    """ "1 point", "3.6 points": points for people, with the noun agreeing."""
    text = points_text(points)
    return f"{text} point" if text == "1" else f"{text} points"


def _own_self_assessment() -> SelfAssessment:
    try:
        return open_self_assessment(signed_in_user())
    except LookupError:
        abort(404)


@bp.get("/self-assessment")
@role_required(Role.PROVIDER)
def self_assessment() -> ResponseReturnValue:
    assessment = _own_self_assessment()
    tasks = section_tasks(assessment)
    items = [
        {
            "title": {"text": task.section.title},
            "href": url_for("provider.self_assessment_section", section_id=task.section.id),
            "status": STATUS_TAGS[task.status],
            **_gaps_hint(task),
        }
        for task in tasks
    ]
    return render_template(
        "provider/self_assessment.html",
        assessment=assessment,
        framework=self_assessment_framework(assessment),
        items=items,
        completed=sum(t.status == SectionStatus.COMPLETED for t in tasks),
        profile_complete=is_complete(assessment.organisation),
        total=len(tasks),
    )


def _gaps_hint(task: SectionTask) -> dict[str, Any]:
    """A task list hint saying what an in-progress section still needs."""
    if task.status != SectionStatus.IN_PROGRESS or not task.gaps:
        return {}
    return {"hint": {"text": task.gaps.text}}


def _assessed_section(framework: Framework, section_id: str) -> Section:
    section = next((s for s in assessed_sections(framework) if s.id == section_id), None)
    if section is None:
        abort(404)
    return section


def _render_section(
    assessment: SelfAssessment,
    framework: Framework,
    section: Section,
    form: SectionForm,
    *,
    errors: dict[str, str] | None = None,
    conflict: bool = False,
) -> ResponseReturnValue:
    errors = errors or {}
    page = render_template(
        "provider/self_assessment_section.html",
        assessment=assessment,
        section=section,
        form=form,
        questions=section_questions(framework, section.id, form),
        marked_by_evaluators=evaluator_marked(section),
        error_items=error_summary_items(form, errors),
        conflict_message=CONFLICT_MESSAGE if conflict else None,
        form_has_errors=bool(errors) or conflict,
    )
    return page, 409 if conflict else 200


@bp.route("/self-assessment/sections/<section_id>", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def self_assessment_section(section_id: str) -> ResponseReturnValue:
    assessment = _own_self_assessment()
    framework = self_assessment_framework(assessment)
    section = _assessed_section(framework, section_id)
    attachments = attachments_of(assessment)
    if request.method == "GET":
        form = form_for_section(framework, section.id, assessment.answers, attachments=attachments)
        return _render_section(assessment, framework, section, form)

    posted = CombinedMultiDict((request.files, request.form))
    form = form_for_section(
        framework, section.id, assessment.answers, posted, attachments=attachments
    )
    outcome = save_section(
        signed_in_user(),
        section.id,
        form,
        expected_version=form_version(request.form.get("version")),
    )
    if outcome.conflict:
        return _render_section(assessment, framework, section, form, conflict=True)
    if outcome.errors:
        form.attachments = attachments_of(assessment)
        return _render_section(assessment, framework, section, form, errors=outcome.errors)
    following = next_section_id(framework, section.id)
    if request.form.get("action") == "draft" or following is None:
        flash(f"Your answers to “{section.title}” have been saved.", "success")
        return redirect(url_for("provider.self_assessment"))
    return redirect(url_for("provider.self_assessment_section", section_id=following))


@bp.get("/self-assessment/results")
@role_required(Role.PROVIDER)
def self_assessment_results() -> ResponseReturnValue:
    assessment = _own_self_assessment()
    framework = self_assessment_framework(assessment)
    return render_template(
        "provider/self_assessment_results.html",
        assessment=assessment,
        framework=framework,
        results=score_self_assessment(assessment),
        unfinished=unfinished_tasks(assessment),
        points=points_text,
        points_label=points_label,
    )
