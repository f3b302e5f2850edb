"""The marking service refuses, by itself, a mark from a conflicted evaluator and a mark whose
justification is too short: whoever calls it (a page, a command, a future API), and over HTTP
when the form's own checks are bypassed or satisfied by padding.

The pages check a conflict before they call the service and the form checks the length of what
was typed; these tests call the service directly, so removing either check from
`webapp.services.evaluation` fails them even though the page and the form still defend.
"""

from __future__ import annotations

import pytest

from tests.webapp.award_world import EVALUATED, AwardWorld
from tests.webapp.evaluation.journey import JUSTIFICATION, criterion_url, declare, round_url
from tests.webapp.forms_helper import post_form
from webapp.extensions import db
from webapp.models import AuditEvent, EvaluatorMark, MarkSheet, MarkSheetStatus, User
from webapp.services import evaluation
from webapp.services.evaluation import (
    MAX_JUSTIFICATION,
    MIN_JUSTIFICATION,
    ConflictAnswer,
    MarkingRefusedError,
)

CONFLICTED = "kestrel"
"""The bid the first evaluator declares a conflict with."""


def _declare(award: AwardWorld, evaluator: User, conflict_with: str | None) -> None:
    """Declare through the service: no conflict, except with `conflict_with`."""
    with award.app.app_context():
        user = db.session.get(User, evaluator.id)
        answers = {
            bid_id: ConflictAnswer(True, "My sister manages their branch.")
            if key == conflict_with
            else ConflictAnswer(False)
            for key, bid_id in award.bid_ids.items()
        }
        evaluation.declare_conflicts(award.round(), user, answers)


def _save(award: AwardWorld, evaluator: User, key: str, justification: str) -> None:
    with award.app.app_context():
        user = db.session.get(User, evaluator.id)
        evaluation.save_mark(award.round(), user, award.bid(key), EVALUATED[0], 3, justification)


def _nothing_marked(award: AwardWorld) -> None:
    assert award.rows(EvaluatorMark) == []
    assert award.rows(MarkSheet) == []
    assert award.rows(AuditEvent, action="marks.saved") == []


# --- the conflict of interest --------------------------------------------------------------


def test_the_service_refuses_a_mark_from_an_evaluator_with_a_declared_conflict(
    award: AwardWorld,
) -> None:
    grace = award.evaluators[0]
    _declare(award, grace, conflict_with=CONFLICTED)
    with pytest.raises(MarkingRefusedError, match="conflict of interest"):
        _save(award, grace, CONFLICTED, JUSTIFICATION)
    _nothing_marked(award)
    # The same evaluator marks the bids they have no conflict with.
    _save(award, grace, "lantern-trust", JUSTIFICATION)
    assert len(award.rows(EvaluatorMark)) == 1


def test_the_service_refuses_to_submit_draft_marks_once_a_conflict_is_declared(
    award: AwardWorld,
) -> None:
    grace = award.evaluators[0]
    _declare(award, grace, conflict_with=None)
    with award.app.app_context():
        user = db.session.get(User, grace.id)
        for criterion_id in EVALUATED:
            evaluation.save_mark(
                award.round(), user, award.bid(CONFLICTED), criterion_id, 3, JUSTIFICATION
            )
    _declare(award, grace, conflict_with=CONFLICTED)
    with award.app.app_context():
        user = db.session.get(User, grace.id)
        round_, bid = award.round(), award.bid(CONFLICTED)
        with pytest.raises(MarkingRefusedError, match="conflict of interest"):
            evaluation.submit_sheet(round_, user, bid)
    [sheet] = award.rows(MarkSheet)
    assert sheet.status == MarkSheetStatus.DRAFT.value
    assert award.rows(AuditEvent, action="marks.submitted") == []


def test_a_conflicted_evaluator_posting_a_mark_directly_is_refused(award: AwardWorld) -> None:
    """The criterion form is never shown to them: the POST is built by hand, token and all."""
    grace = award.evaluators[0]
    client = award.client_for(grace)
    declare(client, award, {CONFLICTED: "My sister manages their branch."})
    posted = post_form(
        client,
        criterion_url(award, CONFLICTED, EVALUATED[0]),
        {"points": "5", "justification": JUSTIFICATION},
        token_from=round_url(award) + "/conflicts",
    )
    assert posted.status_code in {403, 409}
    assert "conflict of interest" in posted.get_data(as_text=True)
    _nothing_marked(award)


# --- the justification ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "justification",
    [
        "",
        "Good.",
        "x" * (MIN_JUSTIFICATION - 1),
        "Good." + " " * 40,
        "\n\t  Fine work.  \r\n" + " " * 30,
        "y" * (MAX_JUSTIFICATION + 1),
    ],
    ids=["empty", "short", "one-short", "padded-spaces", "padded-whitespace", "too-long"],
)
def test_the_service_refuses_a_justification_outside_the_limits(
    award: AwardWorld, justification: str
) -> None:
    grace = award.evaluators[0]
    _declare(award, grace, conflict_with=None)
    with pytest.raises(MarkingRefusedError, match="Justification must be"):
        _save(award, grace, "lantern-trust", justification)
    _nothing_marked(award)


def test_the_service_keeps_a_justification_at_each_limit(award: AwardWorld) -> None:
    grace = award.evaluators[0]
    _declare(award, grace, conflict_with=None)
    _save(award, grace, "lantern-trust", "z" * MIN_JUSTIFICATION)
    _save(award, grace, "kestrel", "w" * MAX_JUSTIFICATION)
    kept = sorted(len(m.justification) for m in award.rows(EvaluatorMark))
    assert kept == [MIN_JUSTIFICATION, MAX_JUSTIFICATION]


def test_a_padded_justification_posted_over_http_is_refused_with_a_message(
    award: AwardWorld,
) -> None:
    """Spaces satisfy the form's length check; the service counts what is left once trimmed."""
    grace = award.evaluators[0]
    client = award.client_for(grace)
    declare(client, award)
    padded = "Good." + " " * 40
    posted = post_form(
        client,
        criterion_url(award, "lantern-trust", EVALUATED[0]),
        {"points": "4", "justification": padded},
    )
    html = posted.get_data(as_text=True)
    assert posted.status_code == 409
    assert f"Justification must be {MIN_JUSTIFICATION} characters or more" in html
    _nothing_marked(award)


def test_a_short_justification_posted_without_the_form_page_is_refused(award: AwardWorld) -> None:
    """Posted straight to the criterion URL (no page loaded first, the token from elsewhere)."""
    grace = award.evaluators[0]
    client = award.client_for(grace)
    declare(client, award)
    posted = post_form(
        client,
        criterion_url(award, "lantern-trust", EVALUATED[0]),
        {"points": "4", "justification": "Ok"},
        token_from=round_url(award) + "/conflicts",
    )
    assert posted.status_code in {200, 409}
    assert "Why this mark must be between" in posted.get_data(as_text=True)
    _nothing_marked(award)
