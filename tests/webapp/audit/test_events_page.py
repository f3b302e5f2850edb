"""A round's events page: who may read it, what it shows, its pages, sealed bids, a broken log."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests.webapp.audit.trail import drop_append_only_triggers, execute
from tests.webapp.award_world import CLOSES_AT, AwardWorld
from tests.webapp.conftest import parse_page
from webapp.audit.log import record
from webapp.extensions import db
from webapp.models import AuditEvent, CommissioningRound, RoundStatus, User


def url(award: AwardWorld, page: int | str | None = None) -> str:
    base = f"/commissioning/rounds/{award.round_id}/events"
    return base if page is None else f"{base}?page={page}"


def text_of(response: TestResponse) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def numbers_shown(response: TestResponse) -> list[int]:
    html = response.get_data(as_text=True)
    return [int(n) for n in re.findall(r'<tr class="govuk-table__row" id="event-(\d+)">', html)]


def add_events(app: Flask, award: AwardWorld, count: int, *, actor: User | None = None) -> None:
    with app.app_context():
        round_ = award.round()
        person = db.session.get(User, (actor or award.commissioner).id)
        for number in range(1, count + 1):
            record(
                "marks.submitted",
                actor=person,
                subject=f"mark_sheet:{number}",
                summary=f"Marks {number} submitted",
                round_=round_,
                before={"status": "draft"},
                after={"status": "submitted", "number": number},
            )
        db.session.commit()


def add_bid_submission(app: Flask, award: AwardWorld) -> None:
    with app.app_context():
        bid = award.bid("kestrel")
        provider = db.session.get(User, award.providers["kestrel"].id)
        record(
            "bid.submitted",
            actor=provider,
            subject=f"bid:{bid.id}",
            summary=f"Bid {bid.reference} submitted by {bid.organisation.name}",
            round_=award.round(),
            after={"status": "submitted"},
        )
        db.session.commit()


# --- who may read it ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["commissioner", "admin", "board"])
def test_commissioners_admins_and_the_board_read_a_closed_rounds_events(
    app: Flask, award: AwardWorld, who: str
) -> None:
    add_events(app, award, 2)

    response = award.client_for(getattr(award, who)).get(url(award))

    page = parse_page(response)
    assert page.status_code == 200
    assert page.h1s == ["Audit trail"]
    assert page.title.startswith("Audit trail: Homecare, Lot 1 –")
    assert page.duplicate_ids == []
    assert numbers_shown(response) == [2, 1]


@pytest.mark.parametrize("who", ["evaluator", "provider"])
def test_evaluators_and_providers_are_refused(app: Flask, award: AwardWorld, who: str) -> None:
    add_events(app, award, 1)
    user = award.evaluators[0] if who == "evaluator" else award.providers["kestrel"]

    response = award.client_for(user).get(url(award))

    assert response.status_code == 403
    assert "Marks 1 submitted" not in response.get_data(as_text=True)


def test_the_board_cannot_read_a_round_that_has_not_closed(app: Flask, award: AwardWorld) -> None:
    add_events(app, award, 1)
    award.now = CLOSES_AT - timedelta(seconds=1)

    assert award.client_for(award.board).get(url(award)).status_code == 403
    assert award.client_for(award.commissioner).get(url(award)).status_code == 200


def test_signing_in_is_asked_for_first(award: AwardWorld) -> None:
    response = award.app.test_client().get(url(award))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("page", ["0", "2", "two", "-1"])
def test_a_page_that_does_not_exist_is_not_found(app: Flask, award: AwardWorld, page: str) -> None:
    add_events(app, award, 3)
    assert award.client_for(award.commissioner).get(url(award, page)).status_code == 404


def test_an_unknown_round_is_not_found(award: AwardWorld) -> None:
    response = award.client_for(award.commissioner).get("/commissioning/rounds/999/events")
    assert response.status_code == 404


# --- what it shows ------------------------------------------------------------------------------


def test_each_event_shows_who_what_when_and_its_digests(app: Flask, award: AwardWorld) -> None:
    add_events(app, award, 1)

    response = award.client_for(award.commissioner).get(url(award))

    body = text_of(response)
    assert "Audit log verified: 1 event, chain intact" in body
    assert "Priya Shah <commissioner1@example.org> (commissioner)" in body
    assert "Marks submitted" in body  # the action's label, not its code
    assert "mark_sheet:1" in body
    assert "Marks 1 submitted" in body
    assert "2 April 2027 at 11:00am" in body  # 10:00 UTC is 11:00 in London (summer time)
    (event,) = award.rows(AuditEvent)
    html = response.get_data(as_text=True)
    assert f'title="{event.after_digest}"' in html
    assert event.after_digest.removeprefix("sha256:")[:12] in html  # type: ignore[union-attr]
    assert '<time datetime="2027-04-02T10:00:00+00:00">' in html


def test_only_the_rounds_own_events_are_listed_but_the_whole_log_is_checked(
    app: Flask, award: AwardWorld
) -> None:
    add_events(app, award, 2)
    with app.app_context():
        other = CommissioningRound(
            reference="CW-2027-0002",
            title="Another round",
            service="homecare",
            framework_version_id=award.round().framework_version_id,
            parameters={},
            opens_at=CLOSES_AT,
            closes_at=CLOSES_AT + timedelta(days=30),
            status=RoundStatus.DRAFT.value,
        )
        db.session.add(other)
        db.session.flush()
        record("round.created", actor=None, subject="round:other", summary="Other", round_=other)
        db.session.commit()

    response = award.client_for(award.commissioner).get(url(award))

    assert numbers_shown(response) == [2, 1]
    assert "Audit log verified: 3 events, chain intact" in text_of(response)


def test_events_come_fifty_to_a_page_newest_first(app: Flask, award: AwardWorld) -> None:
    add_events(app, award, 120)
    client = award.client_for(award.commissioner)

    first, last = client.get(url(award)), client.get(url(award, 3))

    assert numbers_shown(first) == list(range(120, 70, -1))
    assert numbers_shown(last) == list(range(20, 0, -1))
    assert "Events 1 to 50 of 120, newest first" in text_of(first)
    assert "Events 101 to 120 of 120, newest first" in text_of(last)
    assert url(award, 2) in parse_page(first).links
    assert 'aria-current="page"' in last.get_data(as_text=True)
    assert parse_page(last).title.startswith("Audit trail: Homecare, Lot 1 (page 3 of 3)")
    assert "govuk-pagination" in parse_page(first).classes


def test_a_round_with_no_events_says_so(award: AwardWorld) -> None:
    response = award.client_for(award.commissioner).get(url(award))
    assert "Nothing has been recorded for this round yet." in text_of(response)
    assert "govuk-pagination" not in parse_page(response).classes


def test_who_bid_is_withheld_until_the_deadline(app: Flask, award: AwardWorld) -> None:
    add_bid_submission(app, award)
    client = award.client_for(award.commissioner)
    award.now = CLOSES_AT - timedelta(minutes=5)

    sealed = text_of(client.get(url(award)))
    award.now = CLOSES_AT
    unsealed = text_of(client.get(url(award)))

    assert "Bid submitted" in sealed
    assert "Withheld until the deadline" in sealed
    assert "Kestrel" not in sealed
    assert "(provider)" not in sealed
    assert "Withheld until the deadline" not in unsealed
    assert "Kestrel" in unsealed


# --- a broken log -------------------------------------------------------------------------------


def test_a_tampered_log_is_shown_broken_at_the_first_changed_event(
    app: Flask, award: AwardWorld
) -> None:
    add_events(app, award, 4)
    drop_append_only_triggers(app)
    execute(app, "UPDATE audit_event SET summary = 'Marks quietly changed' WHERE seq = 2")

    response = award.client_for(award.commissioner).get(url(award))

    assert response.status_code == 200
    body = text_of(response)
    assert "Audit log broken at event 2" in body
    assert "its content does not match its hash" in body
    assert "chain intact" not in body
