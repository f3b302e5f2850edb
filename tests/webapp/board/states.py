"""Award states the results, board and outcome tests start from, written as rows.

`AwardWorld.submit_to_board` stores placeholder digests; a board decision needs the real ones,
so these helpers compute them from the round's stored inputs, as the service does.
"""

from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.award_world import AwardWorld
from tests.webapp.forms_helper import csrf_token_of
from webapp.extensions import db
from webapp.models import BoardSubmission, User
from webapp.services.award import result_digest
from webapp.services.results import round_inputs, round_result


def evaluated(award: AwardWorld) -> None:
    """Every bid marked by every evaluator and both price flags accepted: ready for the board."""
    award.mark_all()
    award.decide_price_checks("accept")


def submitted(award: AwardWorld, note: str | None = None) -> int:
    """The round's current results put to the board, as `award.submit_to_board` would record."""
    with award.app.app_context():
        round_ = award.round()
        inputs = round_inputs(round_)
        result = round_result(inputs)
        winner = result.winner
        submission = BoardSubmission(
            round_id=round_.id,
            submitted_by_id=award.commissioner.id,
            submitted_at=award.now,
            inputs_digest=inputs.digest,
            result_digest=result_digest(result.to_json()),
            recommended_bid_id=inputs.row_of(winner.bid_id).id if winner else None,
            note=note,
        )
        db.session.add(submission)
        db.session.commit()
        return submission.id


def decided(award: AwardWorld, submission_id: int, decision: str, comments: str = "") -> None:
    with award.app.app_context():
        submission = db.session.get(BoardSubmission, submission_id)
        assert submission is not None
        submission.decision = decision
        submission.comments = comments or None
        submission.decided_by_id = award.board.id
        submission.decided_at = award.now
        db.session.commit()


def awarded(award: AwardWorld) -> int:
    """Evaluated, submitted and approved: outcomes are published."""
    evaluated(award)
    submission_id = submitted(award)
    decided(award, submission_id, "approve", "Approved as recommended.")
    return submission_id


def page_text(response: TestResponse) -> str:
    """The words of a page's main content, tags removed and spaces collapsed."""
    html = response.get_data(as_text=True)
    main = html[html.find("<main") : html.find("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r"</?(strong|a|span|code|em)\b[^>]*>", "", main)  # inline: no word break
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def client_with_token(award: AwardWorld, user: User) -> tuple[FlaskClient, str]:
    """A client signed in as `user` and a valid CSRF token, so a refusal is the role's own."""
    client = award.app.test_client()
    token = csrf_token_of(client, "/sign-in")
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_version}"
        session["_fresh"] = True
    return client, token
