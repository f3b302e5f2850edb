"""A closed round ready to evaluate, for the evaluation, moderation, board and audit tests.

`AwardWorld(app)` makes the council's staff (a commissioner, three evaluators, a board member),
four providers whose submitted bids are the example round's answers (`examples/homecare-2026`):
the co-operative, the trust, the employee-owned company and Meridian Crest, whose price is
flagged as abnormally low and too low to fund its promised pay. The round's deadline has just
passed at `NOW` (the app's clock), and every evaluator is assigned to every section.

Helpers that write rows directly (`mark_all`, `moderate`, `decide_price_checks`,
`submit_to_board`, `approve`) set up a state quickly; the tests of each step drive the pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from config import PROJECT_ROOT
from criteria.round_file import load_round
from webapp.demo.seed import stored_answers
from webapp.extensions import db
from webapp.models import (
    Bid,
    BidStatus,
    BoardSubmission,
    CommissioningRound,
    ConflictDeclaration,
    EvaluatorMark,
    MarkSheet,
    MarkSheetStatus,
    Moderation,
    Organisation,
    PriceCheck,
    PriceCheckStatus,
    Role,
    RoundEvaluator,
    RoundStatus,
    User,
)
from webapp.services.frameworks import latest_builtin

NOW = datetime(2027, 4, 2, 10, 0, tzinfo=UTC)
"""Where the tests stand: the morning after the deadline."""
CLOSES_AT = datetime(2027, 4, 1, 11, 0, tzinfo=UTC)
OPENS_AT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

EXAMPLE = load_round(PROJECT_ROOT / "examples" / "homecare-2026" / "round.yaml")
PROVIDERS = ("hollin-brook", "lantern-trust", "kestrel", "meridian-crest")
"""Example bid ids that bid in the world's round, in submission order."""
FLAGGED = "meridian-crest"
EVALUATED = tuple(
    c.id
    for c in EXAMPLE.framework.criteria.values()
    if c.scoring is not None and c.scoring.rule == "evaluator_scale"
)
"""The criteria evaluators mark, in framework order."""
PASSWORD = "correct horse battery staple"


