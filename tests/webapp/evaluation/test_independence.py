"""Independent marking: nobody sees another evaluator's marks for a bid before submitting
their own; anonymised rounds never show the bidder's name; hidden price stays hidden; and
`marking_complete` says what is left before the results can go to the board."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.webapp.award_world import EVALUATED, AwardWorld
from tests.webapp.evaluation.journey import (
    bid_url,
    criterion_url,
    declare,
    mark,
    mark_bid,
    round_url,
    submit,
)
from tests.webapp.forms_helper import post_form
from webapp.extensions import db
from webapp.models import CommissioningRound, RoundEvaluator
from webapp.services.evaluation import bid_label, evaluation_bids, marking_complete

SECRET = "Daniel's private reasoning about this bid's staffing plan."


def pages_before_submitting(award: AwardWorld, key: str) -> list[str]:
    return [
        round_url(award),
        bid_url(award, key),
        criterion_url(award, key, EVALUATED[0]),
        criterion_url(award, key, EVALUATED[-1]),
        bid_url(award, key, "/check"),
        bid_url(award, key, "/panel"),
    ]


def test_no_peeking_at_other_evaluators_marks_before_submitting(award: AwardWorld) -> None:
    grace, daniel = award.evaluators[:2]
    daniel_client = award.client_for(daniel)
    declare(daniel_client, award)
    for criterion_id in EVALUATED:
        response = mark(daniel_client, award, "kestrel", criterion_id, 1)
        assert response.status_code == 302
    # Daniel's justification for one criterion is his secret; submit it.
    post_form(
        daniel_client,
        criterion_url(award, "kestrel", EVALUATED[0]),
        {"points": "1", "justification": SECRET},
    )
    assert submit(daniel_client, award, "kestrel").status_code == 302

    grace_client = award.client_for(grace)
    declare(grace_client, award)
    mark(grace_client, award, "kestrel", EVALUATED[0], 4)
    for path in pages_before_submitting(award, "kestrel"):
        html = grace_client.get(path).get_data(as_text=True)
        assert SECRET not in html, path
        assert "Daniel Hughes" not in html, path
    panel = grace_client.get(bid_url(award, "kestrel", "/panel"))
    assert panel.status_code == 403
    assert "only after you have submitted your own" in panel.get_data(as_text=True)

    mark_bid(grace_client, award, "kestrel", points=4)
    submit(grace_client, award, "kestrel")
    panel = grace_client.get(bid_url(award, "kestrel", "/panel"))
    html = panel.get_data(as_text=True)
    assert panel.status_code == 200
    assert SECRET.replace("'", "&#39;") in html
    assert "Grace Okafor (you)" in html
    assert "Daniel Hughes" in html
    assert "Wide spread" in html  # 4 against 1, threshold 2


def test_the_panel_leaves_out_a_conflicted_evaluators_marks(award: AwardWorld) -> None:
    grace, daniel = award.evaluators[:2]
    daniel_client = award.client_for(daniel)
    declare(daniel_client, award)
    mark_bid(daniel_client, award, "kestrel", points=1)
    submit(daniel_client, award, "kestrel")
    declare(daniel_client, award, {"kestrel": "Found out my cousin runs their rota."})
    grace_client = award.client_for(grace)
    declare(grace_client, award)
    mark_bid(grace_client, award, "kestrel", points=4)
    submit(grace_client, award, "kestrel")
    html = grace_client.get(bid_url(award, "kestrel", "/panel")).get_data(as_text=True)
    assert "Daniel Hughes" not in html
    assert "Wide spread" not in html


@pytest.fixture
def anonymous_award(app: Flask) -> Iterator[AwardWorld]:
    return AwardWorld(app, anonymise=True, hide_price=True)


def test_an_anonymised_round_never_names_the_bidder(anonymous_award: AwardWorld) -> None:
    award = anonymous_award
    client = award.client_for(award.evaluators[0])
    conflicts = client.get(f"{round_url(award)}/conflicts").get_data(as_text=True)
    assert "Kestrel" in conflicts  # you cannot declare a conflict with a name you do not see
    declare(client, award)
    with award.app.app_context():
        round_ = db.session.get(CommissioningRound, award.round_id)
        ordered = evaluation_bids(round_)
        labels = {b.id: bid_label(round_, b) for b in ordered}
        organisation_names = [b.organisation.name for b in ordered]
    assert [labels[b] for b in labels] == ["Bid A", "Bid B", "Bid C", "Bid D"]
    paths = [round_url(award)]
    for key in award.bid_ids:
        paths += [
            bid_url(award, key),
            criterion_url(award, key, EVALUATED[0]),
            bid_url(award, key, "/check"),
        ]
    for path in paths:
        html = client.get(path).get_data(as_text=True)
        for name in organisation_names:
            assert name not in html, (path, name)
    bid_page = client.get(bid_url(award, "kestrel")).get_data(as_text=True)
    label = labels[award.bid_ids["kestrel"]]
    assert f"<title>{label}:" in bid_page.replace("\n", "").replace("    ", "")
    # Price is hidden too.
    assert "What hourly rate will you charge" not in bid_page


def test_labels_do_not_follow_submission_order(anonymous_award: AwardWorld) -> None:
    award = anonymous_award
    with award.app.app_context():
        round_ = db.session.get(CommissioningRound, award.round_id)
        ordered = [b.id for b in evaluation_bids(round_)]
        again = [b.id for b in evaluation_bids(round_)]
    assert ordered == again
    assert sorted(ordered) == sorted(award.bid_ids.values())


def test_price_shows_when_the_round_does_not_hide_it(award: AwardWorld) -> None:
    client = award.client_for(award.evaluators[0])
    declare(client, award)
    html = client.get(bid_url(award, "kestrel")).get_data(as_text=True)
    assert "What hourly rate will you charge" in html
    assert "Kestrel" in html


def test_marking_complete_lists_what_is_left(award: AwardWorld) -> None:
    def reasons() -> list[str]:
        with award.app.app_context():
            return marking_complete(db.session.get(CommissioningRound, award.round_id))

    assert reasons() == [
        f"{e.name} has not declared conflicts of interest."
        for e in sorted(award.evaluators, key=lambda e: e.name)
    ]
    award.mark_all()
    assert reasons() == []
    # A conflict leaves a bid one evaluator short: still complete, the others marked it.
    client = award.client_for(award.evaluators[0])
    declare(client, award, {"kestrel": "A former employer of mine."})
    assert reasons() == []


def test_marking_is_incomplete_while_a_sheet_is_missing(award: AwardWorld) -> None:
    for evaluator in award.evaluators:
        award.declare_no_conflicts(evaluator)
    client = award.client_for(award.evaluators[0])
    mark_bid(client, award, "kestrel")
    submit(client, award, "kestrel")
    with award.app.app_context():
        round_ = db.session.get(CommissioningRound, award.round_id)
        found = marking_complete(round_)
        graces = [r for r in found if r.startswith("Grace Okafor has not submitted marks")]
        assert len(graces) == 3
        assert not any("Kestrel" in r and "Grace" in r for r in found)
        assert len(found) == 3 + 4 + 4


def test_a_bid_nobody_may_mark_is_reported(award: AwardWorld) -> None:
    for evaluator in award.evaluators:
        client = award.client_for(evaluator)
        declare(client, award, {"kestrel": "We all trained together there."})
    with award.app.app_context():
        round_ = db.session.get(CommissioningRound, award.round_id)
        found = marking_complete(round_)
        assert any(r.startswith("Nobody without a conflict of interest marks") for r in found)
        db.session.execute(db.delete(RoundEvaluator))
        db.session.commit()
        assert marking_complete(round_) == ["No evaluators are assigned to this round."]
