"""A commissioner sees the demo round sealed, uploads a framework and creates a round from it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from criteria.catalogue import builtin_paths
from tests.browser.conftest import LiveServer
from tests.browser.journey import Journey
from webapp.demo import DEMO_PASSWORD, DEMO_ROUND_REFERENCE, staff_email
from webapp.extensions import db
from webapp.models import Bid, BidStatus, CommissioningRound, Organisation

COMMISSIONER = staff_email("commissioner1", "Wellfield Borough Council")
COUNCIL_VERSION = "2026.1-wellfield"


def _council_framework(directory: Path) -> Path:
    """The built-in ethical-care framework as a council adapts it: a version of its own."""
    source = next(p for p in builtin_paths() if p.name == "ethical-care.yaml")
    text = source.read_text(encoding="utf-8")
    assert 'version: "2026.1"\n' in text
    adapted = directory / "wellfield-ethical-care.yaml"
    adapted.write_text(text.replace('version: "2026.1"\n', f'version: "{COUNCIL_VERSION}"\n', 1))
    return adapted


def _submitted_and_bidders(live_server: LiveServer) -> tuple[int, list[str]]:
    with live_server.app.app_context():
        submitted = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Bid)
            .join(Bid.round)
            .where(
                CommissioningRound.reference == DEMO_ROUND_REFERENCE,
                Bid.status == BidStatus.SUBMITTED.value,
            )
        )
        names = list(db.session.scalars(sa.select(Organisation.name).join(Organisation.bids)))
    return submitted or 0, names


def test_a_commissioner_sees_the_round_sealed_and_creates_one_from_an_uploaded_framework(
    journey: Journey, live_server: LiveServer, tmp_path: Path
) -> None:
    journey.sign_in(COMMISSIONER, DEMO_PASSWORD)
    journey.expect_heading("Commissioning rounds")

    # The demo round is open: only how many bids are in, never who made them.
    submitted, bidders = _submitted_and_bidders(live_server)
    assert submitted > 0
    assert bidders
    row = journey.page.locator("tr", has_text=DEMO_ROUND_REFERENCE)
    assert row.locator("td").last.inner_text().strip() == str(submitted)
    assert not [name for name in bidders if name in journey.main_text()]
    journey.navigate_by(row.get_by_role("link"))
    main = journey.main_text()
    assert f"{submitted} bids submitted" in main
    assert "sealed" in main
    assert not [name for name in bidders if name in main]

    # Upload the council's own version of the framework.
    journey.click("Frameworks")
    journey.click("Upload a framework", role="button")
    journey.page.locator('input[type="file"]').set_input_files(_council_framework(tmp_path))
    journey.submit("Upload and check")
    assert not journey.error_summary(), journey.error_summary()
    assert "uploaded" in journey.banners()
    assert COUNCIL_VERSION in journey.main_text()

    # Create a round scored against it.
    journey.click("Rounds")
    journey.click("Create a round", role="button")
    journey.fill("Title", "Homecare in the east of the borough 2027 to 2030")
    journey.choose("Homecare")
    framework = journey.page.get_by_role("group", name="Framework")
    framework.get_by_label(f"version {COUNCIL_VERSION} (uploaded", exact=False).check()
    for legend, (day, month, year) in {
        "Opening date": ("1", "3", "2030"),
        "Closing date": ("30", "4", "2030"),
    }.items():
        group = journey.page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    journey.fill("Opening time", "9am")
    journey.fill("Closing time", "12pm")
    journey.choose("No, any registered provider can bid")
    journey.submit("Create round")
    assert not journey.error_summary(), journey.error_summary()
    journey.expect_heading("Homecare in the east of the borough 2027 to 2030")
    main = journey.main_text()
    assert f"version {COUNCIL_VERSION}" in main
    assert "1 March 2030 at 9:00am" in main
    assert "30 April 2030 at midday" in main