class AwardWorld:
    def __init__(self, app: Flask, *, anonymise: bool = False, hide_price: bool = False) -> None:
        self.app = app
        app.config["CLOCK"] = lambda: self.now
        self.now = NOW
        self._count = 0
        with app.app_context():
            self.commissioner = self._user(Role.COMMISSIONER, "Priya Shah")
            self.evaluators = [
                self._user(Role.EVALUATOR, name)
                for name in ("Grace Okafor", "Daniel Hughes", "Mei Lin")
            ]
            self.board = self._user(Role.BOARD, "Ruth Bamber")
            self.admin = self._user(Role.ADMIN, "Alex Morgan")
            version = latest_builtin("ethical-care")
            round_ = CommissioningRound(
                reference="CW-2027-0001",
                title="Homecare, Lot 1",
                service="homecare",
                framework_version_id=version.id,
                parameters={},
                opens_at=OPENS_AT,
                closes_at=CLOSES_AT,
                status=RoundStatus.PUBLISHED.value,
                published_at=OPENS_AT - timedelta(days=1),
                created_by_id=self.commissioner.id,
                anonymise_bidders=anonymise,
                hide_price_from_evaluators=hide_price,
            )
            db.session.add(round_)
            db.session.flush()
            self.round_id = round_.id
            self.providers: dict[str, User] = {}
            self.bid_ids: dict[str, int] = {}
            by_id = {b.id: b for b in EXAMPLE.round.bids}
            for position, key in enumerate(PROVIDERS):
                example = by_id[key]
                organisation = Organisation(name=example.name)
                db.session.add(organisation)
                db.session.flush()
                self.providers[key] = self._user(
                    Role.PROVIDER, f"{example.name} bids team", organisation=organisation
                )
                bid = Bid(
                    round_id=round_.id,
                    organisation_id=organisation.id,
                    status=BidStatus.SUBMITTED.value,
                    answers=stored_answers(EXAMPLE.framework, example.answers),
                    declaration_name="Bids Lead",
                    submitted_at=OPENS_AT + timedelta(days=position + 1),
                )
                db.session.add(bid)
                db.session.flush()
                bid.reference = f"{round_.reference}-B{bid.id}-1"
                self.bid_ids[key] = bid.id
            for evaluator in self.evaluators:
                db.session.add(
                    RoundEvaluator(
                        round_id=round_.id,
                        user_id=evaluator.id,
                        section_ids=None,
                        assigned_by_id=self.commissioner.id,
                    )
                )
            db.session.commit()
            people = [self.commissioner, *self.evaluators, self.board, self.admin]
            for user in [*people, *self.providers.values()]:
                db.session.refresh(user)
                db.session.expunge(user)

    # --- people ---------------------------------------------------------------------------

    def _user(self, role: Role, name: str, *, organisation: Organisation | None = None) -> User:
        self._count += 1
        user = User(
            email=f"{role.value}{self._count}@example.org",
            name=name,
            role=role.value,
            organisation_id=organisation.id if organisation else None,
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
            email_confirmed_at=NOW,
        )
        db.session.add(user)
        db.session.flush()
        return user

    def client_for(self, user: User) -> FlaskClient:
        """A new test client signed in as `user` (each person has their own browser)."""
        client = self.app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = f"{user.id}:{user.session_version}"
            session["_fresh"] = True
        return client

    # --- rows, for setting up a state -----------------------------------------------------

    def round(self) -> CommissioningRound:
        """The round, in the caller's app context."""
        round_ = db.session.get(CommissioningRound, self.round_id)
        assert round_ is not None
        return round_

    def bid(self, key: str) -> Bid:
        bid = db.session.get(Bid, self.bid_ids[key])
        assert bid is not None
        return bid

    def declare_no_conflicts(self, evaluator: User) -> None:
        with self.app.app_context():
            for bid_id in self.bid_ids.values():
                db.session.add(
                    ConflictDeclaration(
                        round_id=self.round_id,
                        evaluator_id=evaluator.id,
                        bid_id=bid_id,
                        has_conflict=False,
                        declared_at=self.now,
                    )
                )
            db.session.commit()

    def mark_all(
        self,
        points: Mapping[str, int] | None = None,
        *,
        spread: Mapping[tuple[str, str], tuple[int, ...]] | None = None,
    ) -> None:
        """Every evaluator declares no conflicts and submits marks for every bid.

        By default each criterion gets the example round's moderated or first mark (3 if it
        has none); `points` overrides by criterion id; `spread[(bid key, criterion id)]` gives
        each evaluator their own mark, in `self.evaluators` order.
        """
        spread = spread or {}
        for evaluator in self.evaluators:
            self.declare_no_conflicts(evaluator)
        with self.app.app_context():
            for key in PROVIDERS:
                example = EXAMPLE.round.marks.get(key, {})
                for index, evaluator in enumerate(self.evaluators):
                    sheet = MarkSheet(
                        round_id=self.round_id,
                        bid_id=self.bid_ids[key],
                        evaluator_id=evaluator.id,
                        status=MarkSheetStatus.SUBMITTED.value,
                        submitted_at=self.now,
                    )
                    for criterion_id in EVALUATED:
                        given = example.get(criterion_id)
                        value = 3
                        if given is not None and given.moderated is not None:
                            value = given.moderated.points
                        elif given is not None and given.marks:
                            value = given.marks[0].points
                        value = (points or {}).get(criterion_id, value)
                        if (key, criterion_id) in spread:
                            value = spread[(key, criterion_id)][index]
                        sheet.marks.append(
                            EvaluatorMark(
                                criterion_id=criterion_id,
                                points=value,
                                justification=f"{evaluator.name}: marked {value} on the evidence.",
                            )
                        )
                    db.session.add(sheet)
            db.session.commit()

    def moderate(self, key: str, criterion_id: str, points: int, rationale: str) -> None:
        with self.app.app_context():
            db.session.add(
                Moderation(
                    round_id=self.round_id,
                    bid_id=self.bid_ids[key],
                    criterion_id=criterion_id,
                    points=points,
                    rationale=rationale,
                    moderator_id=self.commissioner.id,
                    created_at=self.now,
                )
            )
            db.session.commit()

    def decide_price_checks(self, decision: str = "accept") -> None:
        """Both of Meridian Crest's flags asked, answered and decided."""
        with self.app.app_context():
            for code in ("abnormally_low", "wage_floor_not_funded"):
                db.session.add(
                    PriceCheck(
                        round_id=self.round_id,
                        bid_id=self.bid_ids[FLAGGED],
                        flag_code=code,
                        status=PriceCheckStatus.DECIDED.value,
                        question="Please show how you will deliver at this price.",
                        asked_by_id=self.commissioner.id,
                        asked_at=self.now,
                        response="Our cost breakdown is attached.",
                        responded_by_id=self.providers[FLAGGED].id,
                        responded_at=self.now,
                        decision=decision,
                        decision_reason=f"Decided to {decision} after reading the reply.",
                        decided_by_id=self.commissioner.id,
                        decided_at=self.now,
                    )
                )
            db.session.commit()

    def submit_to_board(self) -> int:
        with self.app.app_context():
            submission = BoardSubmission(
                round_id=self.round_id,
                submitted_by_id=self.commissioner.id,
                submitted_at=self.now,
                inputs_digest="sha256:" + "1" * 64,
                result_digest="sha256:" + "2" * 64,
            )
            db.session.add(submission)
            db.session.commit()
            return submission.id

    def approve(self, comments: str = "Approved as recommended.") -> int:
        submission_id = self.submit_to_board()
        with self.app.app_context():
            submission = db.session.get(BoardSubmission, submission_id)
            assert submission is not None
            submission.decision = "approve"
            submission.comments = comments
            submission.decided_by_id = self.board.id
            submission.decided_at = self.now
            db.session.commit()
        return submission_id

    def rows(self, model: Any, **where: Any) -> list[Any]:
        with self.app.app_context():
            query = sa.select(model).filter_by(**where)
            found = list(db.session.scalars(query))
            for row in found:
                db.session.expunge(row)
            return found
