"""The closed demo round's evaluation, part done, so a person can walk the rest of the award.

Three evaluators are assigned to every section and have declared no conflicts. They have
submitted the example round file's marks (A. Haworth, R. Okafor and J. Pennington giving them
as Grace Okafor, Daniel Hughes and Mei Lin), except that Mei Lin has not marked the
co-operative's bid yet. Nothing is moderated: marks that differ by the round's spread threshold
are left for the commissioner. Meridian Crest's price is flagged; the commissioner asked about
it and the provider answered, and the decision is left open.

Each record is made only if missing, with an audit event told at the moment it happened in
the story (`webapp.demo.story`): after the deadline, the morning and afternoon that followed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from criteria.inputs import CriterionMarks
from criteria.judging import FLAG_TITLES
from criteria.model import Framework
from webapp.clock import as_utc
from webapp.demo.people import EVALUATORS, FLAGGED_PROVIDER, UNMARKED
from webapp.demo.story import AuditStory
from webapp.extensions import db
from webapp.models import (
    Bid,
    CommissioningRound,
    ConflictDeclaration,
    EvaluatorMark,
    MarkSheet,
    MarkSheetStatus,
    PriceCheck,
    PriceCheckStatus,
    RoundEvaluator,
    User,
)
from webapp.services.results import round_inputs, round_result

ADJUSTED_MARKS: dict[tuple[str, str, str], tuple[int, str]] = {
    ("meridian-crest", "q_person_centred", "J. Pennington"): (
        1,
        "Task-led throughout: the example is a list of jobs done, and nothing says what the "
        "person wanted from their day or can do for themselves.",
    ),
    ("hearthside", "sv_narrative", "R. Okafor"): (
        2,
        "The young carers' placements are promising, but the digital skills sessions with the "
        "library give no numbers, dates or reporting, so most of the answer cannot be measured.",
    ),
}
"""(bid, criterion, evaluator) -> (points, justification) where the demo departs from the round
file: its marks never differ by two points, and the demo needs marks that call for moderation."""

QUESTIONS: dict[str, str] = {
    "abnormally_low": (
        "Your price of £{price} per contact hour is below £{minimum}, the Minimum Price for "
        "Homecare that this round treats as the lowest sustainable rate. Before we decide "
        "whether to accept your tender, please show how you will deliver the service at this "
        "price: give your cost per contact hour for pay, on-costs, travel, training, "
        "management, overheads and surplus."
    ),
    "wage_floor_not_funded": (
        "You say your lowest-paid care workers earn £{pay} an hour. At £{price} per contact "
        "hour your price looks too low to fund that pay once travel time, mileage, on-costs "
        "and overheads are covered. Please send your cost breakdown and tell us how travel "
        "time between visits is paid."
    ),
}
"""The commissioner's clarification request for each flag (Procurement Act 2023 s.19)."""

RESPONSES: dict[str, str] = {
    "abnormally_low": (
        "Our cost per contact hour at £24.50 is: care worker pay £12.71; employer's National "
        "Insurance, pension and holiday pay £3.94; mileage at 20p a mile £0.90; training and "
        "supervision £0.65; rostering, call monitoring and local management £3.80; group "
        "overheads £1.60; surplus £0.90. National purchasing and shared group systems keep our "
        "overheads well below the sector average, and we will hold this price for the first "
        "two years of the contract."
    ),
    "wage_floor_not_funded": (
        "Every care worker is paid at least £12.71 an hour, the National Living Wage from "
        "April 2026, for all contact time. Travel between visits is built into scheduled visit "
        "times rather than paid separately, which is how that pay is funded within £24.50; "
        "mileage is paid at 20p a mile. Our full cost breakdown is in our reply about the "
        "price. We review pay every April in line with the National Living Wage."
    ),
}
"""Meridian Crest's replies: a cost breakdown that adds up, and leaves a decision to make."""

# When each step happened, counted from the deadline: evaluators were assigned before it, and
# the rest came the next day (always before "now", which is at least 35 hours after it).
ASSIGNED = timedelta(days=-3, hours=-2)
DECLARED = timedelta(hours=21)
ASKED = timedelta(hours=22)
MARKED = timedelta(hours=23)
ANSWERED = timedelta(hours=29)


