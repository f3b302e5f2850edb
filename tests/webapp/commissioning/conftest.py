"""Fixtures for the commissioning pages: staff of each role, rounds, bids and a fixed clock."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webapp.extensions import db
from webapp.models import (
    Bid,
    BidStatus,
    CommissioningRound,
    FrameworkVersion,
    Organisation,
    Role,
    RoundStatus,
    User,
)
from webapp.services.frameworks import latest_builtin

NOW = datetime(2027, 1, 11, 10, 0, tzinfo=UTC)
"""Where the tests stand: a Monday in January 2027 (London is on GMT)."""

MakeRound = Callable[..., CommissioningRound]


@pytest.fixture
def clock(app: Flask) -> Iterator[dict[str, datetime]]:
    """Stand the app at `NOW`; change `clock["now"]` to move time."""
    moment = {"now": NOW}
    app.config["CLOCK"] = lambda: moment["now"]
    yield moment
    app.config.pop("CLOCK", None)


@pytest.fixture
def as_role(
    clock: dict[str, datetime], make_user: Callable[..., User], sign_in: Callable[..., FlaskClient]
) -> Callable[[Role], FlaskClient]:
    """Sign a new user of `role` in to the test client and return the client."""

    def sign(role: Role) -> FlaskClient:
        return sign_in(make_user(role))

    return sign


@pytest.fixture
def builtin_version(app: Flask) -> FrameworkVersion:
    with app.app_context():
        version = latest_builtin()
        db.session.commit()
        db.session.refresh(version)
        db.session.expunge(version)
        return version


@pytest.fixture
def make_round(app: Flask, builtin_version: FrameworkVersion) -> MakeRound:
    """A round stored directly: a draft opening a week after `NOW` and closing a month later."""
    counter = iter(range(1, 1000))

    def make(**fields: Any) -> CommissioningRound:
        number = next(counter)
        values: dict[str, Any] = {
            "reference": f"CW-2027-{900 + number}",
            "title": f"Homecare round {number}",
            "service": "homecare",
            "framework_version_id": builtin_version.id,
            "parameters": {},
            "opens_at": NOW + timedelta(days=7),
            "closes_at": NOW + timedelta(days=37),
            "invite_only": False,
            "status": RoundStatus.DRAFT.value,
        }
        values.update(fields)
        with app.app_context():
            round_ = CommissioningRound(**values)
            db.session.add(round_)
            db.session.commit()
            db.session.refresh(round_)
            db.session.expunge(round_)
            return round_

    return make


@pytest.fixture
def open_round(make_round: MakeRound) -> CommissioningRound:
    """A published round accepting bids at `NOW`."""
    return make_round(
        status=RoundStatus.PUBLISHED.value,
        opens_at=NOW - timedelta(days=3),
        closes_at=NOW + timedelta(days=3),
        published_at=NOW - timedelta(days=4),
    )


@pytest.fixture
def make_bid(app: Flask) -> Callable[..., int]:
    """A bid from a new organisation called `name`, stored directly; returns the bid's id."""

    def make(round_: CommissioningRound, name: str, **fields: Any) -> int:
        with app.app_context():
            organisation = Organisation(name=name)
            db.session.add(organisation)
            db.session.flush()
            values: dict[str, Any] = {
                "round_id": round_.id,
                "organisation_id": organisation.id,
                "status": BidStatus.SUBMITTED.value,
                "answers": {},
                "reference": f"{round_.reference}-B{organisation.id:03d}",
                "submitted_at": as_stored(round_.opens_at) + timedelta(hours=1),
            }
            values.update(fields)
            bid = Bid(**values)
            db.session.add(bid)
            db.session.commit()
            return bid.id

    return make


def as_stored(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def reload_round(app: Flask, round_id: int) -> CommissioningRound:
    with app.app_context():
        round_ = db.session.get(CommissioningRound, round_id)
        assert round_ is not None
        _ = round_.invitations, round_.framework_version
        db.session.expunge_all()
        return round_


_SUMMARY = re.compile(r'<div class="govuk-error-summary".*?</ul>', re.S)
_LINK = re.compile(r'<a href="(#[^"]+)">(.*?)</a>', re.S)


def error_links(html: str) -> list[tuple[str, str]]:
    """The error summary's (href, text) pairs, in page order."""
    summary = _SUMMARY.search(html)
    if summary is None:
        return []
    return [(href, " ".join(unescape(text).split())) for href, text in _LINK.findall(summary[0])]


def input_value(html: str, name: str) -> str | None:
    """The value attribute of the first <input> named `name`."""
    for tag in re.findall(r"<input\b[^>]*>", html):
        if f'name="{name}"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return unescape(found.group(1)) if found else ""
    return None
