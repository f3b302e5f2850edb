"""Agreeing a moderated mark: the page, saving, history, refusals and locks."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.award_world import EVALUATED, AwardWorld
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import csrf_token_in, post_form
from tests.webapp.moderation.pages import CRITERION, client_with_token, mark_url, text_of
from webapp.models import AuditEvent, Moderation
from webapp.services.rounds import round_framework

SPREAD = {("kestrel", CRITERION): (1, 3, 4)}


@pytest.fixture
def marked(award: AwardWorld) -> AwardWorld:
    award.mark_all(spread=SPREAD)
    return award


def test_page_shows_question_answer_and_every_evaluators_mark(marked: AwardWorld) -> None:
    response = marked.client_for(marked.commissioner).get(mark_url(marked, "kestrel"))
    page = parse_page(response)
    assert page.status_code == 200
    assert not page.duplicate_ids
    text = text_of(response.get_data(as_text=True))
    with marked.app.app_context():
        criterion = round_framework(marked.round()).criteria[CRITERION]
        answer = str(marked.bid("kestrel").answers[CRITERION])
    assert criterion.prompt in text
    assert text_of(answer)[:60] in text
    for evaluator, points in zip(marked.evaluators, SPREAD[("kestrel", CRITERION)], strict=True):
        assert f"{evaluator.name}: marked {points} on the evidence." in text
    assert "3 points: moderation needed" in text
    # The scale's descriptors are the choices.
    assert "0: Unacceptable" in text
    assert 'name="points"' in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["evaluator", "board", "provider"])
def test_other_roles_cannot_moderate(marked: AwardWorld, who: str) -> None:
    user = {
        "evaluator": marked.evaluators[0],
        "board": marked.board,
        "provider": marked.providers["kestrel"],
    }[who]
    client, token = client_with_token(marked, user)
    assert client.get(mark_url(marked, "kestrel")).status_code == 403
    data = {"csrf_token": token, "points": "3", "rationale": "Mine"}
    assert client.post(mark_url(marked, "kestrel"), data=data).status_code == 403
    assert marked.rows(Moderation) == []


def test_signed_out_posts_change_nothing(marked: AwardWorld) -> None:
    client, token = client_with_token(marked, None)
    data = {"csrf_token": token, "points": "3", "rationale": "Mine"}
    response = client.post(mark_url(marked, "kestrel"), data=data)
    assert response.status_code == 302
    assert "sign-in" in response.headers["Location"]
    assert marked.rows(Moderation) == []


def test_price_criterion_and_unknown_bids_are_not_found(marked: AwardWorld) -> None:
    client = marked.client_for(marked.commissioner)
    assert client.get(mark_url(marked, "kestrel", "pr_hourly_rate")).status_code == 404
    assert client.get(mark_url(marked, "kestrel", "no_such_question")).status_code == 404
    other = f"/commissioning/rounds/{marked.round_id}/moderation/9999/{CRITERION}"
    assert client.get(other).status_code == 404


def test_saving_adds_a_moderation_and_an_audit_event(marked: AwardWorld) -> None:
    client = marked.client_for(marked.admin)
    response = post_form(
        client, mark_url(marked, "kestrel"), {"points": "3", "rationale": "Agreed at panel."}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/rounds/{marked.round_id}/moderation")
    [row] = marked.rows(Moderation)
    assert (row.bid_id, row.criterion_id, row.points) == (marked.bid_ids["kestrel"], CRITERION, 3)
    assert row.rationale == "Agreed at panel."
    assert row.moderator_id == marked.admin.id
    [event] = marked.rows(AuditEvent, action="moderation.recorded")
    assert event.subject == f"moderation:{row.id}"
    assert event.before_digest is None
    assert event.after_digest


def test_a_second_moderation_keeps_the_history_newest_first(marked: AwardWorld) -> None:
    client = marked.client_for(marked.commissioner)
    url = mark_url(marked, "kestrel")
    post_form(client, url, {"points": "2", "rationale": "First view: thin evidence."})
    post_form(client, url, {"points": "4", "rationale": "Second view: evidence re-read."})
    rows = marked.rows(Moderation)
    assert [r.points for r in sorted(rows, key=lambda r: r.id)] == [2, 4]
    html = client.get(url).get_data(as_text=True)
    history = text_of(html.split('id="history"', 1)[1].split("</table>", 1)[0])
    assert history.index("Second view") < history.index("First view")
    assert "Counts" in history
    assert "Replaced" in history
    assert history.index("Counts") < history.index("Replaced")
    # The evaluators' own marks stay on the page beside the moderated one.
    assert "Grace Okafor: marked 1 on the evidence." in text_of(html)
    events = marked.rows(AuditEvent, action="moderation.recorded")
    assert len(events) == 2
    assert events[1].before_digest == events[0].after_digest


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rationale": "Agreed."}, "Select the moderated mark"),
        ({"points": "9", "rationale": "Agreed."}, "Select a mark on the scale, from 0 to 5"),
        ({"points": "three", "rationale": "Agreed."}, "Select a mark on the scale, from 0 to 5"),
        ({"points": "3", "rationale": "   "}, "Enter the rationale for the moderated mark"),
    ],
)
def test_invalid_moderation_is_refused_with_answers_kept(
    marked: AwardWorld, data: dict[str, str], message: str
) -> None:
    client = marked.client_for(marked.commissioner)
    response = post_form(client, mark_url(marked, "kestrel"), data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert parse_page(response).title.startswith("Error: ")
    if data.get("rationale", "").strip():
        assert data["rationale"] in html
    assert marked.rows(Moderation) == []


def test_any_evaluated_criterion_can_be_moderated_without_a_wide_spread(
    marked: AwardWorld,
) -> None:
    client = marked.client_for(marked.commissioner)
    url = mark_url(marked, "hollin-brook", EVALUATED[-1])
    response = post_form(client, url, {"points": "5", "rationale": "Outstanding evidence."})
    assert response.status_code == 302
    assert [r.points for r in marked.rows(Moderation)] == [5]


def test_moderation_is_refused_while_with_the_board(marked: AwardWorld) -> None:
    client = marked.client_for(marked.commissioner)
    url = mark_url(marked, "kestrel")
    token_page = client.get(url).get_data(as_text=True)
    assert 'name="csrf_token"' in token_page
    marked.submit_to_board()
    page = client.get(url).get_data(as_text=True)
    assert "The results are with the board" in page
    assert 'name="points"' not in page
    response = _post_with_token(client, url, token_page)
    assert response.status_code == 409
    assert "The results are with the board" in response.get_data(as_text=True)
    assert marked.rows(Moderation) == []


def test_edits_after_award_are_refused(marked: AwardWorld) -> None:
    marked.moderate("kestrel", CRITERION, 3, "Agreed at panel.")
    client = marked.client_for(marked.commissioner)
    url = mark_url(marked, "kestrel")
    token_page = client.get(url).get_data(as_text=True)
    marked.approve()
    page = client.get(url).get_data(as_text=True)
    assert "The board has approved the award" in page
    assert "Agreed at panel." in page  # the history stays readable
    response = _post_with_token(client, url, token_page)
    assert response.status_code == 409
    assert "moderation and price decisions are final" in response.get_data(as_text=True)
    assert [r.points for r in marked.rows(Moderation)] == [3]


def _post_with_token(client: FlaskClient, url: str, page: str) -> TestResponse:
    """POST a change with the token of a page opened before the round was locked."""
    token = csrf_token_in(page)
    return client.post(url, data={"csrf_token": token, "points": "5", "rationale": "Late change"})
