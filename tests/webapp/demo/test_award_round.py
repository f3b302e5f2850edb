"""The closed demo round: evaluation part done, so a person can walk the rest of the award."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from criteria.wording import criterion_title
from tests.webapp.demo.seeding import (
    EXAMPLE,
    LOADED,
    STANDING_AT,
    award_round,
    demo_round,
    example_name,
)
from webapp.audit.log import round_events, verify_log
from webapp.clock import as_utc, to_london
from webapp.demo import (
    AWARD_PROVIDERS,
    AWARD_ROUND_REFERENCE,
    EVALUATORS,
    FLAGGED_PROVIDER,
    UNMARKED,
    provider_email,
    seed_demo,
    staff_email,
    stored_answers,
)
from webapp.demo.award import ADJUSTED_MARKS
from webapp.extensions import db
from webapp.models import (
    Bid,
    BidStatus,
    ConflictDeclaration,
    MarkSheet,
    MarkSheetStatus,
    Moderation,
    PriceCheck,
    PriceCheckStatus,
    RoundEvaluator,
    User,
)
from webapp.services.award import AwardStage, award_stage
from webapp.services.bids import attachments_of
from webapp.services.bids import is_complete as bid_is_complete
from webapp.services.evaluation import marking_complete
from webapp.services.moderation import needs_moderation
from webapp.services.price_checks import undecided_price_checks
from webapp.services.results import conflicted_pairs, round_inputs, round_result
from webapp.services.rounds import RoundState, round_framework, round_settings, round_state

COUNCIL = "Wellfield Borough Council"
EVALUATED = [
    c.id
    for c in LOADED.framework.criteria.values()
    if c.scoring is not None and c.scoring.rule == "evaluator_scale"
]


def _user(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def _evaluator(mailbox: str) -> User:
    return _user(staff_email(mailbox, COUNCIL))


def _bids() -> dict[str, Bid]:
    """The closed round's bids, by the example round file's bid id."""
    by_name = {bid.organisation.name: bid for bid in award_round().bids}
    return {key: by_name[example_name(key)] for key in AWARD_PROVIDERS}


def test_the_award_round_closed_two_days_ago_at_midday_and_is_being_evaluated(
    seeded: Flask,
) -> None:
    with seeded.app_context():
        round_, open_round = award_round(), demo_round()
        assert round_state(round_) == RoundState.CLOSED
        assert award_stage(round_) == AwardStage.EVALUATING
        opens, closes = to_london(round_.opens_at), to_london(round_.closes_at)
        assert round_settings(round_) == round_settings(open_round)
        assert round_.framework_version_id == open_round.framework_version_id
        assert not round_.anonymise_bidders
        assert not round_.hide_price_from_evaluators
        assert round_.spread_threshold == 2
        assert round_.created_by_id == _user(staff_email("commissioner1", COUNCIL)).id
    assert (closes.date(), closes.hour, closes.minute) == (
        (STANDING_AT - timedelta(2)).date(),
        12,
        0,
    )
    assert (opens.date(), opens.hour) == ((STANDING_AT - timedelta(35)).date(), 9)


def test_five_example_providers_submitted_complete_bids_with_their_documents(
    seeded: Flask,
) -> None:
    with seeded.app_context():
        round_ = award_round()
        framework = round_framework(round_)
        required = {c.id for c in framework.criteria.values() if c.evidence and c.evidence.required}
        assert len(round_.bids) == len(AWARD_PROVIDERS)
        by_id = {b.id: b for b in EXAMPLE.bids}
        for key, bid in _bids().items():
            assert bid.status == BidStatus.SUBMITTED.value
            assert bid.reference == f"{AWARD_ROUND_REFERENCE}-B{bid.id}-1"
            assert bid.answers == stored_answers(framework, by_id[key].answers)
            assert bid_is_complete(bid), key
            assert set(attachments_of(bid)) == required
            assert bid.declaration_name == _user(provider_email(key)).name
            submitted = as_utc(bid.submitted_at) if bid.submitted_at else None
            assert submitted is not None
            assert as_utc(round_.opens_at) < submitted < as_utc(round_.closes_at)


def test_three_evaluators_mark_every_section_and_declared_no_conflicts(seeded: Flask) -> None:
    with seeded.app_context():
        round_ = award_round()
        evaluators = {mailbox: _evaluator(mailbox) for mailbox in EVALUATORS}
        assigned = db.session.scalars(
            sa.select(RoundEvaluator).where(RoundEvaluator.round_id == round_.id)
        ).all()
        declared = db.session.scalars(
            sa.select(ConflictDeclaration).where(ConflictDeclaration.round_id == round_.id)
        ).all()
        bid_ids = {bid.id for bid in round_.bids}
        assert {a.user_id for a in assigned} == {user.id for user in evaluators.values()}
        assert all(a.section_ids is None for a in assigned)
        assert [u.name for u in evaluators.values()] == ["Grace Okafor", "Daniel Hughes", "Mei Lin"]
        assert sorted((d.evaluator_id, d.bid_id) for d in declared) == sorted(
            (user.id, bid_id) for user in evaluators.values() for bid_id in bid_ids
        )
        assert not any(d.has_conflict for d in declared)
        assert conflicted_pairs(round_) == set()
        # Declared after the deadline, before any marks were submitted.
        first_submitted = min(
            as_utc(s.submitted_at)
            for s in db.session.scalars(sa.select(MarkSheet))
            if s.submitted_at
        )
        for declaration in declared:
            assert as_utc(round_.closes_at) < as_utc(declaration.declared_at) < first_submitted


def test_two_evaluators_marked_every_bid_and_mei_lin_left_the_co_operatives(
    seeded: Flask,
) -> None:
    with seeded.app_context():
        round_ = award_round()
        bids = _bids()
        sheets = db.session.scalars(
            sa.select(MarkSheet).where(MarkSheet.round_id == round_.id)
        ).all()
        found = {(s.evaluator.email, s.bid_id): s for s in sheets}
        expected = {
            (staff_email(mailbox, COUNCIL), bid.id)
            for mailbox in EVALUATORS
            for key, bid in bids.items()
            if (mailbox, key) != UNMARKED
        }
        assert set(found) == expected
        assert len(found) == 3 * len(AWARD_PROVIDERS) - 1
        missing_evaluator, missing_bid = UNMARKED
        assert (staff_email(missing_evaluator, COUNCIL), bids[missing_bid].id) not in found
        for sheet in found.values():
            assert sheet.status == MarkSheetStatus.SUBMITTED.value
            assert sheet.submitted_at is not None
            assert as_utc(round_.closes_at) < as_utc(sheet.submitted_at) < STANDING_AT
            assert [m.criterion_id for m in sheet.marks] == sorted(EVALUATED)
        now_marked = {
            (mailbox, key, mark.criterion_id): (mark.points, mark.justification)
            for mailbox in EVALUATORS
            for key, bid in bids.items()
            if (staff_email(mailbox, COUNCIL), bid.id) in found
            for mark in found[(staff_email(mailbox, COUNCIL), bid.id)].marks
        }
    for (mailbox, key, criterion_id), given in now_marked.items():
        marked_as = EVALUATORS[mailbox]
        adjusted = ADJUSTED_MARKS.get((key, criterion_id, marked_as))
        example = next(
            m for m in EXAMPLE.marks[key][criterion_id].marks if m.evaluator == marked_as
        )
        assert given == (adjusted or (example.points, example.justification))
    # Grace Okafor gave A. Haworth's marks, with the justifications from the round file.
    haworth = EXAMPLE.marks["hollin-brook"]["fw_narrative"].marks[0]
    assert haworth.evaluator == "A. Haworth"
    assert now_marked[("evaluator1", "hollin-brook", "fw_narrative")] == (
        haworth.points,
        haworth.justification,
    )


def test_marks_that_differ_by_the_threshold_are_left_for_moderation(seeded: Flask) -> None:
    with seeded.app_context():
        round_ = award_round()
        inputs = round_inputs(round_)
        threshold = round_.spread_threshold
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Moderation)) == 0
        spread = {
            (inputs.rows[bid].organisation.name, criterion_id): max(points) - min(points)
            for bid, by_criterion in inputs.marks.items()
            for criterion_id, marks in by_criterion.items()
            if (points := [m.points for m in marks.marks])
        }
    to_moderate = {key for key, value in spread.items() if value >= threshold}
    assert len(to_moderate) >= 2
    assert {(example_name(key), criterion_id) for key, criterion_id, _ in ADJUSTED_MARKS} == (
        to_moderate
    )
    assert all(marks.moderated is None for by in inputs.marks.values() for marks in by.values())


def test_meridian_crest_answered_both_price_questions_and_awaits_a_decision(
    seeded: Flask,
) -> None:
    with seeded.app_context():
        round_ = award_round()
        flagged = _bids()[FLAGGED_PROVIDER]
        checks = db.session.scalars(
            sa.select(PriceCheck).where(PriceCheck.round_id == round_.id).order_by(PriceCheck.id)
        ).all()
        commissioner = _user(staff_email("commissioner1", COUNCIL))
        provider = _user(provider_email(FLAGGED_PROVIDER))
        flags = round_result(round_inputs(round_)).bid(flagged.reference or "").flags
        closes = as_utc(round_.closes_at)
    assert [c.flag_code for c in checks] == ["abnormally_low", "wage_floor_not_funded"]
    assert {f.code for f in flags} == {c.flag_code for c in checks}
    for check in checks:
        assert check.bid_id == flagged.id
        assert check.status == PriceCheckStatus.ANSWERED.value
        assert check.asked_by_id == commissioner.id
        assert check.responded_by_id == provider.id
        assert "£24.50" in (check.question or "")
        assert "£12.71" in (check.response or "")
        assert check.asked_at is not None
        assert check.responded_at is not None
        assert closes < as_utc(check.asked_at) < as_utc(check.responded_at) < STANDING_AT
        assert check.decision is None
        assert check.decided_at is None
    assert "£32.14" in (checks[0].question or "")


def test_the_result_comes_from_submitted_marks_and_leaves_the_price_undecided(
    seeded: Flask,
) -> None:
    with seeded.app_context():
        round_ = award_round()
        inputs = round_inputs(round_)
        result = round_result(inputs)
        references = {key: bid.reference for key, bid in _bids().items()}
    assert {b.bid_id for b in result.bids} == set(references.values())
    assert not inputs.decisions
    flagged = result.bid(references[FLAGGED_PROVIDER] or "")
    assert flagged.flags
    assert all(flag.decision is None for flag in flagged.flags)
    # Every bid is marked by all three evaluators but the co-operative's, by two so far:
    # the one evaluation still awaited is Mei Lin's of that bid.
    evaluators_per_bid = {
        key: {len(result.bid(reference or "").criterion(c).marks) for c in EVALUATED}
        for key, reference in references.items()
    }
    awaited = {key for key, counts in evaluators_per_bid.items() if counts != {3}}
    assert awaited == {UNMARKED[1]}
    assert evaluators_per_bid[UNMARKED[1]] == {2}
    co_operative = result.bid(references[UNMARKED[1]] or "")
    marked_by = {m["evaluator"] for m in co_operative.criterion(EVALUATED[0]).marks}
    assert marked_by == {"Grace Okafor", "Daniel Hughes"}


def test_the_audit_log_tells_the_rounds_story_in_order_and_verifies(seeded: Flask) -> None:
    with seeded.app_context():
        round_ = award_round()
        events = round_events(round_)
        report = verify_log()
        people = {
            "commissioner": _user(staff_email("commissioner1", COUNCIL)).id,
            "evaluators": {_evaluator(mailbox).id for mailbox in EVALUATORS},
            "providers": {_user(provider_email(key)).id for key in AWARD_PROVIDERS},
            "flagged": _user(provider_email(FLAGGED_PROVIDER)).id,
        }
        open_actions = [e.action for e in round_events(demo_round())]
    assert report.ok
    assert report.checked >= len(events)
    marked = 3 * len(AWARD_PROVIDERS) - 1
    assert [e.action for e in events] == [
        "round.created",
        "round.published",
        *["bid.submitted"] * len(AWARD_PROVIDERS),
        "round.evaluators_changed",
        *["coi.declared"] * 3,
        *["price_check.asked"] * 2,
        *["marks.submitted"] * marked,
        *["price_check.answered"] * 2,
    ]
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    actors: dict[str, set[int | None]] = {e.action: set() for e in events}
    for event in events:
        actors[event.action].add(event.actor_id)
    assert actors["round.created"] == {people["commissioner"]}
    assert actors["round.evaluators_changed"] == {people["commissioner"]}
    assert actors["price_check.asked"] == {people["commissioner"]}
    assert actors["bid.submitted"] == people["providers"]
    assert actors["coi.declared"] == people["evaluators"]
    assert actors["marks.submitted"] == people["evaluators"]
    assert actors["price_check.answered"] == {people["flagged"]}
    assert all(e.after_digest for e in events)
    # The open round's history is there too: made, published, and its submitted bids.
    assert open_actions[:2] == ["round.created", "round.published"]
    assert set(open_actions[2:]) == {"bid.submitted"}


def test_the_demo_still_seeds_with_the_clock_just_after_midnight(app: Flask) -> None:
    """The story's last step (the provider's answer) stays in the past on the earliest day."""
    just_after_midnight = STANDING_AT.replace(hour=0, minute=5)
    app.config["CLOCK"] = lambda: just_after_midnight
    with app.app_context():
        seed_demo()
        checks = db.session.scalars(sa.select(PriceCheck)).all()
        latest = max(as_utc(c.responded_at) for c in checks if c.responded_at)
        assert verify_log().ok
    assert latest < just_after_midnight


def test_what_stands_between_the_round_and_the_board_is_the_walk_through(seeded: Flask) -> None:
    """One bid awaits Mei Lin's marks; two spreads await moderation; two flags, a decision."""
    with seeded.app_context():
        round_ = award_round()
        marking = marking_complete(round_)
        moderation = needs_moderation(round_)
        price = undecided_price_checks(round_)
    assert marking == [f"Mei Lin has not submitted marks for {example_name(UNMARKED[1])}."]
    assert len(moderation) == len(ADJUSTED_MARKS)
    titles = {criterion_title(LOADED.framework.criteria[c]) for _, c, _ in ADJUSTED_MARKS}
    assert titles == {reason.split("), ")[1].split(":")[0] for reason in moderation}
    assert len(price) == 2
    assert all(example_name(FLAGGED_PROVIDER) in reason for reason in price)
