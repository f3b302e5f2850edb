"""The moderation table: who may see it, what it counts, and what it puts first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.webapp.award_world import CLOSES_AT, EVALUATED, AwardWorld
from tests.webapp.conftest import parse_page
from tests.webapp.moderation.pages import CRITERION, row_for, table_rows, table_url, text_of
from webapp.extensions import db
from webapp.models import ConflictDeclaration, MarkSheet, MarkSheetStatus


@pytest.mark.parametrize("who", ["commissioner", "admin"])
def test_moderators_see_the_table(award: AwardWorld, who: str) -> None:
    award.mark_all()
    response = award.client_for(getattr(award, who)).get(table_url(award))
    page = parse_page(response)
    assert page.status_code == 200
    assert page.h1s == ["Moderation"]
    assert not page.duplicate_ids


@pytest.mark.parametrize("who", ["evaluator", "board", "provider"])
def test_other_roles_are_refused(award: AwardWorld, who: str) -> None:
    user = {
        "evaluator": award.evaluators[0],
        "board": award.board,
        "provider": award.providers["kestrel"],
    }[who]
    assert award.client_for(user).get(table_url(award)).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(award: AwardWorld) -> None:
    response = award.app.test_client().get(table_url(award))
    assert response.status_code == 302
    assert "sign-in" in response.headers["Location"]


def test_before_the_deadline_there_is_nothing_to_moderate(award: AwardWorld) -> None:
    award.now = CLOSES_AT - timedelta(minutes=1)
    assert award.client_for(award.commissioner).get(table_url(award)).status_code == 404


def test_unknown_round_is_not_found(award: AwardWorld) -> None:
    response = award.client_for(award.commissioner).get("/commissioning/rounds/999/moderation")
    assert response.status_code == 404


def test_wide_spread_is_flagged_in_words_and_listed_first(award: AwardWorld) -> None:
    last = EVALUATED[-1]
    award.mark_all(spread={("kestrel", last): (1, 2, 4)})
    html = award.client_for(award.commissioner).get(table_url(award)).get_data(as_text=True)
    text = text_of(html)
    assert "Spread 3: moderation needed" in text
    assert "1 mark needs moderation." in text
    rows = table_rows(html)
    assert "Spread 3: moderation needed" in rows[0]
    assert "Kestrel" in rows[0]
    assert last in rows[0]
    assert all("moderation needed" not in row for row in rows[1:])


def test_threshold_is_the_rounds_own(award: AwardWorld) -> None:
    award.mark_all(spread={("kestrel", CRITERION): (2, 3, 4)})
    client = award.client_for(award.commissioner)
    assert "Spread 2: moderation needed" in text_of(client.get(table_url(award)).get_data(True))
    with award.app.app_context():
        award.round().spread_threshold = 3
        db.session.commit()
    text = text_of(client.get(table_url(award)).get_data(as_text=True))
    assert "moderation needed" not in text
    assert "No marks need moderation." in text


def test_filter_shows_only_rows_needing_moderation(award: AwardWorld) -> None:
    award.mark_all(spread={("kestrel", CRITERION): (1, 3, 4)})
    client = award.client_for(award.commissioner)
    everything = client.get(table_url(award)).get_data(as_text=True)
    needed = client.get(table_url(award, "needed")).get_data(as_text=True)
    assert len(table_rows(needed)) == 1
    assert "Spread 3: moderation needed" in table_rows(needed)[0]
    assert len(table_rows(everything)) > 1


def test_moderated_wide_spread_no_longer_needs_moderation(award: AwardWorld) -> None:
    award.mark_all(spread={("kestrel", CRITERION): (1, 3, 4)})
    award.moderate("kestrel", CRITERION, 3, "Agreed at panel.")
    text = text_of(award.client_for(award.commissioner).get(table_url(award)).get_data(True))
    assert "Spread 3: moderated" in text
    assert "No marks need moderation." in text


def test_conflicted_evaluator_and_draft_sheets_are_left_out(award: AwardWorld) -> None:
    award.mark_all(spread={("kestrel", CRITERION): (0, 3, 5)})
    with award.app.app_context():
        db.session.add(
            ConflictDeclaration(
                round_id=award.round_id,
                evaluator_id=award.evaluators[0].id,
                bid_id=award.bid_ids["kestrel"],
                has_conflict=True,
                details="Former employer",
                declared_at=award.now,
            )
        )
        sheet = db.session.scalars(
            db.select(MarkSheet).filter_by(
                bid_id=award.bid_ids["kestrel"], evaluator_id=award.evaluators[2].id
            )
        ).one()
        sheet.status = MarkSheetStatus.DRAFT.value
        db.session.commit()
    html = award.client_for(award.commissioner).get(table_url(award)).get_data(as_text=True)
    row = row_for(html, "Kestrel", CRITERION)
    assert "Daniel Hughes: 3" in row
    assert "Grace Okafor" not in row
    assert "Mei Lin" not in row
    assert "Spread 0" in row


def test_table_says_when_results_are_with_the_board(award: AwardWorld) -> None:
    award.mark_all()
    award.submit_to_board()
    html = award.client_for(award.commissioner).get(table_url(award)).get_data(as_text=True)
    assert "moderated marks cannot change now" in text_of(html)
    assert ">View<" in html
    assert ">Moderate<" not in html
