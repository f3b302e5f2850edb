"""Frameworks: the stored versions, one version's outline, and uploading a new one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from criteria.loader import FrameworkError, Problem
from webapp.commissioning import outline
from webapp.commissioning.blueprint import bp, managers_only, viewers_only
from webapp.commissioning.forms import UploadFrameworkForm, error_list
from webapp.services import round_admin
from webapp.services.frameworks import framework_of
from webapp.services.round_admin import RoundChangeError


@bp.get("/frameworks")
@viewers_only
def frameworks() -> str:
    return render_template("commissioning/frameworks.html", rows=round_admin.framework_rows())


@bp.get("/frameworks/<int:id>")
@viewers_only
def framework(id: int) -> str:
    version = round_admin.find_framework(id)
    if version is None:
        abort(404)
    return render_template(
        "commissioning/framework.html",
        version=version,
        framework=framework_of(version),
        outline=outline,
    )


@bp.route("/frameworks/upload", methods=["GET", "POST"])
@managers_only
def upload_framework() -> ResponseReturnValue:
    form = UploadFrameworkForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        upload = form.framework_file.data
        try:
            version, is_new = round_admin.upload_framework(
                upload.read(), upload.filename or "", by=current_user
            )
        except FrameworkError as error:
            problems = error.problems
            count = len(problems)
            form.framework_file.errors = [
                f"The selected file has {count} problem{'s' if count != 1 else ''}: "
                "correct the file and upload it again"
            ]
        except RoundChangeError as refusal:
            form.framework_file.errors = [str(refusal)]
        else:
            what = "uploaded" if is_new else "was already stored: nothing new was added"
            flash(f"{version.title}, version {version.version} {what}", "success")
            return redirect(url_for("commissioning.framework", id=version.id))
    if problems:
        errors = [{"text": problem_text(p), "href": "#framework_file"} for p in problems]
    else:
        errors = error_list(form)
    return render_template(
        "commissioning/upload_framework.html",
        form=form,
        errors=errors,
        problems=problems,
        form_has_errors=bool(errors),
    )


def problem_text(problem: Problem) -> str:
    """`ethical-care.yaml line 458: sections[1]: unknown key 'wieght'; did you mean ...`."""
    where = problem.field
    if problem.criterion and where:
        where += f" (criterion '{problem.criterion}')"
    place = f"{problem.file} line {problem.line}"
    return f"{place}: {where}: {problem.message}" if where else f"{place}: {problem.message}"
