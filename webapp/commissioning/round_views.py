"""Rounds: the list, a new round, a round's page, its settings, invitations and publishing."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp.commissioning.blueprint import bp, managers_only, round_or_404, viewers_only
from webapp.commissioning.forms import ConfirmForm, InvitationsForm, NewRoundForm, error_list
from webapp.commissioning.round_actions import rounds_needing_action
from webapp.commissioning.settings_form import (
    humanise,
    initial_values,
    setting_inputs,
    settings_form_class,
    value_text,
)
from webapp.models import CommissioningRound, Role
from webapp.services import evaluation, round_admin
from webapp.services.award import award_panel
from webapp.services.round_admin import SERVICES, RoundChangeError
from webapp.services.rounds import RoundState, is_sealed, round_framework, round_state


@bp.get("/rounds")
@viewers_only
def rounds() -> str:
    """Every round; for commissioners, their start page: first what needs their action."""
    rows = round_admin.round_rows()
    return render_template(
        "commissioning/rounds.html",
        rows=rows,
        services=SERVICES,
        work=rounds_needing_action(rows) if round_admin.can_manage(current_user) else None,
    )


@bp.route("/rounds/new", methods=["GET", "POST"])
@managers_only
def new_round() -> ResponseReturnValue:
    versions = round_admin.framework_versions()
    form = NewRoundForm()
    form.set_frameworks(versions)
    if request.method == "GET" and request.args.get("framework", "").isdigit():
        form.framework_version.data = int(request.args["framework"])
    if form.validate_on_submit():
        try:
            round_ = round_admin.create_round(form.new_round(), by=current_user)
        except RoundChangeError as refusal:
            form.title.errors = [str(refusal)]
        else:
            flash(f"Round {round_.reference} created as a draft", "success")
            return redirect(url_for("commissioning.round", id=round_.id))
    errors = error_list(form)
    return render_template(
        "commissioning/new_round.html", form=form, errors=errors, form_has_errors=bool(errors)
    )


@bp.get("/rounds/<int:id>")
@viewers_only
def round(id: int) -> str:
    round_ = round_or_404(id)
    sealed = is_sealed(round_)
    unnamed = _bidders_hidden(round_)
    return render_template(
        "commissioning/round.html",
        round=round_,
        state=round_state(round_),
        service=SERVICES.get(round_.service, round_.service),
        framework=round_framework(round_),
        parameters=_parameter_rows(round_),
        weights=_weight_rows(round_),
        sealed=sealed,
        bids_submitted=round_admin.submitted_bid_count(round_),
        bids=[] if sealed or unnamed else round_admin.submitted_bids(round_),
        bidders_hidden=unnamed and not sealed,
        invited=len(round_.invitations),
        frozen_reason=round_admin.settings_frozen_reason(round_),
        publish_refusal=round_admin.publish_refusal(round_),
        award=award_panel(round_),
        evaluating=_evaluates(round_),
    )


def _evaluates(round_: CommissioningRound) -> bool:
    """True when the signed-in user is an evaluator assigned to the round."""
    user = current_user._get_current_object()
    return user.has_role(Role.EVALUATOR) and evaluation.assignment(round_, user) is not None


def _bidders_hidden(round_: CommissioningRound) -> bool:
    """True when the round hides who bid from evaluators and the signed-in user is one: they
    know the bids only as "Bid A", "Bid B" (in an order that is not the order they came in)."""
    return round_.anonymise_bidders and current_user.has_role(Role.EVALUATOR)


def _parameter_rows(round_: CommissioningRound) -> list[dict[str, str]]:
    chosen = round_.parameters or {}
    return [
        {
            "name": humanise(item.name),
            "value": value_text(chosen.get(item.name, item.parameter.value)),
            "unit": item.parameter.unit or "" if item.kind == "number" else "",
            "origin": "Set for this round" if item.name in chosen else "Framework default",
        }
        for item in setting_inputs(round_framework(round_))
    ]


def _weight_rows(round_: CommissioningRound) -> list[dict[str, str]]:
    chosen = round_.pillar_weights or {}
    return [
        {
            "title": pillar.title,
            "weight": value_text(chosen.get(pillar.id, pillar.weight)),
            "bounds": f"{value_text(pillar.min_weight)} to {value_text(pillar.max_weight)}",
        }
        for pillar in round_framework(round_).award.pillars
    ]


@bp.route("/rounds/<int:id>/settings", methods=["GET", "POST"])
@managers_only
def round_settings(id: int) -> ResponseReturnValue:
    round_ = round_or_404(id)
    frozen = round_admin.settings_frozen_reason(round_)
    if frozen:
        status = 409 if request.method == "POST" else 200
        return render_template("commissioning/settings_frozen.html", round=round_, reason=frozen), (
            status
        )
    framework = round_framework(round_)
    form_class = settings_form_class(round_.framework_version.content_hash, framework)
    form = form_class(
        data=initial_values(framework, round_.parameters or {}, round_.pillar_weights)
    )
    refusal = None
    if form.validate_on_submit():
        try:
            round_admin.update_settings(
                round_, form.parameter_values(), form.weight_values(), by=current_user
            )
        except RoundChangeError as error:
            refusal = str(error)
        else:
            flash("Round settings saved", "success")
            return redirect(url_for("commissioning.round", id=round_.id))
    extra = form.weights_error_items()
    if refusal:
        extra.append({"text": refusal, "href": f"#{form.weight_fields[0].id}"})
    errors = error_list(form, extra)
    return render_template(
        "commissioning/round_settings.html",
        round=round_,
        form=form,
        errors=errors,
        weights_error=form.weights_error or refusal,
        form_has_errors=bool(errors),
    )


@bp.route("/rounds/<int:id>/invitations", methods=["GET", "POST"])
@managers_only
def invitations(id: int) -> ResponseReturnValue:
    round_ = round_or_404(id)
    organisations = round_admin.provider_organisations()
    form = InvitationsForm(data={"organisations": sorted(round_admin.invited_ids(round_))})
    form.set_organisations(organisations)
    refusal = None
    if form.validate_on_submit():
        try:
            round_admin.set_invitations(round_, form.organisations.data or [], by=current_user)
        except RoundChangeError as error:
            refusal = str(error)
        else:
            flash("Invitations saved", "success")
            return redirect(url_for("commissioning.round", id=round_.id))
    if refusal:
        form.organisations.errors = [refusal]
    errors = error_list(form)
    return render_template(
        "commissioning/invitations.html",
        round=round_,
        form=form,
        has_organisations=bool(organisations),
        errors=errors,
        form_has_errors=bool(errors),
        closed=round_state(round_) == RoundState.CLOSED,
    ), (409 if refusal else 200)


@bp.route("/rounds/<int:id>/publish", methods=["GET", "POST"])
@managers_only
def publish(id: int) -> ResponseReturnValue:
    round_ = round_or_404(id)
    form = ConfirmForm()
    refusal = round_admin.publish_refusal(round_)
    if form.validate_on_submit():
        try:
            round_admin.publish_round(round_, by=current_user)
        except RoundChangeError as error:
            refusal = str(error)
        else:
            flash(f"Round {round_.reference} published: providers can now see it", "success")
            return redirect(url_for("commissioning.round", id=round_.id))
    status = 409 if request.method == "POST" else 200
    return render_template(
        "commissioning/publish.html",
        round=round_,
        form=form,
        refusal=refusal,
        framework_version=round_.framework_version,
    ), status
