"""An administrator's view of a person's data: retention, subject access export, erasure."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovTextArea
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from webapp import clock
from webapp.admin.views import bp
from webapp.audit.people import is_erased
from webapp.auth.roles import role_required
from webapp.models import Role, User
from webapp.services import personal_data


class EraseForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        description="Needed when you erase before the retention period has ended",
        validators=[Length(max=2000, message="Reason must be 2,000 characters or fewer")],
        widget=GovTextArea(),
    )
    force = BooleanField(
        "Erase now, before the retention period has ended", widget=GovCheckboxInput()
    )


def _person(user_id: int) -> User:
    try:
        return personal_data.find_person(user_id)
    except LookupError:
        abort(404)


def _page(user: User, form: EraseForm) -> str:
    retention = personal_data.retention_of(user)
    return render_template(
        "admin/personal_data.html",
        person=user,
        erased=is_erased(user),
        erasure=personal_data.erasure_of(user),
        retention=retention,
        erasable=retention.expired(clock.now()),
        form=form,
        form_has_errors=bool(form.errors),
        london_text=clock.london_text,
    )


@bp.get("/users/<int:user_id>/personal-data")
@role_required(Role.ADMIN)
def personal_data_page(user_id: int) -> ResponseReturnValue:
    return _page(_person(user_id), EraseForm())


@bp.get("/users/<int:user_id>/personal-data.json")
@role_required(Role.ADMIN)
def personal_data_export(user_id: int) -> ResponseReturnValue:
    user = _person(user_id)
    data = personal_data.export_person(user, by=current_user)
    return Response(
        personal_data.export_json(data),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="personal-data-user-{user_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/users/<int:user_id>/erase")
@role_required(Role.ADMIN)
def personal_data_erase(user_id: int) -> ResponseReturnValue:
    user = _person(user_id)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            personal_data.erase_person(
                user, by=current_user, reason=form.reason.data or "", force=bool(form.force.data)
            )
        except personal_data.ErasureRefusedError as error:
            form.reason.errors = [error.message]
        else:
            flash(f"The personal data of user {user_id} has been erased.", "success")
            return redirect(url_for("admin.personal_data_page", user_id=user_id))
    return _page(user, form), 400
