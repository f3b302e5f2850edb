"""Evaluators' rounds and conflicts of interest: who may see what, declaring for every
bidder at once, and a declared conflict removing the evaluator from that bid."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.webapp.award_world import CLOSES_AT, EVALUATED, AwardWorld
from tests.webapp.conftest import parse_page
from tests.webapp.evaluation.journey import (
    bid_url,
    criterion_url,
    declare,
    mark_bid,
    round_url,
    submit,
)
from tests.webapp.forms_helper import csrf_token_in, post_form
from webapp.extensions import db
from webapp.models import AuditEvent, CommissioningRound, ConflictDeclaration, RoundEvaluator
from webapp.services.results import round_inputs


def test_an_evaluator_sees_their_rounds_and_what_is_left_to_do(award: AwardWorld) -> None:
    client = award.client_for(award.evaluators[0])
    html = client.get("/evaluation/").get_data(as_text=True)
    assert "CW-2027-0001: Homecare, Lot 1" in html
    assert "Declare conflicts of interest" in html
    declare(client, award)
    assert "Mark 4 bids" in client.get("/evaluation/").get_data(as_text=True)


def test_other_roles_are_refused_every_evaluator_page(award: AwardWorld) -> None:
    paths = [
        "/evaluation/",
        round_url(award),
        f"{round_url(award)}/conflicts",
        bid_url(award, "kestrel"),
        criterion_url(award, "kestrel", EVALUATED[0]),
        bid_url(award, "kestrel", "/check"),
        bid_url(award, "kestrel", "/panel"),
    ]
    for user in (award.commissioner, award.admin, award.board, award.providers["kestrel"]):
        client = award.client_for(user)
        assert [client.get(p).status_code for p in paths] == [403] * len(paths)
    anonymous = award.app.test_client()
    assert anonymous.get(round_url(award)).status_code == 302


def test_an_evaluator_not_assigned_to_the_round_finds_nothing(award: AwardWorld) -> None:
    mei = award.evaluators[2]
    with award.app.app_context():
        db.session.execute(db.delete(RoundEvaluator).where(RoundEvaluator.user_id == mei.id))
        db.session.commit()
    client = award.client_for(mei)
    assert "not assigned to evaluate any round" in client.get("/evaluation/").get_data(as_text=True)
    for path in (round_url(award), f"{round_url(award)}/conflicts", bid_url(award, "kestrel")):
        assert client.get(path).status_code == 404
    assert client.get("/evaluation/rounds/999").status_code == 404


def test_before_the_deadline_bids_are_sealed(award: AwardWorld) -> None:
    award.now = CLOSES_AT - timedelta(hours=2)
    client = award.client_for(award.evaluators[0])
    response = client.get(round_url(award))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bids are sealed until 1 April 2027 at midday" in html
    assert "Kestrel" not in html
    assert client.get(f"{round_url(award)}/conflicts").status_code == 404
    assert client.get(bid_url(award, "kestrel")).status_code == 404


def test_the_conflicts_page_names_every_bidder(award: AwardWorld) -> None:
    award_names = ["Hollin Brook", "Lantern", "Kestrel", "Meridian Crest"]
    response = award.client_for(award.evaluators[0]).get(f"{round_url(award)}/conflicts")
    page = parse_page(response)
    html = response.get_data(as_text=True)
    assert page.h1s == ["Declare conflicts of interest"]
    assert not page.duplicate_ids
    for name in award_names:
        assert name in html
    assert "govuk-radios__conditional" in html


def test_every_bidder_must_be_answered_and_conflicts_need_details(award: AwardWorld) -> None:
    client = award.client_for(award.evaluators[0])
    kestrel, meridian = award.bid_ids["kestrel"], award.bid_ids["meridian-crest"]
    data = {f"bid_{award.bid_ids['hollin-brook']}": "no", f"bid_{kestrel}": "yes"}
    response = post_form(client, f"{round_url(award)}/conflicts", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert parse_page(response).title.startswith("Error: ")
    assert f'href="#details_{kestrel}"' in html
    assert f'href="#bid_{meridian}"' in html
    assert "Enter details of your conflict of interest with" in html
    assert "Select whether you have a conflict of interest with" in html
    # Answers are kept.
    assert f'name="bid_{kestrel}" type="radio" value="yes" checked' in html
    assert award.rows(ConflictDeclaration) == []


def test_declaring_records_every_answer_and_an_audit_event(award: AwardWorld) -> None:
    grace = award.evaluators[0]
    client = award.client_for(grace)
    response = declare(client, award, {"kestrel": "I was their finance director until 2025."})
    assert response.status_code == 302
    rows = award.rows(ConflictDeclaration, evaluator_id=grace.id)
    assert len(rows) == 4
    conflicted = [r for r in rows if r.has_conflict]
    assert [r.bid_id for r in conflicted] == [award.bid_ids["kestrel"]]
    assert conflicted[0].details == "I was their finance director until 2025."
    [event] = award.rows(AuditEvent, action="coi.declared")
    assert event.actor_id == grace.id
    assert event.after_digest is not None
    html = client.get(round_url(award)).get_data(as_text=True)
    assert "Removed: conflict declared" in html
    assert html.count("Not started") == 3


def test_opening_a_bid_without_a_declaration_is_refused(award: AwardWorld) -> None:
    client = award.client_for(award.evaluators[0])
    opened = client.get(bid_url(award, "kestrel"))
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"{round_url(award)}/conflicts")
    assert client.get(criterion_url(award, "kestrel", EVALUATED[0])).status_code == 302
    posted = post_form(
        client,
        criterion_url(award, "kestrel", EVALUATED[0]),
        {"points": "3", "justification": "An attempt to mark before declaring."},
        token_from=f"{round_url(award)}/conflicts",
    )
    assert posted.status_code == 403
    assert "Declare any conflicts of interest" in posted.get_data(as_text=True)
    assert award.rows(AuditEvent, action="marks.saved") == []


def test_a_conflicted_evaluator_cannot_open_or_mark_that_bid(award: AwardWorld) -> None:
    client = award.client_for(award.evaluators[0])
    declare(client, award, {"kestrel": "My partner is on their board."})
    for path in (
        bid_url(award, "kestrel"),
        criterion_url(award, "kestrel", EVALUATED[0]),
        bid_url(award, "kestrel", "/check"),
        bid_url(award, "kestrel", "/panel"),
    ):
        response = client.get(path)
        assert response.status_code == 403
        assert "You declared a conflict of interest" in response.get_data(as_text=True)
    posted = post_form(
        client,
        criterion_url(award, "kestrel", EVALUATED[0]),
        {"points": "3", "justification": "Trying to mark despite the conflict."},
        token_from=round_url(award) + "/conflicts",
    )
    assert posted.status_code == 403
    assert client.get(bid_url(award, "lantern-trust")).status_code == 200


def test_a_conflict_declared_after_submitting_removes_those_marks(award: AwardWorld) -> None:
    grace = award.evaluators[0]
    client = award.client_for(grace)
    declare(client, award)
    mark_bid(client, award, "kestrel", points=5)
    assert submit(client, award, "kestrel").status_code == 302

    def graces_marks() -> int:
        with award.app.app_context():
            round_ = db.session.get(CommissioningRound, award.round_id)
            inputs = round_inputs(round_)
            reference = next(r for r, b in inputs.rows.items() if b.id == award.bid_ids["kestrel"])
            return sum(
                1
                for marks in inputs.marks.get(reference, {}).values()
                for m in marks.marks
                if m.evaluator == grace.name
            )

    assert graces_marks() == len(EVALUATED)
    declared = declare(client, award, {"kestrel": "I have just learnt my nephew works there."})
    assert declared.status_code == 302
    assert graces_marks() == 0
    assert len(award.rows(AuditEvent, action="coi.declared")) == 2


@pytest.mark.parametrize("stage", ["with_board", "awarded"])
def test_declarations_cannot_change_after_the_results_go_to_the_board(
    award: AwardWorld, stage: str
) -> None:
    award.mark_all()
    client = award.client_for(award.evaluators[0])
    conflicts = f"{round_url(award)}/conflicts"
    token_page = client.get(conflicts)
    assert token_page.status_code == 200
    award.submit_to_board() if stage == "with_board" else award.approve()
    shown = client.get(conflicts).get_data(as_text=True)
    assert 'id="locked"' in shown
    assert "<form" not in shown.split("<main")[1]
    data = {f"bid_{b}": "no" for b in award.bid_ids.values()}
    data["csrf_token"] = csrf_token_in(token_page.get_data(as_text=True)) or ""
    response = client.post(conflicts, data=data)
    assert response.status_code == 409
    assert "The results are with the board" in response.get_data(as_text=True) or (
        "The board has approved the award" in response.get_data(as_text=True)
    )
    assert len(award.rows(ConflictDeclaration)) == 12
