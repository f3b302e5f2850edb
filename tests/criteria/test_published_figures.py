"""The robustness figures a board pack publishes stay what they were.

A board reads "Hollin Brook Care Co-operative: 63.2% chance of ranking first" in a pack that
was published. The figure depends on the seed and the number of weight samples, so changing
either default (or the sampler) silently changes every figure already printed. These tests pin
the example round's figures for the defaults the `commonweal` command and the board pack use;
a deliberate change to the sampling must update them, and say so in the changelog.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from criteria.cli import main
from criteria.robustness import Robustness, analyse
from criteria.round_file import LoadedRound, load_round
from reports.cli import report

ROOT = Path(__file__).resolve().parents[2]
ROUND_FILE = ROOT / "examples" / "homecare-2026" / "round.yaml"

PUBLISHED_SAMPLES = 10_000
PUBLISHED_SEED = 0
PUBLISHED_FIRST_PLACE = {
    "birchall": "0.0000",
    "hearthside": "0.0000",
    "hollin-brook": "0.6317",
    "kestrel": "0.0000",
    "lantern-trust": "0.3683",
}
"""The example round's first-place probabilities at 10,000 samples, seed 0."""
PUBLISHED_WINS = {"hollin-brook": 6317, "lantern-trust": 3683}
"""The same, as the number of sampled weightings each bid won."""


@pytest.fixture(scope="module")
def loaded() -> LoadedRound:
    return load_round(ROUND_FILE)


def _analyse(loaded: LoadedRound, **options: int) -> Robustness:
    from criteria.engine import score_round

    round_ = loaded.round
    result = score_round(
        loaded.framework, round_.bids, round_.marks, round_.settings, round_.decisions
    )
    return analyse(
        loaded.framework,
        result,
        round_.bids,
        round_.marks,
        round_.settings,
        decisions=round_.decisions,
        **options,
    )


def test_the_default_analysis_gives_the_published_first_place_figures(loaded: LoadedRound) -> None:
    analysis = _analyse(loaded, samples=PUBLISHED_SAMPLES)

    assert analysis.seed == PUBLISHED_SEED
    assert analysis.to_dict()["first_place"] == PUBLISHED_FIRST_PLACE
    wins = {b: round(p * PUBLISHED_SAMPLES) for b, p in analysis.first_place.items() if p}
    assert wins == PUBLISHED_WINS
    assert analysis.to_dict()["smallest_change"]["change"] == "3.77"


def test_another_seed_gives_other_figures_so_the_pin_would_notice(loaded: LoadedRound) -> None:
    analysis = _analyse(loaded, samples=PUBLISHED_SAMPLES, seed=PUBLISHED_SEED + 1)

    assert analysis.to_dict()["first_place"] != PUBLISHED_FIRST_PLACE


def test_the_score_command_prints_the_published_figures_by_default() -> None:
    outcome = CliRunner().invoke(
        main, ["score", str(ROUND_FILE), "--robustness", "--format", "json"]
    )

    assert outcome.exit_code == 0, outcome.output
    robustness = json.loads(outcome.output)["robustness"]
    assert (robustness["samples"], robustness["seed"]) == (PUBLISHED_SAMPLES, PUBLISHED_SEED)
    assert robustness["first_place"] == PUBLISHED_FIRST_PLACE


def test_the_board_pack_command_samples_with_the_published_defaults() -> None:
    command = report.commands["board-pack"]
    defaults = {p.name: p.default for p in command.params}

    assert (defaults["samples"], defaults["seed"]) == (PUBLISHED_SAMPLES, PUBLISHED_SEED)
