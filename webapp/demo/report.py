"""What `flask seed-demo` prints: what was made, the demo round, and a table of sign-ins."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from webapp.clock import london_text
from webapp.demo.people import NO_BID_PROVIDER, provider_email
from webapp.models import Role


@dataclass(frozen=True)
class SignIn:
    role: Role
    name: str
    email: str
    organisation: str = ""


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
    lines += ["", sign_in_table(summary)]
    return "\n".join(lines)
