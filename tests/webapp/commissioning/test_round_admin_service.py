"""The round administration service on its own: roles, references, sealing, frozen settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from flask import Flask

from tests.webapp.commissioning.conftest import NOW, MakeRound
from webapp.extensions import db
from webapp.models import CommissioningRound, FrameworkVersion, Role, User
from webapp.services import round_admin
from webapp.services.round_admin import (
    BidsSealedError,
    NewRound,
    NotAllowedError,
    RoundChangeError,
)

MakeUser = Callable[..., User]


def new_round(version: FrameworkVersion, **changes: object) -> NewRound:
    values: dict[str, object] = {
        "title": "Supported living",
        "service": "supported_living",
        "description": None,
        "framework_version_id": version.id,
        "opens_at": NOW + timedelta(days=1),
        "closes_at": NOW + timedelta(days=30),
        "invite_only": False,
    }
    values.update(changes)
    return NewRound(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.BOARD, Role.PROVIDER])
def test_only_commissioners_and_admins_may_change_rounds(
    app: Flask,
    make_user: MakeUser,
    make_round: MakeRound,
    builtin_version: FrameworkVersion,
    clock: dict,
    role: Role,
):
    user = make_user(role)
    round_ = make_round(invite_only=True)

    with app.app_context():
        stored = db.session.get(CommissioningRound, round_.id)
        with pytest.raises(NotAllowedError):
            round_admin.create_round(new_round(builtin_version), by=user)
        with pytest.raises(NotAllowedError):
            round_admin.update_settings(stored, {}, {}, by=user)
        with pytest.raises(NotAllowedError):
            round_admin.set_invitations(stored, [], by=user)
        with pytest.raises(NotAllowedError):
            round_admin.publish_round(stored, by=user)
        with pytest.raises(NotAllowedError):
            round_admin.upload_framework(b"id: x", "x.yaml", by=user)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"service": "gardening"}, "There is no service called 'gardening'"),
        ({"framework_version_id": 9999}, "The selected framework does not exist"),
        ({"closes_at": NOW + timedelta(hours=12)}, "The closing time must be after the opening"),
        (
            {"opens_at": NOW - timedelta(days=2), "closes_at": NOW},
            "The closing time must be in the future",
        ),
    ],
)
def test_the_service_refuses_a_round_the_form_would_not_send(
    app: Flask,
    make_user: MakeUser,
    builtin_version: FrameworkVersion,
    clock: dict,
    changes: dict[str, object],
    message: str,
):
    user = make_user(Role.COMMISSIONER)

    with app.app_context(), pytest.raises(RoundChangeError, match=message):
        round_admin.create_round(new_round(builtin_version, **changes), by=user)


def test_references_are_numbered_per_opening_year_in_london(
    app: Flask, make_user: MakeUser, builtin_version: FrameworkVersion, clock: dict
):
    user = make_user(Role.ADMIN)
    # 31 December 2027 at 23:30 UTC is still 2027 in London (GMT); BST never reaches December.
    new_year_eve = NOW.replace(year=2027, month=12, day=31, hour=23, minute=30)

    with app.app_context():
        first = round_admin.create_round(new_round(builtin_version), by=user)
        second = round_admin.create_round(new_round(builtin_version), by=user)
        late = round_admin.create_round(
            new_round(
                builtin_version, opens_at=new_year_eve, closes_at=new_year_eve + timedelta(days=1)
            ),
            by=user,
        )
        next_year = round_admin.next_reference(2028)
        references = (first.reference, second.reference, late.reference)

    assert references == (
        "CW-2027-001",
        "CW-2027-002",
        "CW-2027-003",
    )
    assert next_year == "CW-2028-001"


def test_submitted_bids_stay_sealed_until_the_deadline(
    app: Flask, open_round: CommissioningRound, make_bid: Callable[..., int], clock: dict
):
    make_bid(open_round, "Sealed Care Ltd")

    with app.app_context():
        stored = db.session.get(CommissioningRound, open_round.id)
        assert round_admin.submitted_bid_count(stored) == 1
        with pytest.raises(BidsSealedError):
            round_admin.submitted_bids(stored)
        clock["now"] = open_round.closes_at.replace(tzinfo=UTC)
        assert [b.organisation.name for b in round_admin.submitted_bids(stored)] == [
            "Sealed Care Ltd"
        ]


def test_settings_refused_by_the_engine_change_nothing(
    app: Flask, make_user: MakeUser, make_round: MakeRound, clock: dict
):
    user = make_user(Role.COMMISSIONER)
    round_ = make_round()
    weights = {"quality": Decimal(40), "fair_work_ownership": Decimal(30), "price": Decimal(30)}

    with app.app_context():
        stored = db.session.get(CommissioningRound, round_.id)
        with pytest.raises(RoundChangeError, match="must add up to 100"):
            round_admin.update_settings(stored, {}, weights, by=user)
        assert db.session.get(CommissioningRound, round_.id).pillar_weights is None


def test_open_rounds_refuse_new_settings(
    app: Flask, make_user: MakeUser, open_round: CommissioningRound, clock: dict
):
    user = make_user(Role.COMMISSIONER)

    with app.app_context():
        stored = db.session.get(CommissioningRound, open_round.id)
        with pytest.raises(RoundChangeError, match="open for bids, so its settings are frozen"):
            round_admin.update_settings(stored, {}, {}, by=user)
