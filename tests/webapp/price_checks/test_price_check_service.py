"""The price-check service: what still needs deciding, the steps' rules, and the engine's use."""

from __future__ import annotations

import pytest

from tests.webapp.award_world import EVALUATED, FLAGGED, AwardWorld
from tests.webapp.price_checks.checks import CODE, OTHER_CODE, RESPONSE, write_check
from webapp.extensions import db
from webapp.models import Organisation, PriceCheck, User
from webapp.services.award import EvaluationLockedError
from webapp.services.price_checks import (
    Decision,
    PriceCheckNotAllowedError,
    PriceCheckNotFoundError,
    PriceCheckRefusedError,
    answer,
    ask,
    decide,
    open_questions_for,
    price_check_rows,
    undecided_price_checks,
)
from webapp.services.results import round_inputs, round_result


def _user(user: User) -> User:
    found = db.session.get(User, user.id)
    assert found is not None
    return found


def _decide_both(award: AwardWorld, decision: Decision) -> None:
    # A request context: asking emails the provider a link to the page.
    with award.app.test_request_context():
        round_, bid = award.round(), award.bid(FLAGGED)
        commissioner = _user(award.commissioner)
        for code in (CODE, OTHER_CODE):
            ask(round_, bid, code, "Please explain.", by=commissioner)
            decide(round_, bid, code, decision, "Read the answer.", by=commissioner)


def test_every_undecided_flag_is_a_reason_until_decided(award: AwardWorld) -> None:
    award.mark_all()
    with award.app.app_context():
        bid = award.bid(FLAGGED)
        reasons = undecided_price_checks(award.round())
        assert len(reasons) == 2
        assert reasons[0].startswith(f"Bid {bid.reference} ({bid.organisation.name}): ")
        assert "abnormally low price needs a decision (not asked)" in reasons[0]
    _decide_both(award, Decision.ACCEPT)
    with award.app.app_context():
        assert undecided_price_checks(award.round()) == []


def test_flags_on_a_bid_excluded_for_other_reasons_need_no_decision(award: AwardWorld) -> None:
    award.mark_all(spread={(FLAGGED, c): (0, 0, 0) for c in EVALUATED})
    with award.app.app_context():
        rows = price_check_rows(award.round())
        assert [r.code for r in rows] == [CODE, OTHER_CODE]
        assert all(r.excluded_otherwise for r in rows)
        assert undecided_price_checks(award.round()) == []


def test_disregard_excludes_the_bid_with_the_reason(award: AwardWorld) -> None:
    award.mark_all()
    _decide_both(award, Decision.DISREGARD)
    with award.app.app_context():
        result = round_result(round_inputs(award.round()))
        flagged = result.bid(award.bid(FLAGGED).reference or "")
        assert flagged.status == "excluded"
        reasons = [e.reason for e in flagged.exclusions if e.kind == "disregarded"]
        assert len(reasons) == 2
        assert all("Decided without an answer from the provider" in r for r in reasons)


def test_accept_keeps_the_bid_ranked(award: AwardWorld) -> None:
    award.mark_all()
    _decide_both(award, Decision.ACCEPT)
    with award.app.app_context():
        result = round_result(round_inputs(award.round()))
        flagged = result.bid(award.bid(FLAGGED).reference or "")
        assert flagged.status == "ranked"
        assert {f.decision for f in flagged.flags} == {"accept"}


def test_asking_again_after_an_answer_is_refused(award: AwardWorld) -> None:
    write_check(award, status="answered")
    with award.app.app_context():
        with pytest.raises(PriceCheckRefusedError, match="already answered"):
            ask(award.round(), award.bid(FLAGGED), CODE, "Again?", by=_user(award.commissioner))
        [check] = db.session.scalars(db.select(PriceCheck)).all()
        assert check.response == RESPONSE


def test_asking_about_a_flag_the_bid_does_not_raise_is_not_found(award: AwardWorld) -> None:
    with award.app.app_context(), pytest.raises(PriceCheckNotFoundError):
        ask(award.round(), award.bid("kestrel"), CODE, "Why?", by=_user(award.commissioner))


@pytest.mark.parametrize("who", ["evaluator", "board"])
def test_only_commissioners_and_admins_ask_and_decide(award: AwardWorld, who: str) -> None:
    user = award.evaluators[0] if who == "evaluator" else award.board
    write_check(award, status="answered")
    with award.app.app_context():
        round_, bid = award.round(), award.bid(FLAGGED)
        with pytest.raises(PriceCheckNotAllowedError):
            ask(round_, bid, OTHER_CODE, "Why?", by=_user(user))
        with pytest.raises(PriceCheckNotAllowedError):
            decide(round_, bid, CODE, Decision.ACCEPT, "Fine", by=_user(user))


def test_decisions_are_refused_once_awarded(award: AwardWorld) -> None:
    write_check(award, status="answered")
    award.approve()
    with award.app.app_context(), pytest.raises(EvaluationLockedError):
        decide(
            award.round(),
            award.bid(FLAGGED),
            CODE,
            Decision.ACCEPT,
            "Fine",
            by=_user(award.commissioner),
        )


def test_only_the_bidders_own_users_may_answer(award: AwardWorld) -> None:
    check_id = write_check(award)
    with award.app.test_request_context():
        check = db.session.get(PriceCheck, check_id)
        assert check is not None
        with pytest.raises(PriceCheckNotFoundError):
            answer(check, "Not ours", by=_user(award.providers["kestrel"]))
        answer(check, RESPONSE, by=_user(award.providers[FLAGGED]))
        assert check.status == "answered"


def test_open_questions_are_the_organisations_unanswered_ones(award: AwardWorld) -> None:
    first = write_check(award, CODE)
    write_check(award, OTHER_CODE, status="answered")
    with award.app.app_context():
        flagged = db.session.get(Organisation, award.bid(FLAGGED).organisation_id)
        other = db.session.get(Organisation, award.bid("kestrel").organisation_id)
        assert flagged is not None
        assert other is not None
        assert [c.id for c in open_questions_for(flagged)] == [first]
        assert open_questions_for(other) == []
