"""Each change made through the pages appends exactly one event, by the right person, to the
right round, with digests of the state before and after; refused changes append nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from criteria.catalogue import builtin_frameworks
from tests.webapp.audit.trail import log_is_intact, stored_events
from tests.webapp.commissioning.conftest import MakeRound
from tests.webapp.forms_helper import csrf_token_of, post_form
from tests.webapp.provider.bidding import CLOSES_AT, BidWorld
from webapp.audit.chain import digest
from webapp.audit.snapshots import bid_snapshot, round_snapshot
from webapp.commissioning.settings_form import initial_values
from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    Bid,
    CommissioningRound,
    FrameworkVersion,
    Organisation,
    Role,
    User,
)
from webapp.services import round_admin


@pytest.fixture
def commissioner(
    clock: dict[str, datetime],
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
) -> tuple[User, FlaskClient]:
    user = make_user(Role.COMMISSIONER)
    return user, sign_in(user)


def stored_bid_digest(app: Flask, bid_id: int) -> str | None:
    with app.app_context():
        bid = db.session.get(Bid, bid_id)
        assert bid is not None
        return digest(bid_snapshot(bid))


def stored_round_digest(app: Flask, round_id: int, **extra: Any) -> str | None:
    with app.app_context():
        round_ = db.session.get(CommissioningRound, round_id)
        assert round_ is not None
        return digest({**round_snapshot(round_), **extra})


# --- bids ---------------------------------------------------------------------------------------


def test_submitting_a_bid_records_one_event_by_the_provider(app: Flask, world: BidWorld) -> None:
    provider = world.provider()
    round_id = world.round()
    bid_id = world.start(round_id)
    world.complete(bid_id)
    assert stored_events(app) == []  # starting and saving a draft are not audited changes

    assert world.submit(bid_id).status_code == 302

    (event,) = stored_events(app)
    assert (event.seq, event.action, event.actor_id, event.round_id, event.subject) == (
        1,
        "bid.submitted",
        provider.id,
        round_id,
        f"bid:{bid_id}",
    )
    bid = world.bid(bid_id)
    with app.app_context():
        organisation = db.session.get(Organisation, bid.organisation_id)
        assert organisation is not None
        name = organisation.name
    assert event.summary == (
        f"Bid {bid.reference} submitted by {name}, declaration signed by ⟦user:{provider.id}⟧"
    )
    assert event.actor == f"user:{provider.id} ({Role.PROVIDER.value})"  # no name, no email
    assert event.after_digest == stored_bid_digest(app, bid_id)
    assert event.before_digest not in (None, event.after_digest)
    assert log_is_intact(app)


def test_withdrawing_and_submitting_again_records_each_change_in_order(
    app: Flask, world: BidWorld
) -> None:
    provider = world.provider()
    round_id = world.round()
    bid_id = world.start(round_id)
    world.complete(bid_id)
    world.submit(bid_id)
    submitted_digest = stored_bid_digest(app, bid_id)

    assert world.post(f"/provider/bids/{bid_id}/withdraw", {}).status_code == 302
    withdrawn_digest = stored_bid_digest(app, bid_id)
    assert world.submit(bid_id).status_code == 302

    events = stored_events(app, round_id=round_id)
    assert [(e.seq, e.action) for e in events] == [
        (1, "bid.submitted"),
        (2, "bid.withdrawn"),
        (3, "bid.submitted"),
    ]
    withdrawn = events[1]
    assert withdrawn.actor_id == provider.id
    assert (withdrawn.before_digest, withdrawn.after_digest) == (submitted_digest, withdrawn_digest)
    assert "withdrawn" in withdrawn.summary
    assert events[2].summary.startswith(f"Bid {world.bid(bid_id).reference} submitted")
    assert events[2].after_digest == stored_bid_digest(app, bid_id)
    assert log_is_intact(app)


def test_a_refused_submission_or_withdrawal_records_nothing(app: Flask, world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    world.save(bid_id, "price")
    page = f"/provider/bids/{bid_id}/sections/price"
    refused = world.post(
        f"/provider/bids/{bid_id}/submit", {"confirm": "y", "full_name": "A"}, page=page
    )
    assert refused.status_code == 302  # back to the task list, with the reason
    assert world.bid(bid_id).status == "draft"
    world.post(f"/provider/bids/{bid_id}/withdraw", {}, page=page)

    assert stored_events(app) == []


def test_a_submission_after_the_deadline_records_nothing(app: Flask, world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    _, check_page = world.page(f"/provider/bids/{bid_id}/check")
    world.at(CLOSES_AT)

    response = world.post(
        f"/provider/bids/{bid_id}/submit",
        {"confirm": "y", "full_name": "Alex Jones"},
        opened=check_page,
    )

    assert response.status_code != 302 or "deadline" in world.client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert world.bid(bid_id).status == "draft"
    assert stored_events(app) == []


# --- rounds ---------------------------------------------------------------------------------------


def test_creating_a_round_records_its_settings_as_created(
    app: Flask, commissioner: tuple[User, FlaskClient], builtin_version: FrameworkVersion
) -> None:
    user, client = commissioner
    form = {
        "title": "Homecare in the east of the borough",
        "service": "homecare",
        "framework_version": str(builtin_version.id),
        "opens_on": ["1", "3", "2027"],
        "opens_time": "9am",
        "closes_on": ["3", "3", "2027"],
        "closes_time": "12:00",
        "invite_only": "no",
    }

    assert post_form(client, "/commissioning/rounds/new", form).status_code == 302

    (event,) = stored_events(app)
    with app.app_context():
        round_ = db.session.scalars(sa.select(CommissioningRound)).one()
        reference, round_id = round_.reference, round_.id
    assert (event.action, event.actor_id, event.round_id, event.subject) == (
        "round.created",
        user.id,
        round_id,
        f"round:{round_id}",
    )
    assert event.summary == (
        f"Round {reference} (Homecare in the east of the borough) created as a draft"
    )
    assert event.before_digest is None
    assert event.after_digest == stored_round_digest(app, round_id)


def settings_form(**changes: str) -> dict[str, Any]:
    form: dict[str, Any] = initial_values(builtin_frameworks()[0], {}, None)
    form["param_local_postcode_districts"] = "WN1, WN2"
    form.update(changes)
    return form


def test_changing_settings_records_what_changed_and_an_unchanged_save_records_nothing(
    app: Flask, commissioner: tuple[User, FlaskClient], make_round: MakeRound
) -> None:
    user, client = commissioner
    draft = make_round()
    url = f"/commissioning/rounds/{draft.id}/settings"
    first = settings_form()
    second = settings_form(param_real_living_wage="14.80", weight_quality="50", weight_price="10")

    assert post_form(client, url, first).status_code == 302
    assert post_form(client, url, second).status_code == 302
    assert post_form(client, url, second).status_code == 302  # the same values again

    events = stored_events(app)
    assert [(e.action, e.actor_id, e.round_id) for e in events] == [
        ("round.settings_changed", user.id, draft.id),
        ("round.settings_changed", user.id, draft.id),
    ]
    assert "social_value weight" in events[0].summary  # set for the round for the first time
    assert events[0].before_digest == digest({"parameters": {}, "pillar_weights": None})
    assert events[1].summary == (
        f"Settings of round {draft.reference} changed: parameter real_living_wage, "
        "price weight, quality weight"
    )
    assert events[1].before_digest == events[0].after_digest
    with app.app_context():
        stored = db.session.get(CommissioningRound, draft.id)
        assert stored is not None
        after = {"parameters": stored.parameters, "pillar_weights": stored.pillar_weights}
    assert events[1].after_digest == digest(after)


def test_settings_the_engine_refuses_roll_back_with_no_event(
    app: Flask, commissioner: tuple[User, FlaskClient], make_round: MakeRound
) -> None:
    user, _ = commissioner
    draft = make_round()
    with app.app_context():
        round_ = db.session.get(CommissioningRound, draft.id)
        person = db.session.get(User, user.id)
        assert round_ is not None
        assert person is not None
        weights = {"quality": Decimal(90), "fair_work_ownership": Decimal(10)}
        with pytest.raises(round_admin.RoundChangeError):
            round_admin.update_settings(round_, {}, weights, by=person)

    assert stored_events(app) == []
    with app.app_context():
        assert db.session.get(CommissioningRound, draft.id).pillar_weights is None  # type: ignore[union-attr]


def test_changing_invitations_records_who_was_added_and_removed(
    app: Flask, commissioner: tuple[User, FlaskClient], make_round: MakeRound
) -> None:
    user, client = commissioner
    draft = make_round(invite_only=True)
    with app.app_context():
        ids = {}
        for name in ("Wigan Care Co-operative", "Leigh Home Support CIC"):
            organisation = Organisation(name=name)
            db.session.add(organisation)
            db.session.flush()
            ids[name] = organisation.id
        db.session.commit()
    url = f"/commissioning/rounds/{draft.id}/invitations"

    post_form(client, url, {"organisations": list(ids.values())})
    post_form(client, url, {"organisations": [ids["Leigh Home Support CIC"]]})
    post_form(client, url, {"organisations": [ids["Leigh Home Support CIC"]]})  # no change

    events = stored_events(app)
    assert [(e.action, e.actor_id, e.round_id) for e in events] == [
        ("round.invitations_changed", user.id, draft.id),
        ("round.invitations_changed", user.id, draft.id),
    ]
    assert events[0].summary == (
        f"2 invited to round {draft.reference}; "
        "added: Leigh Home Support CIC, Wigan Care Co-operative"
    )
    assert events[1].summary == (
        f"1 invited to round {draft.reference}; removed: Wigan Care Co-operative"
    )
    assert events[1].before_digest == events[0].after_digest
    assert log_is_intact(app)


def test_publishing_records_the_framework_version_by_content_hash(
    app: Flask, commissioner: tuple[User, FlaskClient], make_round: MakeRound
) -> None:
    user, client = commissioner
    draft = make_round()
    url = f"/commissioning/rounds/{draft.id}/publish"

    assert post_form(client, url, {}).status_code == 302
    again = client.post(
        url,
        data={"csrf_token": csrf_token_of(client, f"/commissioning/rounds/{draft.id}/settings")},
    )
    assert again.status_code == 409  # already published: refused, nothing recorded

    (event,) = stored_events(app)
    with app.app_context():
        round_ = db.session.get(CommissioningRound, draft.id)
        assert round_ is not None
        content_hash = round_.framework_version.content_hash
    assert (event.action, event.actor_id, event.round_id) == ("round.published", user.id, draft.id)
    assert content_hash in event.summary
    assert event.after_digest == stored_round_digest(
        app, draft.id, framework_content_hash=content_hash
    )
    assert event.before_digest != event.after_digest


def test_an_event_never_outlives_a_rolled_back_change(
    app: Flask, make_round: MakeRound, make_user: Callable[..., User]
) -> None:
    from webapp.audit.log import record

    user = make_user(Role.COMMISSIONER)
    draft = make_round()
    with app.app_context():
        round_ = db.session.get(CommissioningRound, draft.id)
        person = db.session.get(User, user.id)
        assert round_ is not None
        round_.title = "Renamed"
        record(
            "round.settings_changed", actor=person, subject="round:1", summary="x", round_=round_
        )
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 1
        db.session.rollback()

    assert stored_events(app) == []
    with app.app_context():
        assert db.session.get(CommissioningRound, draft.id).title != "Renamed"  # type: ignore[union-attr]


def test_an_unknown_action_is_refused_before_anything_is_written(app: Flask) -> None:
    from webapp.audit.log import record

    with app.app_context(), pytest.raises(ValueError, match=r"unknown audit action 'bid\.eaten'"):
        record("bid.eaten", actor=None, subject="bid:1", summary="x")
