"""Fixtures for personal data: a provider with a submitted bid, another provider, staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.audit.conftest import world  # noqa: F401  (the bid journey fixture)
from tests.webapp.commissioning.conftest import clock  # noqa: F401
from tests.webapp.provider.bidding import BidWorld
from webapp.extensions import db
from webapp.models import Organisation, Role, User


@dataclass
class People:
    app: Flask
    subject: User
    """A provider who is their organisation's contact and has submitted a bid."""
    colleague: User
    """Another provider user of the same organisation."""
    other: User
    """A provider of another organisation, with a bid in the same round."""
    admin: User
    commissioner: User
    bid_id: int
    other_bid_id: int

    def client_for(self, user: User) -> FlaskClient:
        client = self.app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client


@pytest.fixture
def people(app: Flask, world: BidWorld, make_user: Callable[..., User]) -> People:  # noqa: F811
    round_id = world.round()
    subject = world.provider(
        contact_name="Sam Subject", contact_email="sam.subject@example.org", contact_phone="0161"
    )
    with app.app_context():
        stored = db.session.get(User, subject.id)
        assert stored is not None
        stored.name, stored.email = "Sam Subject", "sam.subject@example.org"
        db.session.commit()
        db.session.refresh(stored)
        db.session.expunge(stored)
        subject = stored
    world.sign_in(subject)
    bid_id = world.start(round_id)
    world.complete(bid_id)
    assert world.submit(bid_id, name="Sam Subject").status_code == 302

    with app.app_context():
        organisation_id = subject.organisation_id
        assert db.session.get(Organisation, organisation_id) is not None
    colleague = make_user(Role.PROVIDER, organisation=_organisation(app, organisation_id))
    other = world.provider()
    other_bid_id = world.start(round_id)
    world.complete(other_bid_id)
    world.submit(other_bid_id, name="Olive Other")
    return People(
        app,
        subject,
        colleague,
        other,
        make_user(Role.ADMIN),
        make_user(Role.COMMISSIONER),
        bid_id,
        other_bid_id,
    )


def _organisation(app: Flask, organisation_id: int | None) -> Organisation:
    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        assert organisation is not None
        db.session.expunge(organisation)
        return organisation
