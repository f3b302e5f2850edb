"""Who is in the demo: the council's staff, the providers' bid contacts, and the shared password.

The providers themselves (names, answers) come from the example round file; only what that
file does not hold (a contact, registration numbers, headcount) is written here.
"""

from __future__ import annotations

from dataclasses import dataclass

from config import PROJECT_ROOT
from webapp.models import Role

DEMO_PASSWORD = "demo-password-2026"
"""Shared by every demo account. Printed by `make run`; never used outside a local demo."""

ROUND_FILE = PROJECT_ROOT / "examples" / "homecare-2026" / "round.yaml"
DEMO_ROUND_REFERENCE = "DEMO-HOMECARE-2026"

NO_BID_PROVIDER = "hollin-brook"
"""The co-operative has not started its bid: it is left for a person trying the demo."""
DRAFT_PROVIDER = "rise-together"
DRAFT_SECTIONS = 2
"""The draft bid has answered this many sections, so its task list shows work in progress."""

OPENED_DAYS_AGO = 7
CLOSES_IN_DAYS = 14

AWARD_ROUND_REFERENCE = "DEMO-HOMECARE-LOT2"
AWARD_ROUND_TITLE = "Homecare and supported living, Lot 2"
AWARD_OPENED_DAYS_AGO = 35
AWARD_CLOSED_DAYS_AGO = 2
"""The second round closed at midday two days before seeding: its evaluation is under way."""
AWARD_PROVIDERS = ("hollin-brook", "lantern-trust", "kestrel", "hearthside", "meridian-crest")
"""The round file's bid ids that bid in the closed round, in the order they submitted."""
EVALUATORS: dict[str, str] = {
    "evaluator1": "A. Haworth",
    "evaluator2": "R. Okafor",
    "evaluator3": "J. Pennington",
}
"""Each demo evaluator's mailbox, and whose marks in the round file they gave."""
UNMARKED = ("evaluator3", "hollin-brook")
"""Mei Lin has not marked the co-operative's bid yet: it is left for a person to mark."""
AWARD_COMMISSIONER = "commissioner1"
"""Created and published the closed round, and asked about the flagged price."""
AWARD_BOARD_MEMBER = "board"
FLAGGED_PROVIDER = "meridian-crest"
"""Its price is flagged; it has answered the commissioner's questions, which await a decision."""

STAFF: tuple[tuple[Role, str, str], ...] = (
    (Role.ADMIN, "admin", "Alex Morgan"),
    (Role.COMMISSIONER, "commissioner1", "Priya Shah"),
    (Role.COMMISSIONER, "commissioner2", "Tom Ellis"),
    (Role.EVALUATOR, "evaluator1", "Grace Okafor"),
    (Role.EVALUATOR, "evaluator2", "Daniel Hughes"),
    (Role.EVALUATOR, "evaluator3", "Mei Lin"),
    (Role.BOARD, "board", "Ruth Bamber"),
)
"""(role, mailbox at the council's domain, name) of each council user."""


@dataclass(frozen=True)
class ProviderFacts:
    """Profile facts a round file does not hold: the bid contact and registration details."""

    contact: str
    headcount: int | None = None
    company_number: str | None = None
    charity_number: str | None = None
    phone: str | None = None


PROVIDER_FACTS: dict[str, ProviderFacts] = {
    # Phone numbers are in Ofcom's range kept for drama (01632 960xxx): they never ring.
    "hollin-brook": ProviderFacts("Jo Whitfield", 118, "IP031245", None, "01632 960001"),
    "meridian-crest": ProviderFacts("Mark Devlin", 2350, "09876543", None, "01632 960002"),
    "hearthside": ProviderFacts("Aisha Rahman", 86, "11223344", None, "01632 960003"),
    "lantern-trust": ProviderFacts("Helen Price", 142, None, "1187654", "01632 960004"),
    "birchall": ProviderFacts("Owen Birchall", 64, "07654321", None, "01632 960005"),
    "kestrel": ProviderFacts("Carys Lloyd", 97, "08765432", None, "01632 960006"),
    "northgate-horizon": ProviderFacts("Nathan Cole", 410, "10987654", None, "01632 960007"),
    "rise-together": ProviderFacts("Bea Thompson", 23, "13579246", None, "01632 960008"),
}
"""By the round file's bid id; a provider missing here gets a bids team and no numbers."""


def facts_of(bid_id: str) -> ProviderFacts:
    return PROVIDER_FACTS.get(bid_id) or ProviderFacts("Bids team")


def council_domain(council: str) -> str:
    """`wellfield.example` for "Wellfield Borough Council": a domain that never delivers mail."""
    words = council.split()
    first_word = "".join(ch for ch in words[0].lower() if ch.isalnum()) if words else ""
    return f"{first_word or 'council'}.example"


def staff_email(mailbox: str, council: str) -> str:
    return f"{mailbox}@{council_domain(council)}"


def provider_email(bid_id: str) -> str:
    """`bids@hollin-brook.example` for the round file's bid `hollin-brook`."""
    return f"bids@{bid_id}.example"
