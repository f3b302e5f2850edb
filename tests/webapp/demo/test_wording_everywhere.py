"""Every page and report of the demo speaks in words: no `$parameter` and no criterion id.

The demo is walked to its end (the last bid marked, the wide spreads moderated, the flagged
price decided, the results put to the board and approved), and every person's pages are
crawled from their landing page before and after the award, with the HTML twins of the
reports. The `commonweal` command's tables and one board pack and one assessment summary as
PDFs are read too. Ids inside links, names and ids of elements are fine: only what a person
reads counts.
"""

from __future__ import annotations

import io
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from criteria.cli import main as commonweal
from reports.cli import report
from tests.webapp.demo.seeding import LOADED, award_round
from webapp.demo import EVALUATORS, ROUND_FILE, UNMARKED, provider_email, staff_email
from webapp.demo.people import STAFF
from webapp.extensions import db
from webapp.models import Bid, BoardDecisionKind, User
from webapp.services.award import latest_submission, record_decision, submit_to_board
from webapp.services.evaluation import save_mark, submit_sheet, unmarked_criteria
from webapp.services.moderation import moderate, moderation_rows
from webapp.services.price_checks import Decision, decide, price_check_rows

COUNCIL = "Wellfield Borough Council"
FRAMEWORK = LOADED.framework
NAMES = frozenset(FRAMEWORK.criteria) | frozenset(FRAMEWORK.parameters)
"""Criterion ids and parameter names: words a person should never have to read."""
PARAMETER_REFERENCE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")
WORD = re.compile(r"[A-Za-z0-9_]+")
ALIKE_PAGES = 2
SKIPPED = re.compile(r"(\.pdf$|^/sign-out$|^/assets/|^/evidence/)")
"""PDF downloads (read once below), signing out, static files and uploaded documents."""


# --- reading text as a person sees it ---------------------------------------------------


class _VisibleText(HTMLParser):
    """The text of a page without its markup, scripts and styles, and the links it holds."""

    HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        # What a screen reader says is read too: labels and alternative text.
        for name in ("aria-label", "alt", "title", "placeholder"):
            if attributes.get(name):
                self.text.append(f" {attributes[name]} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def leaks(text: str) -> list[str]:
    """Each `$name` and each criterion id or parameter name in `text`, with what surrounds it."""
    found = []
    for match in PARAMETER_REFERENCE.finditer(text):
        found.append(_context(text, match.start(), match.end()))
    for match in WORD.finditer(text):
        if match.group() in NAMES:
            found.append(_context(text, match.start(), match.end()))
    return found


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 60) : end + 60].split())


def test_leaks_are_found_in_text_but_not_in_links_or_element_names() -> None:
    parser = _VisibleText()
    parser.feed(
        '<a href="/moderation/1/sv_narrative" id="sv_narrative">Further social value</a>'
        "<p>Moderate the mark for sv_narrative ($national_living_wage = £12.71)</p>"
    )
    found = leaks("".join(parser.text))
    assert len(found) == 3
    assert all("Moderate the mark for" in f for f in found)
    assert parser.links == ["/moderation/1/sv_narrative"]


# --- the demo walked to its end -------------------------------------------------------


def _staff(mailbox: str) -> User:
    email = staff_email(mailbox, COUNCIL)
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def _provider_users() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(User.organisation_id.is_not(None)).order_by(User.id)
        )
    )


def award_the_demo_round() -> None:
    """What a person would do next in the demo, through the same services the pages call."""
    round_ = award_round()
    commissioner, board = _staff("commissioner1"), _staff("board")
    mailbox, bid_key = UNMARKED
    assert mailbox in EVALUATORS
    evaluator = _staff(mailbox)
    bid = next(b for b in round_.bids if b.organisation.users[0].email == provider_email(bid_key))
    for criterion in unmarked_criteria(round_, evaluator, bid):
        save_mark(round_, evaluator, bid, criterion.id, 4, "A full answer with clear evidence.")
    submit_sheet(round_, evaluator, bid)
    for row in moderation_rows(round_):
        if row.needs_moderation:
            moderate(round_, row.bid, row.criterion.id, 3, "The panel agreed.", commissioner)
    decisions = iter((Decision.ACCEPT, Decision.DISREGARD))
    for row in price_check_rows(round_):
        if row.check is None or row.check.decision is None:
            bid_of_row = db.session.get(Bid, row.bid.id)
            assert bid_of_row is not None
            decide(
                round_,
                bid_of_row,
                row.flag.code,
                next(decisions),
                "Decided after reading the reply.",
                by=commissioner,
            )
    submit_to_board(round_, by=commissioner, note=None)
    submission = latest_submission(round_)
    assert submission is not None
    record_decision(submission, by=board, decision=BoardDecisionKind.APPROVE, comments="Approved.")


