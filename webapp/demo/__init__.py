"""Demo data: a council's staff, the example round's eight providers and a round in progress.

`seed_demo()` fills an empty database so a person can try Commonweal at once: staff users for
every role, the providers of `examples/homecare-2026/round.yaml` with their profiles, and a
published round that opened a week ago and closes in two weeks (relative to `webapp.clock.now`).
Most providers have submitted the example answers (with the documents the framework requires)
and have scored themselves in a self-assessment; one has a draft bid; the co-operative has no
bid yet, so whoever signs in as it can complete and submit one. Running it again changes
nothing. `flask --app webapp seed-demo` runs it and prints the sign-ins (`seed_report`).
"""

from __future__ import annotations

from webapp.demo.people import (
    DEMO_PASSWORD,
    DEMO_ROUND_REFERENCE,
    DRAFT_PROVIDER,
    NO_BID_PROVIDER,
    ROUND_FILE,
    STAFF,
    provider_email,
    staff_email,
)
from webapp.demo.report import DemoSummary, SignIn, seed_report, sign_in_table
from webapp.demo.seed import DemoRefusedError, in_use_without_demo, seed_demo, stored_answers

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_ROUND_REFERENCE",
    "DRAFT_PROVIDER",
    "NO_BID_PROVIDER",
    "ROUND_FILE",
    "STAFF",
    "DemoRefusedError",
    "DemoSummary",
    "SignIn",
    "in_use_without_demo",
    "provider_email",
    "seed_demo",
    "seed_report",
    "sign_in_table",
    "staff_email",
    "stored_answers",
]
