"""What `flask seed-demo` prints: what was made, the demo round, and a table of sign-ins."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from webapp.clock import london_text
from webapp.demo.people import (
    AWARD_BOARD_MEMBER,
    AWARD_COMMISSIONER,
    FLAGGED_PROVIDER,
    NO_BID_PROVIDER,
    UNMARKED,
    provider_email,
    staff_email,
)
from webapp.models import Role


@dataclass(frozen=True)
class SignIn:
    role: Role
    name: str
    email: str
    organisation: str = ""


@dataclass(frozen=True)
class DemoRound:
    reference: str
    title: str
    closes_at: datetime


@dataclass
class DemoSummary:
    """What a seeding run made (nothing on a second run) and how to sign in."""

    council: str
    password: str
    round_reference: str
    round_title: str
    closes_at: datetime
    sign_ins: list[SignIn] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)
    """How many of each kind of record were made, by singular name ("user", "bid")."""
    award_round: DemoRound | None = None
    """The closed round whose evaluation is under way, for walking through an award."""

    @property
    def changed(self) -> bool:
        return sum(self.created.values()) > 0


def sign_in_table(summary: DemoSummary) -> str:
    """The demo sign-ins as a plain-text table, with the shared password below it."""
    headings = ("Role", "Name", "Email", "Organisation")
    rows = [(s.role.label, s.name, s.email, s.organisation) for s in summary.sign_ins]
    widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    rule = "  ".join("-" * width for width in widths)
    body = [line(headings).rstrip(), rule, *(line(row).rstrip() for row in rows)]
    body += ["", f"Password for every demo account: {summary.password}"]
    return "\n".join(body)


def seed_report(summary: DemoSummary) -> str:
    """What was made (or that nothing was), the demo round, and how to sign in."""
    if summary.changed:
        made = ", ".join(
            f"{count} {what}{'' if count == 1 else 's'}"
            for what, count in summary.created.items()
            if count
        )
        lines = [f"Created demo data for {summary.council}: {made}."]
    else:
        lines = [f"The demo data for {summary.council} is already in place; nothing changed."]
    lines.append(
        f"Round {summary.round_reference}, {summary.round_title}: "
        f"open for bids until {london_text(summary.closes_at)}."
    )
    left_open = provider_email(NO_BID_PROVIDER)
    trying = next((s for s in summary.sign_ins if s.email == left_open), None)
    if trying is not None:
        lines.append(
            f"{trying.organisation} was left without a demo bid: sign in as {trying.email} "
            "to write and submit one."
        )
    lines += _award_walk(summary)
    lines += ["", sign_in_table(summary)]
    return "\n".join(lines)


def _award_walk(summary: DemoSummary) -> list[str]:
    """How to take the closed round from marking to the provider's outcome, a step a line."""
    award = summary.award_round
    if award is None:
        return []
    evaluator, unmarked = UNMARKED
    by_email = {s.email: s for s in summary.sign_ins}

    def who(email: str) -> str:
        person = by_email.get(email)
        return f"{email} ({person.name})" if person else email

    def organisation(bid_id: str) -> str:
        person = by_email.get(provider_email(bid_id))
        return person.organisation if person else bid_id

    commissioner = staff_email(AWARD_COMMISSIONER, summary.council)
    return [
        "",
        f"Round {award.reference}, {award.title}: closed on {london_text(award.closes_at)}; "
        "its evaluation is under way. To walk through the award, sign in as:",
        f"  1. {who(staff_email(evaluator, summary.council))}: mark "
        f"{organisation(unmarked)}'s bid, the one left to mark.",
        f"  2. {who(commissioner)}: moderate the marks that differ, decide "
        f"{organisation(FLAGGED_PROVIDER)}'s price checks,",
        "     and submit the results to the board.",
        f"  3. {who(staff_email(AWARD_BOARD_MEMBER, summary.council))}: approve the award.",
        f"  4. {who(provider_email(unmarked))}: see {organisation(unmarked)}'s outcome.",
    ]