def _signed_in(app: Flask, session_key: str) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_key
        session["_fresh"] = True
    return client


def _shape(link: str) -> str:
    """A link with its ids blanked: `/rounds/N/moderation/N/C`, so like pages are counted."""
    segments = ["N" if s.isdigit() else "C" if s in NAMES else s for s in link.split("/")]
    return "/".join(segments)


def _crawl(client: FlaskClient) -> Iterator[tuple[str, str]]:
    """(path, visible text) of the HTML pages reachable by links from the landing page; of
    pages alike but for their ids (a mark per bid and criterion), the first few."""
    queue, seen, shapes = deque(["/"]), {"/"}, Counter[str]()
    while queue:
        path = queue.popleft()
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _VisibleText()
        parser.feed(response.get_data(as_text=True))
        yield path, "".join(parser.text)
        for link in _internal(parser.links):
            shape = _shape(link)
            if link not in seen and shapes[shape] < ALIKE_PAGES:
                seen.add(link)
                shapes[shape] += 1
                queue.append(link)


def _internal(links: Iterable[str]) -> Iterator[str]:
    for href in links:
        link = urldefrag(href).url
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if not SKIPPED.search(parts.path):
            yield link


def _people(app: Flask, *, providers: bool) -> list[tuple[str, str]]:
    """(email, session key) of the council's staff and, if asked, of every provider."""
    with app.app_context():
        users = [_staff(mailbox) for _, mailbox, _ in STAFF]
        users += _provider_users() if providers else []
        return [(u.email, f"{u.id}:{u.session_version}") for u in users]


def _crawl_everyone(app: Flask, *, providers: bool = True) -> tuple[set[str], list[str]]:
    """Every page each person reaches, and the leaks found on them."""
    # Outside an app context, so each request loads its own signed-in user.
    reached, found = set(), []
    for email, session_key in _people(app, providers=providers):
        for path, text in _crawl(_signed_in(app, session_key)):
            reached.add(path)
            found += [f"{email} {path}: …{leak}…" for leak in leaks(text)]
    return reached, found


@pytest.mark.one_database
def test_no_page_of_the_demo_shows_a_parameter_name_or_a_criterion_id(seeded: Flask) -> None:
    # Before the award the staff have marking, moderation and price pages to see; what the
    # providers see then, they see afterwards too, with their outcomes.
    before, found = _crawl_everyone(seeded, providers=False)
    with seeded.test_request_context():
        award_the_demo_round()
    after, found_after = _crawl_everyone(seeded)

    for pages in (before, after):
        assert any("/moderation/" in p for p in pages)
        assert any("/price-checks/" in p for p in pages)
        assert any(p.endswith("/reports/board-pack") for p in pages)
    assert any("/evaluation/rounds/" in p and "/criteria/" in p for p in before)
    assert any(p.endswith("/self-assessment/results") for p in after)
    assert any(p.endswith("/self-assessment/report") for p in after)
    assert any(p.endswith("/outcome") for p in after)
    assert any(p.endswith("/assessment-summary") for p in after)
    assert any("/reports/summaries/" in p for p in after)
    assert any(p.startswith("/board/rounds/") for p in after)
    problems = sorted(set(found + found_after))
    assert not problems, f"{len(problems)} leaks:\n" + "\n".join(problems)


# --- the command and the PDFs ---------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("score", str(ROUND_FILE), "--explain"), id="explain"),
        pytest.param(("score", str(ROUND_FILE)), id="price-flags"),
    ],
)
def test_the_command_line_tables_speak_in_words(args: tuple[str, ...]) -> None:
    outcome = CliRunner().invoke(commonweal, list(args))

    assert outcome.exit_code == 0, outcome.output
    assert "Price flags:" in outcome.output
    assert leaks(outcome.output) == []


def _pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_board_pack_and_an_assessment_summary_speak_in_words(tmp_path: Path) -> None:
    flagged = "meridian-crest"
    pack, summary = tmp_path / "pack.pdf", tmp_path / "summary.pdf"
    for args in (
        ("board-pack", str(ROUND_FILE), "-o", str(pack), "--samples", "200"),
        ("assessment-summary", str(ROUND_FILE), "--bid", flagged, "-o", str(summary)),
    ):
        outcome = CliRunner().invoke(report, list(args))
        assert outcome.exit_code == 0, outcome.output

    pack_text, summary_text = _pdf_text(pack), _pdf_text(summary)
    assert "Price analysis" in pack_text
    assert "Meridian Crest" in summary_text
    assert leaks(pack_text) == []
    assert leaks(summary_text) == []
