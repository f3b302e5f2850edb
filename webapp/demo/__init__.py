"""Demo data: a council's staff, the example round's eight providers, a round open for bids and
a closed round whose evaluation is under way.

`seed_demo()` fills an empty database so a person can try Commonweal at once: staff users for
every role, the providers of `examples/homecare-2026/round.yaml` with their profiles, and a
published round that opened a week ago and closes in two weeks (relative to `webapp.clock.now`).
Most providers have submitted the example answers (with the documents the framework requires)
and have scored themselves in a self-assessment; one has a draft bid; the co-operative has no
bid yet, so whoever signs in as it can complete and submit one.

A second round closed two days ago with five submitted bids (`webapp.demo.award`): evaluators
have declared no conflicts and submitted their marks, except one bid left for Mei Lin to mark;
nothing is moderated, and Meridian Crest's answered price checks await a decision. So a person
can walk the award: mark, moderate, decide, submit to the board, approve, see the outcome.
Every record made is also in the audit log, in the order it happened in that story.

Running it again changes nothing. `flask --app webapp seed-demo` runs it and prints the
sign-ins and how to walk the award (`seed_report`).
"""

from __future__ import annotations

from webapp.demo.people import (
    AWARD_PROVIDERS,
    AWARD_ROUND_REFERENCE,
    AWARD_ROUND_TITLE,
    DEMO_PASSWORD,
    DEMO_ROUND_REFERENCE,
    DRAFT_PROVIDER,
    EVALUATORS,
    FLAGGED_PROVIDER,
    NO_BID_PROVIDER,
    ROUND_FILE,
    STAFF,
    UNMARKED,
    provider_email,
    staff_email,
)
from webapp.demo.report import DemoRound, DemoSummary, SignIn, seed_report, sign_in_table
from webapp.demo.seed import DemoRefusedError, in_use_without_demo, seed_demo, stored_answers

__all__ = [
    "AWARD_PROVIDERS",
    "AWARD_ROUND_REFERENCE",
    "AWARD_ROUND_TITLE",
    "DEMO_PASSWORD",
    "DEMO_ROUND_REFERENCE",
    "DRAFT_PROVIDER",
    "EVALUATORS",
    "FLAGGED_PROVIDER",
    "NO_BID_PROVIDER",
    "ROUND_FILE",
    "STAFF",
    "UNMARKED",
    "DemoRefusedError",
    "DemoRound",
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
