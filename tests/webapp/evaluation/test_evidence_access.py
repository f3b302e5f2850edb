"""Evaluators download a bid's evidence only in a round they mark, free of any conflict."""

from __future__ import annotations

from tests.webapp.award_world import AwardWorld
from tests.webapp.test_evidence import download, keep
from webapp.extensions import db
from webapp.models import ConflictDeclaration, Role, RoundEvaluator, User


def _evidence(award: AwardWorld) -> int:
    return keep(award.app, award.providers["kestrel"], bid_id=award.bid_ids["kestrel"])


def test_an_assigned_evaluator_with_no_conflict_downloads(award: AwardWorld) -> None:
    evidence_id = _evidence(award)
    evaluator = award.evaluators[0]
    award.declare_no_conflicts(evaluator)
    assert download(award.client_for(evaluator), evidence_id).status_code == 200


def test_an_evaluator_who_has_not_declared_conflicts_cannot(award: AwardWorld) -> None:
    evidence_id = _evidence(award)
    assert download(award.client_for(award.evaluators[0]), evidence_id).status_code == 404


def test_an_evaluator_with_a_conflict_cannot(award: AwardWorld) -> None:
    evidence_id = _evidence(award)
    evaluator = award.evaluators[0]
    award.declare_no_conflicts(evaluator)
    with award.app.app_context():
        db.session.add(
            ConflictDeclaration(
                round_id=award.round_id,
                evaluator_id=evaluator.id,
                bid_id=award.bid_ids["kestrel"],
                has_conflict=True,
                details="My sister manages Kestrel's Wigan branch.",
                declared_at=award.now,
            )
        )
        db.session.commit()
    assert download(award.client_for(evaluator), evidence_id).status_code == 404


def test_an_evaluator_not_assigned_to_the_round_cannot(award: AwardWorld) -> None:
    evidence_id = _evidence(award)
    with award.app.app_context():
        outsider = User(
            email="outsider@example.org",
            name="Sam Outsider",
            role=Role.EVALUATOR.value,
            email_confirmed_at=award.now,
        )
        db.session.add(outsider)
        db.session.commit()
        assert db.session.query(RoundEvaluator).filter_by(user_id=outsider.id).count() == 0
        db.session.refresh(outsider)
        db.session.expunge(outsider)
    assert download(award.client_for(outsider), evidence_id).status_code == 404
