"""Views of the auth blueprint: sign in and out, register, confirm, reset a password, accept an
invitation. They parse the form, call `webapp.services.accounts`, and render."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError

from webapp.auth import limits, sessions
from webapp.auth.forms import EmailForm, NewPasswordForm, RegisterForm, SignInForm
from webapp.extensions import limiter
from webapp.models import Role, User
from webapp.services import accounts
from webapp.services.accounts import SignInOutcome

bp = Blueprint("auth", __name__)
bp.before_app_request(sessions.end_idle_session)

# Sign-in and the forms that email an address are counted per account and per client address;
# see `webapp.auth.limits` for why both, and why the right password counts too.
per_account = limiter.limit(
    limits.email_form_per_account, key_func=limits.account_key, methods=["POST"]
)
per_address = limiter.limit(
    limits.sign_in_per_address, key_func=limits.client_address, methods=["POST"]
)

WRONG_CREDENTIALS = "Enter a correct email address and password"

# Where each role starts after signing in: its own work. Home if that part is not registered.
LANDING_ENDPOINTS: dict[Role, str] = {
    Role.PROVIDER: "provider.dashboard",
    Role.COMMISSIONER: "commissioning.rounds",
    Role.EVALUATOR: "evaluation.rounds",
    Role.BOARD: "board.rounds",
    Role.ADMIN: "admin.users",
}


def landing_url(user: User) -> str:
    """The first page `user` sees after signing in."""
    endpoint = LANDING_ENDPOINTS.get(user.role_enum, "public.home")
    if endpoint not in current_app.view_functions:
        endpoint = "public.home"
    return url_for(endpoint)


def is_local_path(target: str | None) -> bool:
    """True for a path on this site (`/bids/3?tab=1`); False for anything that leaves it."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(character) < 32 for character in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _form_page(template: str, form: FlaskForm, **context: object) -> ResponseReturnValue:
    """Render a form page; its title starts "Error: " when the form has errors."""
    return render_template(template, form=form, form_has_errors=bool(form.errors), **context)


@bp.app_errorhandler(CSRFError)
def form_expired(error: CSRFError) -> ResponseReturnValue:
    """A form posted without its token, or with an old one: say so, and offer a way back."""
    return render_template("errors/csrf.html"), 400


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(limits.sign_in_per_account, key_func=limits.account_key, methods=["POST"])
@per_address
def sign_in() -> ResponseReturnValue:
    next_path = request.values.get("next")
    if not is_local_path(next_path):
        next_path = None
    if current_user.is_authenticated:
        return redirect(next_path or landing_url(current_user))
    form = SignInForm()
    unconfirmed = False
    if form.validate_on_submit():
        result = accounts.authenticate(form.email.data or "", form.password.data or "")
        if result.outcome is SignInOutcome.SIGNED_IN and result.user is not None:
            sessions.start_session(result.user)
            return redirect(next_path or landing_url(result.user))
        if result.outcome is SignInOutcome.UNCONFIRMED:
            unconfirmed = True
            form.email.errors = ["Confirm your email address before you sign in"]
        elif result.outcome is SignInOutcome.INACTIVE:
            form.email.errors = [
                "Your account has been deactivated. Contact your council’s administrator"
            ]
        else:
            form.email.errors = [WRONG_CREDENTIALS]
    return _form_page("auth/sign_in.html", form, next_path=next_path, unconfirmed=unconfirmed)


@bp.get("/sign-out")
def confirm_sign_out() -> ResponseReturnValue:
    """Following a link or a bookmark to sign out signs no one out: it offers the button."""
    if not current_user.is_authenticated:
        return redirect(url_for("public.home"))
    return render_template("auth/sign_out.html")


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    if current_user.is_authenticated:
        sessions.end_every_session(current_user._get_current_object())
        flash("You have signed out on every device.", "success")
    else:
        session.clear()
    return redirect(url_for("public.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(limits.register_per_address, key_func=limits.client_address, methods=["POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            address = accounts.register_provider(
                form.organisation_name.data or "",
                form.name.data or "",
                form.email.data or "",
                form.password.data or "",
            )
        except accounts.WeakPasswordError as error:
            form.password.errors = [error.message]
        else:
            # The same page whether or not the address had an account: its owner learns by email.
            return render_template("auth/check_email.html", email=address)
    return _form_page("auth/register.html", form)


@bp.get("/confirm/<token>")
def confirm_email(token: str) -> ResponseReturnValue:
    try:
        accounts.confirm_email(token)
    except accounts.LinkError as error:
        return render_template("auth/link_problem.html", error=error, kind="confirm"), 400
    flash("Your email address is confirmed. You can now sign in.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/resend-confirmation", methods=["GET", "POST"])
@per_account
@per_address
def resend_confirmation() -> ResponseReturnValue:
    form = EmailForm()
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"]
    if form.validate_on_submit():
        accounts.resend_confirmation(form.email.data or "")
        return render_template("auth/check_email.html", email=form.email.data, resent=True)
    return _form_page("auth/resend_confirmation.html", form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@per_account
@per_address
def forgot_password() -> ResponseReturnValue:
    form = EmailForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data or "")
        return render_template("auth/reset_sent.html", email=form.email.data)
    return _form_page("auth/forgot_password.html", form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    try:
        accounts.user_for_reset(token)
    except accounts.LinkError as error:
        return render_template("auth/link_problem.html", error=error, kind="reset"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(token, form.password.data or "")
        except accounts.WeakPasswordError as error:
            form.password.errors = [error.message]
        except accounts.LinkError as error:
            return render_template("auth/link_problem.html", error=error, kind="reset"), 400
        else:
            if current_user.is_authenticated:
                logout_user()
            sessions.start_session(user)
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(landing_url(user))
    return _form_page("auth/reset_password.html", form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str) -> ResponseReturnValue:
    try:
        invited = accounts.user_for_invite(token)
    except accounts.LinkError as error:
        return render_template("auth/link_problem.html", error=error, kind="invite"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invite(token, form.password.data or "")
        except accounts.WeakPasswordError as error:
            form.password.errors = [error.message]
        except accounts.LinkError as error:
            return render_template("auth/link_problem.html", error=error, kind="invite"), 400
        else:
            if current_user.is_authenticated:
                logout_user()
            sessions.start_session(user)
            flash(f"Welcome, {user.name}. Your account is ready.", "success")
            return redirect(landing_url(user))
    return _form_page("auth/accept_invite.html", form, invited=invited)
