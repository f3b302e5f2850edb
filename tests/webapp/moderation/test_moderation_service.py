"""The moderation service: what needs moderation, recording a mark, and what the engine uses."""

from __future__ import annotations

import pytest

from criteria.wording import criterion_title
from tests.webapp.award_world import EVALUATED, EXAMPLE, AwardWorld
from tests.webapp.moderation.pages import CRITERION
from webapp.extensions import db
from webapp.models import Moderation, User
from webapp.services.award import EvaluationLockedError
from webapp.services.moderation import (
    ModerationError,
    ModerationNotAllowedError,
    ModerationNotFoundError,
    moderate,
    moderation_history,
    moderation_rows,
    needs_moderation,
)
from webapp.services.results import round_inputs


def _user(user: User) -> User:
    found = db.session.get(User, user.id)
    assert found is not None
    return found


def title(criterion_id: str) -> str:
    return criterion_title(EXAMPLE.framework.criteria[criterion_id])


def test_nothing_needs_moderation_when_marks_agree(award: AwardWorld) -> None:
    award.mark_all()
    with award.app.app_context():
        assert needs_moderation(award.round()) == []


def test_each_wide_spread_without_a_moderated_mark_is_a_reason(award: AwardWorld) -> None:
    award.mark_all(
        spread={("kestrel", CRITERION): (1, 3, 4), ("lantern-trust", EVALUATED[1]): (0, 2, 2)}
    )
    with award.app.app_context():
        kestrel = award.bid("kestrel")
        reasons = needs_moderation(award.round())
        assert len(reasons) == 2
        assert (
            f"Bid {kestrel.reference} ({kestrel.organisation.name}), {title(CRITERION)}: "
            "marks spread 3 points and no moderated mark"
        ) in reasons
    award.moderate("kestrel", CRITERION, 3, "Agreed.")
    with award.app.app_context():
        [reason] = needs_moderation(award.round())
        assert title(EVALUATED[1]) in reason
        assert EVALUATED[1] not in reason
        assert "spread 2 points" in reason


def test_rows_needing_moderation_come_first(award: AwardWorld) -> None:
    award.mark_all(spread={("meridian-crest", EVALUATED[-1]): (0, 5, 5)})
    with award.app.app_context():
        rows = moderation_rows(award.round())
        assert rows[0].needs_moderation
        assert rows[0].spread == 5
        assert not any(r.needs_moderation for r in rows[1:])
        assert len(rows) == 4 * len(EVALUATED)


def test_moderate_adds_rows_and_the_latest_counts_in_the_result(award: AwardWorld) -> None:
    award.mark_all(spread={("kestrel", CRITERION): (1, 3, 4)})
    with award.app.app_context():
        round_, bid = award.round(), award.bid("kestrel")
        first = moderate(round_, bid, CRITERION, 2, "First", _user(award.commissioner))
        second = moderate(round_, bid, CRITERION, 4, " Second ", _user(award.admin))
        assert [m.id for m in moderation_history(bid, CRITERION)] == [second.id, first.id]
        assert second.rationale == "Second"
        moderated = round_inputs(round_).marks[bid.reference or ""][CRITERION].moderated
        assert moderated is not None
        assert moderated.points == 4
        assert needs_moderation(round_) == []


@pytest.mark.parametrize("points", [-1, 6, 99])
def test_points_must_be_on_the_scale(award: AwardWorld, points: int) -> None:
    award.mark_all()
    with award.app.app_context():
        with pytest.raises(ModerationError, match="on the scale, from 0 to 5"):
            moderate(
                award.round(),
                award.bid("kestrel"),
                CRITERION,
                points,
                "Why",
                _user(award.commissioner),
            )
        assert db.session.scalars(db.select(Moderation)).all() == []


def test_rationale_is_required(award: AwardWorld) -> None:
    award.mark_all()
    with award.app.app_context(), pytest.raises(ModerationError, match="rationale"):
        moderate(award.round(), award.bid("kestrel"), CRITERION, 3, "  ", _user(award.commissioner))


@pytest.mark.parametrize("who", ["evaluator", "board"])
def test_only_commissioners_and_admins_moderate(award: AwardWorld, who: str) -> None:
    user = award.evaluators[0] if who == "evaluator" else award.board
    award.mark_all()
    with award.app.app_context(), pytest.raises(ModerationNotAllowedError):
        moderate(award.round(), award.bid("kestrel"), CRITERION, 3, "Why", _user(user))


def test_criterion_not_marked_by_evaluators_cannot_be_moderated(award: AwardWorld) -> None:
    award.mark_all()
    with award.app.app_context(), pytest.raises(ModerationNotFoundError):
        moderate(
            award.round(),
            award.bid("kestrel"),
            "pr_hourly_rate",
            3,
            "Why",
            _user(award.commissioner),
        )


@pytest.mark.parametrize("stage", ["with_board", "awarded"])
def test_locked_rounds_refuse_moderation(award: AwardWorld, stage: str) -> None:
    award.mark_all()
    award.submit_to_board() if stage == "with_board" else award.approve()
    with award.app.app_context(), pytest.raises(EvaluationLockedError):
        moderate(
            award.round(), award.bid("kestrel"), CRITERION, 3, "Why", _user(award.commissioner)
        )
