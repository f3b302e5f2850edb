"""Views of the admin blueprint: the list of user accounts, invitations and deactivation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp import clock
from webapp.admin.forms import INVITABLE_ROLES, ROLE_DESCRIPTIONS, InviteForm
from webapp.auth.roles import role_required
from webapp.confirmation import is_confirmed
from webapp.models import Role
from webapp.services import accounts

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@role_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    staff, providers = accounts.list_users()
    return render_template(
        "admin/users.html",
        staff=staff,
        providers=providers,
        status_of=accounts.account_status,
        statuses=accounts.AccountStatus,
        london_text=clock.london_text,
    )


@bp.route("/users/invite", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def invite() -> ResponseReturnValue:
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = accounts.invite_staff(
                current_user, form.name.data or "", form.email.data or "", Role(form.role.data)
            )
        except accounts.EmailTakenError:
            form.email.errors = ["An account already exists with this email address"]
        except accounts.AccountError as error:
            form.role.errors = [error.message]
        else:
            flash(f"Invitation sent to {user.name} at {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/invite.html",
        form=form,
        role_hints=[{"hint": {"text": ROLE_DESCRIPTIONS[role]}} for role in INVITABLE_ROLES],
        form_has_errors=bool(form.errors),
    )


def _change_active(user_id: int, *, active: bool) -> ResponseReturnValue:
    try:
        user = accounts.set_active(current_user, user_id, active=active)
    except LookupError:
        abort(404)
    except accounts.AccountError as error:
        flash(error.message, "error")
    else:
        done = "reactivated" if active else "deactivated"
        flash(f"{user.name}’s account has been {done}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def deactivate(user_id: int) -> ResponseReturnValue:
    """Ask "Are you sure", then deactivate only from the confirmation page's post."""
    try:
        user = accounts.account_to_change(current_user, user_id)
    except LookupError:
        abort(404)
    refusal = accounts.deactivation_refusal(current_user, user)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("admin.users"))
    if not is_confirmed():
        return render_template("admin/deactivate.html", user=user)
    return _change_active(user_id, active=False)


@bp.post("/users/<int:user_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate(user_id: int) -> ResponseReturnValue:
    return _change_active(user_id, active=True)


@bp.post("/users/<int:user_id>/resend-invite")
@role_required(Role.ADMIN)
def resend_invite(user_id: int) -> ResponseReturnValue:
    try:
        user = accounts.resend_invitation(current_user, user_id)
    except LookupError:
        abort(404)
    except accounts.AccountError as error:
        flash(error.message, "error")
    else:
        flash(f"A new invitation has been sent to {user.email}.", "success")
    return redirect(url_for("admin.users"))
