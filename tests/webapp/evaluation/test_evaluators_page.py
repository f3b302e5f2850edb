"""The commissioner's evaluators page: assigning evaluators to sections, the evaluation
settings, progress, and the refusals (wrong role, removing someone who has marked, after the
results went to the board)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.webapp.award_world import CLOSES_AT, AwardWorld
from tests.webapp.conftest import parse_page
from tests.webapp.evaluation.journey import declare, mark_bid, submit
from tests.webapp.forms_helper import csrf_token_of, post_form
from webapp.extensions import db
from webapp.models import AuditEvent, CommissioningRound, RoundEvaluator, User
from webapp.services.evaluation import evaluator_progress
from webapp.services.evaluation_setup import SetupRefusedError, assign_evaluators


def page_url(award: AwardWorld) -> str:
    return f"/commissioning/rounds/{award.round_id}/evaluators"


def settings_url(award: AwardWorld) -> str:
    return f"{page_url(award)}/settings"


def keep_all(award: AwardWorld) -> dict[str, str]:
    """The assignment form's answers that leave every evaluator on every section."""
    return {f"evaluator_{e.id}": "all" for e in award.evaluators}


def assignments(award: AwardWorld) -> dict[int, list[str] | None]:
    return {r.user_id: r.section_ids for r in award.rows(RoundEvaluator, round_id=award.round_id)}


@pytest.mark.parametrize("who", ["commissioner", "admin"])
def test_managers_see_the_evaluators_and_their_progress(award: AwardWorld, who: str) -> None:
    award.declare_no_conflicts(award.evaluators[0])
    response = award.client_for(getattr(award, who)).get(page_url(award))
    page = parse_page(response)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.h1s == ["Evaluators"]
    assert not page.duplicate_ids
    for evaluator in award.evaluators:
        assert evaluator.name in html
    assert html.count("0 of 4 bids") == 3
    assert ">Yes<" in html.replace("\n", "").replace(" ", "")  # Grace has declared
    assert 'name="spread_threshold"' in html


def test_evaluators_board_and_providers_are_refused(award: AwardWorld) -> None:
    for user in (award.evaluators[0], award.board, award.providers["kestrel"]):
        assert award.client_for(user).get(page_url(award)).status_code == 403
    # A valid token (from a page the evaluator may use) does not get a change past the role.
    evaluator = award.client_for(award.evaluators[0])
    conflicts = f"/evaluation/rounds/{award.round_id}/conflicts"
    data = {f"evaluator_{award.evaluators[0].id}": "none"}
    for url in (page_url(award), settings_url(award)):
        assert post_form(evaluator, url, data, token_from=conflicts).status_code == 403
    assert len(assignments(award)) == 3
    assert award.app.test_client().get(page_url(award)).status_code == 302


def test_a_round_that_does_not_exist_is_not_found(award: AwardWorld) -> None:
    client = award.client_for(award.commissioner)
    assert client.get("/commissioning/rounds/999/evaluators").status_code == 404


def test_assigning_some_sections_and_removing_an_evaluator_is_audited(award: AwardWorld) -> None:
    grace, daniel, mei = award.evaluators
    client = award.client_for(award.commissioner)
    data = {
        f"evaluator_{grace.id}": "all",
        f"evaluator_{daniel.id}": "some",
        f"sections_{daniel.id}": ["quality"],
        f"evaluator_{mei.id}": "none",
    }
    response = post_form(client, page_url(award), data)
    assert response.status_code == 302
    assert assignments(award) == {grace.id: None, daniel.id: ["quality"]}
    [event] = award.rows(AuditEvent, action="round.evaluators_changed")
    assert event.actor_id == award.commissioner.id
    # People are named by id in the hashed summary, so erasing one never breaks the chain.
    assert f"⟦user:{grace.id}⟧" in event.summary
    assert "Grace Okafor" not in event.summary
    assert f"⟦user:{mei.id}⟧" not in event.summary
    assert event.before_digest != event.after_digest
    # The page offers only sections with criteria that evaluators mark: never price.
    html = client.get(page_url(award)).get_data(as_text=True)
    assert 'value="quality"' in html
    assert 'value="price"' not in html


