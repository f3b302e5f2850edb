"""Marking one criterion per page, checking and submitting, and the refusals: incomplete
sheets, changes after submitting, and edits once the results are with the board or awarded."""

from __future__ import annotations

import pytest

from tests.webapp.award_world import EVALUATED, AwardWorld
from tests.webapp.conftest import parse_page
from tests.webapp.evaluation.journey import (
    JUSTIFICATION,
    bid_url,
    criterion_url,
    declare,
    mark,
    mark_bid,
    round_url,
    submit,
)
from tests.webapp.forms_helper import csrf_token_in, post_form
from webapp.models import AuditEvent, EvaluatorMark, MarkSheet, MarkSheetStatus
from webapp.services.rounds import round_framework


@pytest.fixture
def declared(award: AwardWorld) -> AwardWorld:
    """Grace has declared no conflicts."""
    award.declare_no_conflicts(award.evaluators[0])
    return award


def test_the_criterion_page_shows_question_answer_and_scale(declared: AwardWorld) -> None:
    client = declared.client_for(declared.evaluators[0])
    response = client.get(criterion_url(declared, "kestrel", EVALUATED[0]))
    html = response.get_data(as_text=True)
    page = parse_page(response)
    assert response.status_code == 200
    assert not page.duplicate_ids
    assert f"question 1 of {len(EVALUATED)}" in html
    # The scale: every point with its label and descriptor.
    with declared.app.app_context():
        framework = round_framework(declared.round())
        scale = framework.scales["quality_0_5"]
        answer = declared.bid("kestrel").answers[EVALUATED[0]]
    for point in scale.points:
        assert f"{point.points}: {point.label}" in html
        assert point.descriptor.split()[0] in html
    assert str(answer).split()[0] in html
    assert "Why this mark" in html


def test_saving_a_mark_goes_to_the_next_criterion_then_the_check_page(declared: AwardWorld) -> None:
    client = declared.client_for(declared.evaluators[0])
    first = mark(client, declared, "kestrel", EVALUATED[0], 4)
    assert first.status_code == 302
    assert first.headers["Location"].endswith(criterion_url(declared, "kestrel", EVALUATED[1]))
    for criterion_id in EVALUATED[1:-1]:
        mark(client, declared, "kestrel", criterion_id)
    last = mark(client, declared, "kestrel", EVALUATED[-1])
    assert last.headers["Location"].endswith(bid_url(declared, "kestrel", "/check"))
    [sheet] = declared.rows(MarkSheet, evaluator_id=declared.evaluators[0].id)
    assert sheet.status == MarkSheetStatus.DRAFT.value
    marks = {m.criterion_id: m for m in declared.rows(EvaluatorMark, sheet_id=sheet.id)}
    assert set(marks) == set(EVALUATED)
    assert marks[EVALUATED[0]].points == 4
    assert marks[EVALUATED[0]].justification == JUSTIFICATION
    assert len(declared.rows(AuditEvent, action="marks.saved")) == len(EVALUATED)
    assert "In progress" in client.get(round_url(declared)).get_data(as_text=True)


def test_changing_a_draft_mark_replaces_it(declared: AwardWorld) -> None:
    client = declared.client_for(declared.evaluators[0])
    mark(client, declared, "kestrel", EVALUATED[0], 2)
    mark(client, declared, "kestrel", EVALUATED[0], 5)
    [row] = declared.rows(EvaluatorMark, criterion_id=EVALUATED[0])
    assert row.points == 5
    page = client.get(criterion_url(declared, "kestrel", EVALUATED[0])).get_data(as_text=True)
    assert 'value="5" checked' in page


