"""A bid, one page per step: task list, section questions, check and submit, receipt, withdraw."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import CombinedMultiDict

from criteria.model import Framework, Section
from webapp.auth.roles import role_required
from webapp.clock import london_precise_text, london_text
from webapp.forms.builder import (
    SectionForm,
    SectionStatus,
    answers_from_form,
    form_for_section,
    section_of,
)
from webapp.forms.declaration import DeclarationForm
from webapp.forms.rendering import error_summary_items, section_questions
from webapp.forms.summary import summary_rows
from webapp.models import Bid, BidStatus, Role
from webapp.provider import bp
from webapp.provider.access import form_version, own_bid, signed_in_user
from webapp.provider.returns import return_target, return_url
from webapp.services.bids import (
    CONFLICT_MESSAGE,
    BidError,
    DeadlinePassedError,
    SectionEntry,
    StaleBidError,
    bid_framework,
    bid_sections,
    bid_state,
    changes_pending,
    deadline_passed,
    remove_pending_upload,
    save_section,
    withdraw_bid,
    working_answers,
    working_attachments,
)
from webapp.services.submission import AlreadySubmittedError, submit_bid
from webapp.services.unsaved_sections import (
    UnsavedSection,
    pending_files,
    unsaved_section,
    with_pending,
)

STATUS_TAGS: dict[SectionStatus, dict[str, Any]] = {
    SectionStatus.NOT_STARTED: {"tag": {"text": "Not started", "classes": "govuk-tag--blue"}},
    SectionStatus.IN_PROGRESS: {"tag": {"text": "In progress", "classes": "govuk-tag--light-blue"}},
    SectionStatus.COMPLETED: {"text": "Completed"},
}


UNSAVED_HINT = "Some answers have not been saved: open this section to fix them"


def _task_items(bid: Bid, sections: list[SectionEntry], closed: bool) -> list[dict[str, Any]]:
    items = []
    for entry in sections:
        item: dict[str, Any] = {
            "title": {"text": entry.section.title},
            "status": STATUS_TAGS[entry.status],
        }
        if entry.section.id in (bid.unsaved_sections or {}):
            item["hint"] = {"text": UNSAVED_HINT}
        if not closed:
            item["href"] = url_for(
                "provider.bid_section", bid_id=bid.id, section_id=entry.section.id
            )
        items.append(item)
    return items


@bp.get("/bids/<int:bid_id>")
@role_required(Role.PROVIDER)
def bid(bid_id: int) -> ResponseReturnValue:
    bid = own_bid(bid_id)
    sections = bid_sections(bid)
    closed = deadline_passed(bid)
    return render_template(
        "provider/bid.html",
        bid=bid,
        state=bid_state(bid),
        items=_task_items(bid, sections, closed),
        completed=sum(e.status == SectionStatus.COMPLETED for e in sections),
        total=len(sections),
        closed=closed,
        london_text=london_text,
    )


# --- one section of questions ------------------------------------------------------------------


def _section_or_404(framework: Framework, section_id: str) -> Section:
    try:
        return section_of(framework, section_id)
    except KeyError:
        abort(404)


def _render_kept(
    bid: Bid,
    framework: Framework,
    section: Section,
    kept: UnsavedSection,
    answers: dict[str, Any],
    attachments: dict[str, str],
) -> ResponseReturnValue:
    """The section as a refused save left it: what was typed and uploaded, with its errors."""
    form = form_for_section(
        framework, section.id, answers, kept.formdata(), attachments=attachments
    )
    with_pending(framework, section.id, form, pending_files(bid, kept))
    _, errors = answers_from_form(framework, section.id, form, require_complete=kept.complete)
    form.attachments = attachments
    return _render_section(
        bid, framework, section, form, errors=errors, partly_saved=not kept.complete, kept=True
    )


def _render_section(
    bid: Bid,
    framework: Framework,
    section: Section,
    form: SectionForm,
    *,
    errors: dict[str, str] | None = None,
    conflict: bool = False,
    partly_saved: bool = False,
    kept: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    errors = errors or {}
    page = render_template(
        "provider/section.html",
        bid=bid,
        state=bid_state(bid),
        section=section,
        form=form,
        kept=kept and not partly_saved,
        questions=section_questions(framework, section.id, form),
        error_items=error_summary_items(form, errors),
        conflict_message=CONFLICT_MESSAGE if conflict else None,
        partly_saved=partly_saved,
        london_text=london_text,
        form_has_errors=bool(errors) or conflict,
    )
    return page, status


@bp.route("/bids/<int:bid_id>/sections/<section_id>", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def bid_section(bid_id: int, section_id: str) -> ResponseReturnValue:
    bid = own_bid(bid_id)
    framework = bid_framework(bid)
    section = _section_or_404(framework, section_id)
    attachments = working_attachments(bid)
    answers = working_answers(bid)
    if request.method == "GET":
        if deadline_passed(bid):
            return redirect(url_for("provider.check_answers", bid_id=bid.id))
        if _needs_change_confirmation(bid):
            return redirect(url_for("provider.change_bid", bid_id=bid.id, section=section.id))
        kept = unsaved_section(bid, section.id)
        if kept is None:
            form = form_for_section(framework, section.id, answers, attachments=attachments)
            return _render_section(bid, framework, section, form)
        return _render_kept(bid, framework, section, kept, answers, attachments)

    posted = CombinedMultiDict((request.files, request.form))
    form = form_for_section(framework, section.id, answers, posted, attachments=attachments)
    try:
        outcome = save_section(
            signed_in_user(),
            bid,
            section.id,
            form,
            complete=request.form.get("action") != "draft",
            expected_version=form_version(request.form.get("version")),
        )
    except DeadlinePassedError as error:
        flash(error.message, "error")
        return redirect(url_for("provider.bid", bid_id=bid.id))
    if outcome.conflict:
        return _render_section(bid, framework, section, form, conflict=True, status=409)
    if outcome.errors:
        form.attachments = working_attachments(bid)
        return _render_section(
            bid,
            framework,
            section,
            form,
            errors=outcome.errors,
            partly_saved=outcome.saved,
            kept=not outcome.saved,
        )
    if request.form.get("action") == "draft":
        flash(f"Your answers to {section.title} have been saved as a draft.", "success")
    elif (target := return_target()) is not None:
        return redirect(return_url(target, bid_id=bid.id))
    return redirect(url_for("provider.bid", bid_id=bid.id))


@bp.post("/bids/<int:bid_id>/sections/<section_id>/pending/<name>/remove")
@role_required(Role.PROVIDER)
def remove_pending(bid_id: int, section_id: str, name: str) -> ResponseReturnValue:
    """Remove a file kept from a refused save, then show the section again."""
    bid = own_bid(bid_id)
    section = _section_or_404(bid_framework(bid), section_id)
    try:
        removed = remove_pending_upload(
            signed_in_user(),
            bid,
            section.id,
            name,
            expected_version=form_version(request.form.get("version")),
        )
    except DeadlinePassedError as error:
        flash(error.message, "error")
        return redirect(url_for("provider.bid", bid_id=bid.id))
    except StaleBidError as error:
        flash(error.message, "error")
        removed = False
    if removed:
        flash("The file has been removed. It was never saved with your answers.", "success")
    return redirect(
        url_for(
            "provider.bid_section", bid_id=bid.id, section_id=section.id, change=CHANGE_CONFIRMED
        )
    )


# --- changing a submitted bid ------------------------------------------------------------

CHANGE_CONFIRMED = "confirmed"
"""`?change=confirmed` on a section of a submitted bid: the provider has read the warning."""


def _needs_change_confirmation(bid: Bid) -> bool:
    """A submitted bid with no changes yet: say what changing it means before the first one."""
    return (
        bid.status == BidStatus.SUBMITTED.value
        and not changes_pending(bid)
        and request.args.get("change") != CHANGE_CONFIRMED
    )


@bp.get("/bids/<int:bid_id>/change")
@role_required(Role.PROVIDER)
def change_bid(bid_id: int) -> ResponseReturnValue:
    """Before changing a submitted bid: it will need submitting again for the change to count."""
    bid = own_bid(bid_id)
    framework = bid_framework(bid)
    section = _section_or_404(framework, request.args.get("section", ""))
    if deadline_passed(bid) or bid.status != BidStatus.SUBMITTED.value:
        return redirect(url_for("provider.bid", bid_id=bid.id))
    return render_template(
        "provider/change_bid.html",
        bid=bid,
        section=section,
        continue_href=url_for(
            "provider.bid_section",
            bid_id=bid.id,
            section_id=section.id,
            change=CHANGE_CONFIRMED,
        ),
        london_text=london_text,
    )


# --- check your answers, declare and submit --------------------------------------------------


def _render_check(
    bid: Bid, form: DeclarationForm, *, conflict_message: str | None = None, status: int = 200
) -> ResponseReturnValue:
    framework = bid_framework(bid)
    attachments = working_attachments(bid)
    answers = working_answers(bid)
    sections = bid_sections(bid, attachments)
    closed = deadline_passed(bid)

    def change_link(section_id: str) -> Any:
        if closed:
            return None
        base = url_for(
            "provider.bid_section", bid_id=bid.id, section_id=section_id, return_to="check"
        )
        return lambda element_id: f"{base}#{element_id}"

    summaries = [
        (
            entry,
            summary_rows(
                framework,
                entry.section.id,
                answers,
                attachments=attachments,
                change_href=change_link(entry.section.id),
            ),
        )
        for entry in sections
    ]
    form.version.data = str(bid.version)
    page = render_template(
        "provider/check_answers.html",
        bid=bid,
        state=bid_state(bid),
        summaries=summaries,
        complete=all(e.status == SectionStatus.COMPLETED for e in sections),
        closed=closed,
        form=form,
        conflict_message=conflict_message,
        form_has_errors=bool(form.errors) or conflict_message is not None,
        london_text=london_text,
    )
    return page, status


@bp.get("/bids/<int:bid_id>/check")
@role_required(Role.PROVIDER)
def check_answers(bid_id: int) -> ResponseReturnValue:
    bid = own_bid(bid_id)
    return _render_check(bid, DeclarationForm(formdata=None))


@bp.post("/bids/<int:bid_id>/submit")
@role_required(Role.PROVIDER)
def submit(bid_id: int) -> ResponseReturnValue:
    bid = own_bid(bid_id)
    form = DeclarationForm()
    if not form.validate_on_submit():
        return _render_check(bid, form)
    try:
        submit_bid(
            signed_in_user(),
            bid,
            full_name=form.full_name.data or "",
            confirmed=bool(form.confirm.data),
            expected_version=form_version(form.version.data),
        )
    except AlreadySubmittedError as error:
        flash(error.message, "info")
        return redirect(url_for("provider.receipt", bid_id=bid.id))
    except DeadlinePassedError as error:
        flash(error.message, "error")
        return redirect(url_for("provider.bid", bid_id=bid.id))
    except StaleBidError as error:
        return _render_check(bid, form, conflict_message=error.message, status=409)
    except BidError as error:
        flash(error.message, "error")
        return redirect(url_for("provider.check_answers", bid_id=bid.id))
    return redirect(url_for("provider.receipt", bid_id=bid.id))


@bp.get("/bids/<int:bid_id>/receipt")
@role_required(Role.PROVIDER)
def receipt(bid_id: int) -> ResponseReturnValue:
    bid = own_bid(bid_id)
    if bid.status != BidStatus.SUBMITTED.value:
        return redirect(url_for("provider.bid", bid_id=bid.id))
    return render_template(
        "provider/receipt.html",
        bid=bid,
        received_at=bid.submitted_received_at or bid.submitted_at,
        closed=deadline_passed(bid),
        london_text=london_text,
        london_precise_text=london_precise_text,
    )


# --- withdraw -------------------------------------------------------------------------------


@bp.route("/bids/<int:bid_id>/withdraw", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def withdraw(bid_id: int) -> ResponseReturnValue:
    bid = own_bid(bid_id)
    if request.method == "GET":
        if bid.status != BidStatus.SUBMITTED.value or deadline_passed(bid):
            flash("Only a submitted bid can be withdrawn, before the deadline.", "error")
            return redirect(url_for("provider.bid", bid_id=bid.id))
        return render_template("provider/withdraw.html", bid=bid, london_text=london_text)
    try:
        withdraw_bid(signed_in_user(), bid)
    except BidError as error:
        flash(error.message, "error")
        return redirect(url_for("provider.bid", bid_id=bid.id))
    flash("Your bid has been withdrawn.", "success")
    return redirect(url_for("provider.bid", bid_id=bid.id))
