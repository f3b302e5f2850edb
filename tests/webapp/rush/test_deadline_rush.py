"""The deadline rush, small: 20 providers press *Submit* at once around the deadline, in threads.

Each thread is one provider's browser with its own connection and database session, all
released together. Every request's clock reads the moment its provider pressed the button (a
thread-local time), so some arrive just before the deadline and some just after. Correctness
only: each in-time submission is stored exactly once, each late one is refused and leaves the
draft, double clicks store nothing twice, and the audit chain still verifies. Timing is for
`bench/bench_rush.py`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import DEFAULT_PASSWORD
from tests.webapp.provider.bidding import CLOSES_AT, NOW, BidWorld
from webapp.audit.log import verify_log
from webapp.extensions import db
from webapp.models import AuditEvent, Bid, BidStatus, EvidenceFile, Role, User

PROVIDERS = 20
LATE_EVERY = 4  # every fourth provider presses the button after the deadline
DOUBLE_CLICK_EVERY = 5  # and every fifth presses it twice
HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|version)"[^>]*value="([^"]*)"')


@dataclass
class Browser:
    number: int
    bid_id: int
    clients: list[FlaskClient]
    pressed_at: datetime
    form: dict[str, str] = field(default_factory=dict)
    responses: list[TestResponse] = field(default_factory=list)

    @property
    def in_time(self) -> bool:
        return self.pressed_at < CLOSES_AT


def _clone_bids(app: Flask, template_id: int, users: list[User]) -> list[int]:
    """Copies of a complete draft (answers and documents), one per user's organisation."""
    with app.app_context():
        template = db.session.get(Bid, template_id)
        assert template is not None
        documents = db.session.scalars(
            sa.select(EvidenceFile).where(EvidenceFile.bid_id == template_id)
        ).all()
        ids = []
        for user in users:
            assert user.organisation_id is not None
            bid = Bid(
                round_id=template.round_id,
                organisation_id=user.organisation_id,
                status=BidStatus.DRAFT.value,
                answers=dict(template.answers),
            )
            db.session.add(bid)
            db.session.flush()
            for document in documents:
                db.session.add(
                    EvidenceFile(
                        sha256=document.sha256,
                        filename=document.filename,
                        content_type=document.content_type,
                        size=document.size,
                        organisation_id=user.organisation_id,
                        bid_id=bid.id,
                        criterion_id=document.criterion_id,
                        uploaded_by_id=user.id,
                    )
                )
            ids.append(bid.id)
        db.session.commit()
        return ids


def _signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _twin(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second tab of the same browser: the same session cookie, its own connection."""
    twin = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    twin.set_cookie("session", cookie.value)
    return twin


def test_twenty_providers_submitting_around_the_deadline(app: Flask, world: BidWorld) -> None:
    round_id = world.round()
    first = world.provider()
    first_bid = world.start(round_id)
    world.complete(first_bid)
    others = [
        world.make_user(Role.PROVIDER, password=DEFAULT_PASSWORD) for _ in range(PROVIDERS - 1)
    ]
    bid_ids = [first_bid, *_clone_bids(app, first_bid, others)]
    users = [first, *others]

    browsers = []
    for number, (user, bid_id) in enumerate(zip(users, bid_ids, strict=True)):
        late = number % LATE_EVERY == LATE_EVERY - 1
        # In time: 1 to 20 ms before the deadline; late: at it or up to 19 ms after.
        offset = timedelta(milliseconds=number) if late else -timedelta(milliseconds=number + 1)
        client = _signed_in(app, user)
        page = client.get(f"/provider/bids/{bid_id}/check").get_data(as_text=True)
        clients = [client]
        if number % DOUBLE_CLICK_EVERY == 0:
            clients.append(_twin(app, client))  # opened with the same page's session
        browser = Browser(number, bid_id, clients, CLOSES_AT + offset)
        browser.form = {**_hidden(page), "confirm": "y", "full_name": f"Director {number}"}
        browsers.append(browser)

    pressed = threading.local()
    app.config["CLOCK"] = lambda: getattr(pressed, "at", NOW)
    presses = [(browser, client) for browser in browsers for client in browser.clients]
    start = threading.Barrier(len(presses))
    failures: list[BaseException] = []
    lock = threading.Lock()

    def press(browser: Browser, client: FlaskClient) -> None:
        try:
            pressed.at = browser.pressed_at
            start.wait(timeout=30)
            response = client.post(f"/provider/bids/{browser.bid_id}/submit", data=browser.form)
            with lock:
                browser.responses.append(response)
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)

    threads = [threading.Thread(target=press, args=pair) for pair in presses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    app.config["CLOCK"] = lambda: CLOSES_AT + timedelta(hours=1)

    on_time = [browser for browser in browsers if browser.in_time]
    late = [browser for browser in browsers if not browser.in_time]
    assert on_time
    assert late
    assert any(len(b.clients) == 2 for b in on_time)
    assert any(len(b.clients) == 2 for b in late)
    with app.app_context():
        events = dict(
            db.session.execute(
                sa.select(AuditEvent.subject, sa.func.count(AuditEvent.id))
                .where(AuditEvent.action == "bid.submitted")
                .group_by(AuditEvent.subject)
            ).all()
        )
        stored = {bid.id: bid for bid in db.session.scalars(sa.select(Bid))}
        report = verify_log()
    for browser in on_time:
        assert len(browser.responses) == len(browser.clients)
        for response in browser.responses:
            assert response.status_code == 302, (browser.number, response.status_code)
            assert response.headers["Location"].endswith(f"/bids/{browser.bid_id}/receipt")
        bid = stored[browser.bid_id]
        assert bid.status == BidStatus.SUBMITTED.value
        assert bid.reference is not None
        assert bid.reference.endswith(f"-B{bid.id}-1")
        assert bid.submitted_received_at is not None
        assert bid.submitted_received_at.replace(tzinfo=UTC) == browser.pressed_at
        assert events.get(f"bid:{bid.id}") == 1
    for browser in late:
        for response in browser.responses:
            assert response.status_code == 302
            assert response.headers["Location"].endswith(f"/provider/bids/{browser.bid_id}")
        page = " ".join(
            browser.clients[0]
            .get(f"/provider/bids/{browser.bid_id}")
            .get_data(as_text=True)
            .split()
        )
        assert "Your bid was not submitted. Your draft has been kept." in page
        bid = stored[browser.bid_id]
        assert bid.status == BidStatus.DRAFT.value
        assert bid.reference is None
        assert f"bid:{bid.id}" not in events
    assert sum(events.values()) == len(on_time)  # no duplicates anywhere
    assert report.ok


def _hidden(page: str) -> dict[str, str]:
    """The check page's CSRF token and bid version, as the browser would post them."""
    return dict(HIDDEN.findall(page))
