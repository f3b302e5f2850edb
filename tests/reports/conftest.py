"""A small round for the report tests: four bids of the example round, one with hostile text.

The co-operative wins; the private-equity-backed group is disregarded after a price check; the
new social enterprise misses a minimum; the charity's narrative carries markup and a file URL
that the reports must show as text and never fetch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from criteria.agreement import Agreement, agreement
from criteria.engine import score_round
from criteria.inputs import Round
from criteria.model import Framework
from criteria.result import RoundResult
from criteria.robustness import Robustness, analyse
from criteria.round_file import load_round
from reports.context import RoundMeta

ROOT = Path(__file__).resolve().parents[2]
ROUND_FILE = ROOT / "examples" / "homecare-2026" / "round.yaml"

WINNER = "hollin-brook"
DISREGARDED = "meridian-crest"
BELOW_MINIMUM = "rise-together"
HOSTILE = "lantern-trust"
KEPT = (WINNER, HOSTILE, DISREGARDED, BELOW_MINIMUM)

HOSTILE_IMAGE = '<img src="http://127.0.0.1:9/x">'
HOSTILE_FILE = "file:///etc/passwd"
HOSTILE_NARRATIVE = (
    f"Our staff are paid for travel. {HOSTILE_IMAGE} Our policy is at {HOSTILE_FILE} for review."
)


@dataclass(frozen=True)
class ScoredRound:
    framework: Framework
    round: Round
    result: RoundResult
    robustness: Robustness
    agreement: Agreement
    meta: RoundMeta


def score_for_reports(
    framework: Framework, round_: Round, *, samples: int, digest_byte: str
) -> ScoredRound:
    """`round_` scored and analysed as the reports need it, with a fixed date and digest."""
    result = score_round(framework, round_.bids, round_.marks, round_.settings, round_.decisions)
    robustness = analyse(
        framework,
        result,
        round_.bids,
        round_.marks,
        round_.settings,
        samples=samples,
        decisions=round_.decisions,
    )
    meta = RoundMeta(
        council="Wigmoor Borough Council",
        title=round_.title,
        reference=round_.id,
        date=dt.date(2026, 5, 1),
        status="Draft for the board's decision",
        inputs_digest="sha256:" + digest_byte * 32,
    )
    return ScoredRound(
        framework, round_, result, robustness, agreement(framework, round_.marks), meta
    )


@pytest.fixture(scope="session")
def scored() -> ScoredRound:
    loaded = load_round(ROUND_FILE)
    full = loaded.round
    bids = [b for b in full.bids if b.id in KEPT]
    bids = [
        b.model_copy(update={"answers": {**b.answers, "fw_narrative": HOSTILE_NARRATIVE}})
        if b.id == HOSTILE
        else b
        for b in bids
    ]
    round_ = full.model_copy(
        update={
            "bids": bids,
            "marks": {k: v for k, v in full.marks.items() if k in KEPT},
            "decisions": {k: v for k, v in full.decisions.items() if k in KEPT},
        }
    )
    return score_for_reports(loaded.framework, round_, samples=500, digest_byte="ab")