class EvaluationSeeder:
    """Makes the evaluation records that are missing from the closed round, counting them."""

    def __init__(
        self,
        round_: CommissioningRound,
        framework: Framework,
        example_marks: Mapping[str, Mapping[str, CriterionMarks]],
        *,
        created: Counter[str],
        story: AuditStory,
    ) -> None:
        self.round = round_
        self.framework = framework
        self.example_marks = example_marks
        self.created = created
        self.story = story
        self.closed_at = as_utc(round_.closes_at)
        self.evaluated = [
            c.id
            for c in framework.criteria.values()
            if c.scoring is not None and c.scoring.rule == "evaluator_scale"
        ]

    def run(
        self,
        *,
        commissioner: User,
        evaluators: Sequence[tuple[str, User]],
        bids: Mapping[str, Bid],
        bidders: Mapping[str, User],
    ) -> None:
        """`evaluators` are (mailbox, user); `bids` and `bidders` are by the round file's bid id."""
        db.session.flush()
        self._assign(commissioner, [user for _, user in evaluators])
        for index, (_, evaluator) in enumerate(evaluators):
            self._declare(evaluator, list(bids.values()), index)
        for index, (mailbox, evaluator) in enumerate(evaluators):
            for position, (key, bid) in enumerate(bids.items()):
                if (mailbox, key) != UNMARKED:
                    when = (
                        self.closed_at + MARKED + timedelta(hours=2 * index, minutes=20 * position)
                    )
                    self._sheet(evaluator, EVALUATORS[mailbox], key, bid, when)
        self._price_checks(commissioner, bids[FLAGGED_PROVIDER], bidders[FLAGGED_PROVIDER])

    def _assign(self, commissioner: User, evaluators: list[User]) -> None:
        assigned = set(
            db.session.scalars(
                sa.select(RoundEvaluator.user_id).where(RoundEvaluator.round_id == self.round.id)
            )
        )
        when = self.closed_at + ASSIGNED
        added = [user for user in evaluators if user.id not in assigned]
        for user in added:
            db.session.add(
                RoundEvaluator(
                    round_id=self.round.id,
                    user_id=user.id,
                    section_ids=None,
                    assigned_by_id=commissioner.id,
                    assigned_at=when,
                )
            )
        if not added:
            return
        self.created["evaluator assignment"] += len(added)
        names = _listed([user.name for user in added])
        self.story.add(
            when,
            "round.evaluators_changed",
            actor=commissioner,
            subject=f"round:{self.round.id}",
            summary=f"{commissioner.name} assigned {names} to evaluate every section",
            round_=self.round,
            before={"evaluators": sorted(assigned)},
            after={
                "evaluators": sorted(assigned | {user.id for user in added}),
                "sections": "all",
            },
        )

    def _declare(self, evaluator: User, bids: list[Bid], index: int) -> None:
        declared = set(
            db.session.scalars(
                sa.select(ConflictDeclaration.bid_id).where(
                    ConflictDeclaration.round_id == self.round.id,
                    ConflictDeclaration.evaluator_id == evaluator.id,
                )
            )
        )
        when = self.closed_at + DECLARED + timedelta(minutes=20 * index)
        missing = [bid for bid in bids if bid.id not in declared]
        for bid in missing:
            db.session.add(
                ConflictDeclaration(
                    round_id=self.round.id,
                    evaluator_id=evaluator.id,
                    bid_id=bid.id,
                    has_conflict=False,
                    declared_at=when,
                )
            )
        if not missing:
            return
        self.created["conflict declaration"] += len(missing)
        self.story.add(
            when,
            "coi.declared",
            actor=evaluator,
            subject=f"round:{self.round.id}",
            summary=(
                f"{evaluator.name} declared no conflict of interest with any of the "
                f"{len(missing)} bidders"
            ),
            round_=self.round,
            after=[{"bid": bid.id, "has_conflict": False} for bid in missing],
        )

    def _sheet(self, evaluator: User, marked_as: str, key: str, bid: Bid, when: datetime) -> None:
        existing = db.session.scalars(
            sa.select(MarkSheet.id).where(
                MarkSheet.bid_id == bid.id, MarkSheet.evaluator_id == evaluator.id
            )
        ).first()
        if existing is not None:
            return
        sheet = MarkSheet(
            round_id=self.round.id,
            bid_id=bid.id,
            evaluator_id=evaluator.id,
            status=MarkSheetStatus.SUBMITTED.value,
            submitted_at=when,
            created_at=when - timedelta(minutes=50),
        )
        marks = {}
        for criterion_id in self.evaluated:
            points, justification = self._example_mark(key, criterion_id, marked_as)
            sheet.marks.append(
                EvaluatorMark(
                    criterion_id=criterion_id,
                    points=points,
                    justification=justification,
                    updated_at=when - timedelta(minutes=5),
                )
            )
            marks[criterion_id] = {"points": points, "justification": justification}
        db.session.add(sheet)
        db.session.flush()
        self.created["mark sheet"] += 1
        self.story.add(
            when,
            "marks.submitted",
            actor=evaluator,
            subject=f"mark_sheet:{sheet.id}",
            summary=(
                f"{evaluator.name} submitted marks for {bid.organisation.name}'s bid "
                f"{bid.reference}"
            ),
            round_=self.round,
            before={"status": MarkSheetStatus.DRAFT.value},
            after=marks,
        )

    def _example_mark(self, key: str, criterion_id: str, marked_as: str) -> tuple[int, str]:
        adjusted = ADJUSTED_MARKS.get((key, criterion_id, marked_as))
        if adjusted is not None:
            return adjusted
        given = self.example_marks.get(key, {}).get(criterion_id)
        mark = next((m for m in (given.marks if given else []) if m.evaluator == marked_as), None)
        if mark is None:
            raise LookupError(
                f"the example round file has no mark by {marked_as} for {key}'s {criterion_id}"
            )
        return mark.points, mark.justification

    def _price_checks(self, commissioner: User, bid: Bid, bidder: User) -> None:
        """A check for each flag the engine raises on the bid, asked and answered."""
        assert bid.reference is not None
        flags = round_result(round_inputs(self.round)).bid(bid.reference).flags
        existing = set(
            db.session.scalars(sa.select(PriceCheck.flag_code).where(PriceCheck.bid_id == bid.id))
        )
        figures = self._figures(bid)
        asked_at, answered_at = self.closed_at + ASKED, self.closed_at + ANSWERED
        for flag in flags:
            if flag.code in existing:
                continue
            check = PriceCheck(
                round_id=self.round.id,
                bid_id=bid.id,
                flag_code=flag.code,
                status=PriceCheckStatus.ANSWERED.value,
                question=QUESTIONS[flag.code].format(**figures),
                asked_by_id=commissioner.id,
                asked_at=asked_at,
                response=RESPONSES[flag.code],
                responded_by_id=bidder.id,
                responded_at=answered_at,
            )
            db.session.add(check)
            db.session.flush()
            self.created["price check"] += 1
            subject, name = f"price_check:{check.id}", bid.organisation.name
            what = FLAG_TITLES[flag.code].lower()
            self.story.add(
                asked_at,
                "price_check.asked",
                actor=commissioner,
                subject=subject,
                summary=f"{commissioner.name} asked {name} about its price check: {what}",
                round_=self.round,
                before={"status": PriceCheckStatus.OPEN.value},
                after={"status": PriceCheckStatus.ASKED.value, "question": check.question},
            )
            self.story.add(
                answered_at,
                "price_check.answered",
                actor=bidder,
                subject=subject,
                summary=f"{bidder.name} answered for {name} on its price check: {what}",
                round_=self.round,
                before={"status": PriceCheckStatus.ASKED.value},
                after={"status": PriceCheckStatus.ANSWERED.value, "response": check.response},
            )

    def _figures(self, bid: Bid) -> dict[str, str]:
        """The price, the promised pay and the minimum price the questions quote."""
        award = self.framework.award
        assert award.abnormally_low is not None
        assert award.wage_floor is not None
        below = award.abnormally_low.below  # a number, or "$name" of a framework parameter
        minimum = (
            self.framework.parameters[below.lstrip("$")].value if isinstance(below, str) else below
        )
        return {
            "price": _money(bid.answers[award.abnormally_low.criterion]),
            "pay": _money(bid.answers[award.wage_floor.pay_criterion]),
            "minimum": _money(minimum),
        }


def _money(value: object) -> str:
    return f"{Decimal(str(value)):.2f}"


def _listed(names: list[str]) -> str:
    """`A`, `A and B`, `A, B and C`."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
