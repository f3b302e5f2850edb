"""Addresses of the moderation pages in the award world, and reading their tables."""

from __future__ import annotations

from flask.testing import FlaskClient

from criteria.wording import criterion_title
from tests.webapp.award_world import EVALUATED, EXAMPLE, AwardWorld
from tests.webapp.forms_helper import csrf_token_of
from webapp.models import User

CRITERION = EVALUATED[0]
"""The criterion most tests moderate."""


def table_url(award: AwardWorld, show: str | None = None) -> str:
    query = f"?show={show}" if show else ""
    return f"/commissioning/rounds/{award.round_id}/moderation{query}"


def mark_url(award: AwardWorld, key: str, criterion_id: str = CRITERION) -> str:
    return f"/commissioning/rounds/{award.round_id}/moderation/{award.bid_ids[key]}/{criterion_id}"


def text_of(html: str) -> str:
    """The page's text with its whitespace collapsed, for phrases that span lines."""
    return " ".join(html.split())


def table_rows(html: str) -> list[str]:
    """The text of each body row of the moderation table, in page order."""
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [text_of(row) for row in body.split('<tr class="govuk-table__row">')[1:]]


def row_for(html: str, bidder: str, criterion_id: str) -> str:
    title = criterion_title(EXAMPLE.framework.criteria[criterion_id])
    found = [row for row in table_rows(html) if bidder in row and f" {title} " in row]
    assert len(found) == 1, f"expected one row for {bidder}, {criterion_id}: {found}"
    return found[0]


def client_with_token(award: AwardWorld, user: User | None) -> tuple[FlaskClient, str]:
    """A client signed in as `user` (or signed out) holding a valid CSRF token, so that a
    refused POST is refused for who sent it, not for a missing token."""
    client = award.app.test_client()
    token = csrf_token_of(client, "/sign-in")
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = f"{user.id}:{user.session_version}"
            session["_fresh"] = True
    return client, token