def test_only_some_sections_needs_a_section_and_keeps_the_answers(award: AwardWorld) -> None:
    _grace, daniel, _mei = award.evaluators
    client = award.client_for(award.commissioner)
    data = {**keep_all(award), f"evaluator_{daniel.id}": "some"}
    response = post_form(client, page_url(award), data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert f'href="#sections_{daniel.id}"' in html
    assert "Select the sections Daniel Hughes evaluates" in html
    chosen = f'name="evaluator_{daniel.id}" type="radio" value="some" checked'
    assert chosen in html
    assert parse_page(response).title.startswith("Error: ")
    assert all(v is None for v in assignments(award).values())


def test_only_active_evaluators_can_be_assigned(award: AwardWorld) -> None:
    client = award.client_for(award.commissioner)
    data = {**keep_all(award), f"evaluator_{award.board.id}": "all"}
    post_form(client, page_url(award), data)
    assert award.board.id not in assignments(award)
    with award.app.app_context():
        round_ = db.session.get(CommissioningRound, award.round_id)
        commissioner = db.session.get(User, award.commissioner.id)
        with pytest.raises(SetupRefusedError, match="Only active evaluators"):
            assign_evaluators(round_, {award.board.id: None}, by=commissioner)
        mei = db.session.get(User, award.evaluators[2].id)
        mei.is_active = False
        db.session.commit()
        # Already assigned: may stay. Removed, then added again: refused.
        everyone = {e.id: None for e in award.evaluators}
        assign_evaluators(round_, everyone, by=commissioner)
        assign_evaluators(round_, {award.evaluators[0].id: None}, by=commissioner)
        with pytest.raises(SetupRefusedError, match="Only active evaluators"):
            assign_evaluators(round_, {mei.id: None}, by=commissioner)


def test_someone_who_has_submitted_marks_cannot_be_removed_or_moved(award: AwardWorld) -> None:
    grace = award.evaluators[0]
    evaluator = award.client_for(grace)
    declare(evaluator, award)
    mark_bid(evaluator, award, "kestrel")
    assert submit(evaluator, award, "kestrel").status_code == 302
    client = award.client_for(award.commissioner)

    removal = post_form(
        client, page_url(award), {**keep_all(award), f"evaluator_{grace.id}": "none"}
    )
    assert removal.status_code == 409
    assert "Grace Okafor has submitted marks for this round, so they cannot be removed." in (
        removal.get_data(as_text=True)
    )
    narrowed = post_form(
        client,
        page_url(award),
        {**keep_all(award), f"evaluator_{grace.id}": "some", f"sections_{grace.id}": ["quality"]},
    )
    assert narrowed.status_code == 409
    assert grace.id in assignments(award)
    assert assignments(award)[grace.id] is None
    # Removing someone who has not marked still works.
    other = post_form(
        client, page_url(award), {**keep_all(award), f"evaluator_{award.evaluators[2].id}": "none"}
    )
    assert other.status_code == 302
    assert award.evaluators[2].id not in assignments(award)


def test_settings_are_saved_and_audited(award: AwardWorld) -> None:
    client = award.client_for(award.admin)
    data = {
        "anonymise_bidders": "yes",
        "hide_price_from_evaluators": "yes",
        "spread_threshold": "3",
    }
    response = post_form(client, settings_url(award), data)
    assert response.status_code == 302
    with award.app.app_context():
        round_ = db.session.get(CommissioningRound, award.round_id)
        assert round_ is not None
        assert (round_.anonymise_bidders, round_.hide_price_from_evaluators) == (True, True)
        assert round_.spread_threshold == 3
    [event] = award.rows(AuditEvent, action="round.settings_changed")
    assert event.actor_id == award.admin.id


@pytest.mark.parametrize(
    ("spread", "message"),
    [
        ("0", "The spread must be a whole number from 1 to 5"),
        ("6", "The spread must be a whole number from 1 to 5"),
        ("two", "The spread must be a whole number, like 2"),
        ("", "Enter the spread, in points, that moderation highlights"),
    ],
)
def test_a_spread_outside_the_scale_is_refused(
    award: AwardWorld, spread: str, message: str
) -> None:
    client = award.client_for(award.commissioner)
    data = {
        "anonymise_bidders": "yes",
        "hide_price_from_evaluators": "no",
        "spread_threshold": spread,
    }
    response = post_form(client, settings_url(award), data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'href="#spread_threshold"' in html
    assert award.rows(AuditEvent, action="round.settings_changed") == []


def test_assignment_is_allowed_before_the_deadline(award: AwardWorld) -> None:
    award.now = CLOSES_AT - timedelta(days=3)
    client = award.client_for(award.commissioner)
    html = client.get(page_url(award)).get_data(as_text=True)
    assert "Not yet: bids are sealed" in html
    response = post_form(
        client, page_url(award), {**keep_all(award), f"evaluator_{award.evaluators[1].id}": "none"}
    )
    assert response.status_code == 302
    assert len(assignments(award)) == 2


@pytest.mark.parametrize("stage", ["with_board", "awarded"])
def test_nothing_changes_once_the_results_are_with_the_board(award: AwardWorld, stage: str) -> None:
    award.mark_all()
    client = award.client_for(award.commissioner)
    token = csrf_token_of(client, page_url(award))
    award.submit_to_board() if stage == "with_board" else award.approve()
    html = client.get(page_url(award)).get_data(as_text=True)
    assert "Save evaluators" not in html
    assert 'id="locked"' in html
    data = {**keep_all(award), "csrf_token": token, f"evaluator_{award.evaluators[2].id}": "none"}
    refused = client.post(page_url(award), data=data)
    assert refused.status_code == 409
    settings = client.post(
        settings_url(award),
        data={
            "csrf_token": token,
            "anonymise_bidders": "yes",
            "hide_price_from_evaluators": "no",
            "spread_threshold": "2",
        },
    )
    assert settings.status_code == 409
    assert len(assignments(award)) == 3
    assert award.rows(AuditEvent, action="round.evaluators_changed") == []


def test_progress_counts_conflicts_and_submitted_sheets(award: AwardWorld) -> None:
    grace = award.evaluators[0]
    client = award.client_for(grace)
    declare(client, award, {"meridian-crest": "My sister manages their Wigan branch."})
    mark_bid(client, award, "kestrel")
    submit(client, award, "kestrel")
    with award.app.app_context():
        round_ = db.session.get(CommissioningRound, award.round_id)
        progress = {p.evaluator.id: p for p in evaluator_progress(round_)}
        assert (progress[grace.id].declared, progress[grace.id].conflicts) == (True, 1)
        assert (progress[grace.id].submitted, progress[grace.id].expected) == (1, 3)
        assert progress[award.evaluators[1].id].declared is False
        assert isinstance(progress[grace.id].evaluator, User)
    html = award.client_for(award.commissioner).get(page_url(award)).get_data(as_text=True)
    assert "Yes, 1 conflict" in html
    assert "1 of 3 bids" in html
