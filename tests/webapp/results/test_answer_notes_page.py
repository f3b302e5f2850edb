"""A required answer missing from a stored bid is not a quiet 0 on the results page: the
round's notes say which bid, which question and what it cost."""

from __future__ import annotations

from tests.webapp.award_world import AwardWorld
from tests.webapp.board.states import evaluated, page_text
from tests.webapp.conftest import parse_page
from webapp.extensions import db


def test_a_missing_required_answer_is_a_note_on_the_results_page(award: AwardWorld) -> None:
    evaluated(award)
    with award.app.app_context():
        bid = award.bid("hollin-brook")
        answers = dict(bid.answers)
        del answers["sv_local_jobs"]
        bid.answers = answers
        db.session.commit()

    response = award.client_for(award.commissioner).get(
        f"/commissioning/rounds/{award.round_id}/results"
    )

    assert response.status_code == 200
    assert parse_page(response).duplicate_ids == []
    assert (
        "Bid Hollin Brook Care Co-operative: the answer to “Local jobs” is missing; it scored 0 of"
    ) in page_text(response)