@pytest.mark.parametrize(
    ("data", "anchor", "message"),
    [
        ({"justification": JUSTIFICATION}, "#points", "Select a mark"),
        ({"points": "3", "justification": ""}, "#justification", "Enter why you gave this mark"),
        ({"points": "3", "justification": "Good."}, "#justification", "between 20 and"),
        ({"points": "9", "justification": JUSTIFICATION}, "#points", "Not a valid choice"),
    ],
)
def test_a_mark_needs_a_point_on_the_scale_and_a_justification(
    declared: AwardWorld, data: dict[str, str], anchor: str, message: str
) -> None:
    client = declared.client_for(declared.evaluators[0])
    response = post_form(client, criterion_url(declared, "kestrel", EVALUATED[0]), data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="{anchor}"' in html
    assert message in html
    if data.get("justification"):
        assert data["justification"] in html  # the answer is kept
    assert declared.rows(EvaluatorMark) == []


def test_a_criterion_outside_the_evaluators_sections_is_not_found(declared: AwardWorld) -> None:
    client = declared.client_for(declared.evaluators[0])
    assert client.get(criterion_url(declared, "kestrel", "pr_hourly_rate")).status_code == 404
    assert client.get(bid_url(declared, "kestrel") + "/criteria/nope").status_code == 404
    assert client.get(f"{round_url(declared)}/bids/99999").status_code == 404


def test_submitting_is_refused_until_every_criterion_is_marked(declared: AwardWorld) -> None:
    client = declared.client_for(declared.evaluators[0])
    mark(client, declared, "kestrel", EVALUATED[0])
    check = client.get(bid_url(declared, "kestrel", "/check")).get_data(as_text=True)
    assert "You cannot submit your marks yet" in check
    assert "Submit marks" not in check
    response = post_form(
        client,
        bid_url(declared, "kestrel", "/check"),
        {},
        token_from=round_url(declared) + "/conflicts",
    )
    assert response.status_code == 409
    assert "Mark every question before you submit" in response.get_data(as_text=True)
    [sheet] = declared.rows(MarkSheet)
    assert sheet.status == MarkSheetStatus.DRAFT.value
    assert declared.rows(AuditEvent, action="marks.submitted") == []


def test_check_and_submit_makes_the_marks_final(declared: AwardWorld) -> None:
    grace = declared.evaluators[0]
    client = declared.client_for(grace)
    mark_bid(client, declared, "kestrel", points=4)
    check = client.get(bid_url(declared, "kestrel", "/check"))
    html = check.get_data(as_text=True)
    assert "Check your marks" in parse_page(check).h1s
    assert "Change" in html
    assert "4: " in html
    response = submit(client, declared, "kestrel")
    assert response.status_code == 302
    [sheet] = declared.rows(MarkSheet, evaluator_id=grace.id)
    assert sheet.status == MarkSheetStatus.SUBMITTED.value
    assert sheet.submitted_at is not None
    [event] = declared.rows(AuditEvent, action="marks.submitted")
    assert event.subject == f"mark_sheet:{sheet.id}"
    assert "Submitted" in client.get(round_url(declared)).get_data(as_text=True)
    # Final: the criterion page shows the mark read only and a later change is refused.
    page = client.get(criterion_url(declared, "kestrel", EVALUATED[0])).get_data(as_text=True)
    assert "You have submitted your marks for this bid" in page
    refused = post_form(
        client,
        criterion_url(declared, "kestrel", EVALUATED[0]),
        {"points": "1", "justification": "Changing my mind after submitting."},
        token_from=round_url(declared) + "/conflicts",
    )
    assert refused.status_code == 409
    assert {m.points for m in declared.rows(EvaluatorMark)} == {4}
    again = post_form(
        client,
        bid_url(declared, "kestrel", "/check"),
        {},
        token_from=round_url(declared) + "/conflicts",
    )
    assert again.status_code == 409
    assert len(declared.rows(AuditEvent, action="marks.submitted")) == 1


@pytest.mark.parametrize("stage", ["with_board", "awarded"])
def test_edits_after_the_results_go_to_the_board_are_refused(award: AwardWorld, stage: str) -> None:
    grace = award.evaluators[0]
    client = award.client_for(grace)
    declare(client, award)
    mark(client, award, "kestrel", EVALUATED[0], 2)
    token = csrf_token_in(client.get(f"{round_url(award)}/conflicts").get_data(as_text=True))
    award.submit_to_board() if stage == "with_board" else award.approve()
    page = client.get(criterion_url(award, "kestrel", EVALUATED[1])).get_data(as_text=True)
    assert 'id="refusal"' in page
    assert 'name="points"' not in page
    edit = client.post(
        criterion_url(award, "kestrel", EVALUATED[0]),
        data={"csrf_token": token, "points": "5", "justification": JUSTIFICATION},
    )
    assert edit.status_code == 409
    message = "The results are with the board" if stage == "with_board" else "approved the award"
    assert message in edit.get_data(as_text=True)
    submitted = client.post(bid_url(award, "kestrel", "/check"), data={"csrf_token": token})
    assert submitted.status_code == 409
    assert [m.points for m in award.rows(EvaluatorMark)] == [2]
    assert "marking has closed" in client.get("/evaluation/").get_data(as_text=True)
