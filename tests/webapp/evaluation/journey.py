"""Steps of the evaluator's journey through the pages, for the evaluation tests."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.award_world import EVALUATED, AwardWorld
from tests.webapp.forms_helper import post_form

JUSTIFICATION = "The answer gives clear, specific evidence for this mark."


def round_url(award: AwardWorld) -> str:
    return f"/evaluation/rounds/{award.round_id}"


def bid_url(award: AwardWorld, key: str, tail: str = "") -> str:
    return f"{round_url(award)}/bids/{award.bid_ids[key]}{tail}"


def criterion_url(award: AwardWorld, key: str, criterion_id: str) -> str:
    return bid_url(award, key, f"/criteria/{criterion_id}")


def declare(
    client: FlaskClient, award: AwardWorld, conflicts: dict[str, str] | None = None
) -> TestResponse:
    """Declare through the page: no conflict, except `conflicts` (bid key -> details)."""
    conflicts = conflicts or {}
    data: dict[str, str] = {}
    for key, bid_id in award.bid_ids.items():
        data[f"bid_{bid_id}"] = "yes" if key in conflicts else "no"
        data[f"details_{bid_id}"] = conflicts.get(key, "")
    return post_form(client, f"{round_url(award)}/conflicts", data)


def mark(
    client: FlaskClient, award: AwardWorld, key: str, criterion_id: str, points: int = 3
) -> TestResponse:
    return post_form(
        client,
        criterion_url(award, key, criterion_id),
        {"points": str(points), "justification": JUSTIFICATION},
    )


def mark_bid(client: FlaskClient, award: AwardWorld, key: str, points: int = 3) -> None:
    for criterion_id in EVALUATED:
        response = mark(client, award, key, criterion_id, points)
        assert response.status_code == 302, response.get_data(as_text=True)


def submit(client: FlaskClient, award: AwardWorld, key: str) -> TestResponse:
    return post_form(client, bid_url(award, key, "/check"), {})
