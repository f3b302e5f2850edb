"""A bid journey for tests: rounds, signed-in providers, and pages posted as a browser would.

`BidWorld` stands the app at a fixed time (`NOW`, changed with `at`), makes published rounds of
the built-in ethical-care framework and drives the provider pages with the test client: every
post reads the page first and sends back its CSRF token and hidden bid `version`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.provider.page_forms import FormPage, read_form
from webapp.extensions import db
from webapp.models import Bid, CommissioningRound, Organisation, Role, RoundStatus, User
from webapp.services.frameworks import latest_builtin

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
"""Where the tests stand: a Monday in March 2027, a month before the deadline."""
CLOSES_AT = datetime(2027, 4, 1, 11, 0, tzinfo=UTC)
"""The deadline of the rounds made here: midday in London (summer time)."""

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

SECTION_ANSWERS: dict[str, dict[str, Any]] = {
    "fair_work": {
        "fw_lowest_hourly_pay": "13.50",
        "fw_paid_travel_time": "yes",
        "fw_mileage_rate": "0.45",
        "fw_zero_hours_share": "5",
        "fw_guaranteed_hours_offer": "yes",
        "fw_sick_pay": "occupational",
        "fw_no_short_visits": "yes",
        "fw_training_in_work_time": "yes",
        "fw_continuity_of_worker": "85",
        "fw_staff_voice": ["staff_forum", "paid_team_meetings"],
        "fw_ethical_care_charter": "stage_2",
        "fw_narrative": "We pay the Real Living Wage and meet our workers every month.",
    },
    "local_ownership": {
        "lo_ownership_form": "cooperative",
        "lo_registered_office": "WN1 1AA",
        "lo_local_staff_share": "80",
        "lo_local_supply_spend": "45",
        "lo_profit_extraction": "0",
        "lo_narrative": "Our members own the business and live in the borough.",
    },
    "social_value": {
        "sv_local_jobs": "4.5",
        "sv_apprenticeships": "2",
        "sv_volunteering_hours": "120",
        "sv_carbon_plan": "plan",
        "sv_codesign": "People who draw on care sit on our design group.",
        "sv_narrative": "We buy from local suppliers and train local people.",
    },
    "quality": {
        "q_cqc_registered": "yes",
        "q_cqc_provider_id": "1-123456789",
        "q_cqc_rating": "good",
        "q_person_centred": "Care plans are written with each person.",
        "q_safeguarding": "Every worker is trained and concerns go to a named lead.",
    },
    "price": {"pr_hourly_rate": "33.50"},
}
"""A complete answer to every section of the built-in framework, as a browser posts it."""

SECTION_DOCUMENTS: dict[str, dict[str, str]] = {
    "local_ownership": {"lo_profit_extraction-evidence": "accounts.pdf"},
    "quality": {"q_safeguarding-evidence": "safeguarding.pdf"},
}
"""The documents a complete answer needs: field name -> file name (the bytes are a PDF)."""


class BidWorld:
    """The app, its clock and a client signed in as a provider."""

    def __init__(
        self,
        app: Flask,
        client: FlaskClient,
        make_user: Callable[..., User],
        sign_in: Callable[[User], FlaskClient],
    ) -> None:
        self.app = app
        self.client = client
        self.make_user = make_user
        self._sign_in = sign_in
        self.now = NOW
        app.config["CLOCK"] = lambda: self.now
        self._rounds = iter(range(1, 1000))

    # --- time ------------------------------------------------------------------------

    def at(self, moment: datetime) -> None:
        self.now = moment

    # --- rounds and people ---------------------------------------------------------------

    def round(self, **fields: Any) -> int:
        """A published round of the built-in framework, open at NOW, closing at CLOSES_AT."""
        number = next(self._rounds)
        with self.app.app_context():
            version = latest_builtin()
            values: dict[str, Any] = {
                "reference": f"WGN-2027-{number:03d}",
                "title": f"Homecare round {number}",
                "service": "homecare",
                "framework_version_id": version.id,
                "parameters": {},
                "opens_at": NOW - timedelta(days=7),
                "closes_at": CLOSES_AT,
                "invite_only": False,
                "status": RoundStatus.PUBLISHED.value,
            }
            values.update(fields)
            round_ = CommissioningRound(**values)
            db.session.add(round_)
            db.session.commit()
            return round_.id

    def provider(self, organisation_id: int | None = None, **org_fields: Any) -> User:
        """A provider user (a new organisation unless one is given), signed in."""
        with self.app.app_context():
            organisation = None
            if organisation_id is not None:
                organisation = db.session.get(Organisation, organisation_id)
            elif org_fields:
                organisation = Organisation(name="Wellfield Care Co-operative", **org_fields)
                db.session.add(organisation)
                db.session.commit()
            user = self.make_user(Role.PROVIDER, organisation=organisation)
        self.sign_in(user)
        return user

    def sign_in(self, user: User) -> FlaskClient:
        return self._sign_in(user)

    # --- pages ---------------------------------------------------------------------------

    def start(self, round_id: int, *, page: str = "/provider/") -> int:
        """Start (or open) the organisation's bid from the dashboard; return its id.

        `page` is where the CSRF token is read (the dashboard shows "Start a bid" only for a
        round the organisation has no bid in yet).
        """
        response = self.post(f"/provider/rounds/{round_id}/bid", {}, page=page)
        assert response.status_code == 302, response.status_code
        return int(response.headers["Location"].rstrip("/").split("/")[-1])

    def page(self, url: str) -> tuple[TestResponse, FormPage]:
        response = self.client.get(url)
        return response, read_form(response.get_data(as_text=True))

    def post(
        self,
        url: str,
        data: Mapping[str, Any],
        *,
        page: str | None = None,
        files: Mapping[str, str] | None = None,
        opened: FormPage | None = None,
    ) -> TestResponse:
        """POST `data` with the CSRF token (and bid version, if any) of the page at `page`.

        `opened` posts from a page read earlier instead, as a second browser tab would.
        """
        form = opened or self.page(page or url)[1]
        body: dict[str, Any] = {"csrf_token": form.value("csrf_token")}
        if form.value("version") is not None:
            body["version"] = form.value("version")
        body.update(data)
        for name, filename in (files or {}).items():
            body[name] = (BytesIO(PDF), filename)
        return self.client.post(
            url, data=body, content_type="multipart/form-data" if files else None
        )

    def save(
        self,
        bid_id: int,
        section: str,
        data: Mapping[str, Any] | None = None,
        *,
        action: str = "continue",
        files: Mapping[str, str] | None = None,
        opened: FormPage | None = None,
    ) -> TestResponse:
        url = section_url(bid_id, section)
        answers = SECTION_ANSWERS[section] if data is None else data
        if files is None and data is None:
            files = SECTION_DOCUMENTS.get(section)
        # A submitted bid's section opens once its provider has read what changing it means.
        page = f"{url}?change=confirmed"
        return self.post(url, {**answers, "action": action}, page=page, files=files, opened=opened)

    def complete(self, bid_id: int) -> None:
        """Answer every section fully, with the documents asked for."""
        for section in SECTION_ANSWERS:
            response = self.save(bid_id, section)
            assert response.status_code == 302, (section, response.get_data(as_text=True))

    def submit(self, bid_id: int, name: str = "Alex Jones") -> TestResponse:
        return self.post(
            f"/provider/bids/{bid_id}/submit",
            {"confirm": "y", "full_name": name},
            page=f"/provider/bids/{bid_id}/check",
        )

    # --- the database ----------------------------------------------------------------------

    def bid(self, bid_id: int) -> Bid:
        """The bid as stored now (detached)."""
        with self.app.app_context():
            bid = db.session.get(Bid, bid_id)
            assert bid is not None
            db.session.expunge(bid)
            return bid


def section_url(bid_id: int, section: str) -> str:
    return f"/provider/bids/{bid_id}/sections/{section}"
