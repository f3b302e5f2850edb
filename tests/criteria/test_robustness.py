"""Robustness of a ranking: weight sampling, the smallest winning change, rank reversals."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import linprog

from criteria import reversals
from criteria.engine import score_round
from criteria.inputs import Bid
from criteria.model import Framework
from criteria.result import RoundResult
from criteria.robustness import (
    RankReversal,
    analyse,
    first_place_probability,
    performance_matrix,
    rank_reversals,
    sample_weights,
    smallest_winning_change,
)
from tests.criteria.factories import (
    bid,
    criterion,
    framework,
    marks,
    pillar,
    price_section,
    section,
)

OPEN = [[0, 100], [0, 100], [0, 100]]


def rejection_sample(bounds: Sequence[Sequence[float]], samples: int, seed: int) -> np.ndarray:
    """The slow, obviously-correct sampler: uniform on the simplex, keep draws within bounds."""
    rng = np.random.default_rng(seed)
    limits = np.asarray(bounds, dtype=float)
    kept: list[np.ndarray] = []
    while sum(len(k) for k in kept) < samples:
        draws = rng.dirichlet(np.ones(len(limits)), size=samples * 20) * 100
        inside = np.all((draws >= limits[:, 0]) & (draws <= limits[:, 1]), axis=1)
        kept.append(draws[inside])
    return np.vstack(kept)[:samples]


# --- sampling ---------------------------------------------------------------------------------


def test_sampled_weights_sum_to_100_and_stay_within_every_pillars_bounds() -> None:
    bounds = [[20, 60], [20, 50], [10, 30], [0, 20]]
    drawn = sample_weights(bounds, 5_000, np.random.default_rng(3))
    assert drawn.shape == (5_000, 4)
    np.testing.assert_allclose(drawn.sum(axis=1), 100, atol=1e-9)
    limits = np.asarray(bounds)
    assert np.all(drawn >= limits[:, 0] - 1e-9)
    assert np.all(drawn <= limits[:, 1] + 1e-9)


def test_unbounded_three_pillar_weights_follow_the_uniform_simplex_marginal() -> None:
    # Uniform on the simplex: each weight / 100 is Beta(1, 2), so P(w < 50) = 1 - 0.5^2 = 0.75
    drawn = sample_weights(OPEN, 40_000, np.random.default_rng(0))
    np.testing.assert_allclose(drawn.mean(axis=0), [100 / 3] * 3, atol=0.4)
    assert (drawn[:, 0] < 50).mean() == pytest.approx(0.75, abs=0.01)
    assert stats.kstest(drawn[:, 1] / 100, stats.beta(1, 2).cdf).pvalue > 0.01


def test_two_pillar_weights_are_uniform_on_the_interval_both_bounds_allow() -> None:
    # quality in [30, 70], price in [20, 80]: quality can only be 30..70 (price 70..30)
    drawn = sample_weights([[30, 70], [20, 80]], 20_000, np.random.default_rng(1))
    assert drawn[:, 0].min() >= 30
    assert drawn[:, 0].max() <= 70
    assert stats.kstest(drawn[:, 0], stats.uniform(30, 40).cdf).pvalue > 0.01


def test_tight_caps_sample_the_same_distribution_as_rejection_sampling() -> None:
    bounds = [[0, 35], [10, 40], [0, 30], [5, 45]]
    exact = sample_weights(bounds, 8_000, np.random.default_rng(7))
    slow = rejection_sample(bounds, 8_000, seed=8)
    for column in range(4):
        assert stats.ks_2samp(exact[:, column], slow[:, column]).pvalue > 0.001


def test_six_pillars_capped_at_20_each_are_sampled_without_rejection_stalling() -> None:
    # Fewer than 1 in 1,000 Dirichlet draws lands here; the exact sampler needs no retries.
    drawn = sample_weights([[0, 20]] * 6, 10_000, np.random.default_rng(2))
    assert drawn.max() <= 20 + 1e-9
    np.testing.assert_allclose(drawn.mean(axis=0), [100 / 6] * 6, atol=0.1)


def test_pinned_bounds_give_the_same_weights_in_every_sample() -> None:
    drawn = sample_weights([[60, 60], [30, 30], [10, 10]], 50, np.random.default_rng(0))
    np.testing.assert_array_equal(drawn, np.tile([60.0, 30.0, 10.0], (50, 1)))


def test_bounds_whose_minimums_exceed_100_are_refused_with_the_sums() -> None:
    with pytest.raises(ValueError, match="minimums add to 110"):
        sample_weights([[60, 80], [50, 70]], 10, np.random.default_rng(0))


def test_bounds_with_a_minimum_above_the_maximum_are_refused() -> None:
    with pytest.raises(ValueError, match="min_weight <= max_weight"):
        sample_weights([[70, 60], [0, 100]], 10, np.random.default_rng(0))


# --- first-place probability --------------------------------------------------------------------


def test_a_bid_best_on_every_pillar_comes_first_in_every_sample() -> None:
    performance = [[0.9, 0.8, 0.7], [0.5, 0.5, 0.5], [0.1, 0.7, 0.6]]
    found = first_place_probability(performance, [40, 40, 20], OPEN, samples=2_000)
    np.testing.assert_array_equal(found, [1.0, 0.0, 0.0])


def test_identical_bids_split_every_first_place_equally() -> None:
    performance = [[0.8, 0.4], [0.8, 0.4], [0.1, 0.1]]
    found = first_place_probability(performance, [50, 50], [[0, 100], [0, 100]], samples=1_000)
    np.testing.assert_allclose(found, [0.5, 0.5, 0.0])


def test_first_place_probability_matches_the_share_of_weightings_that_favour_each_bid() -> None:
    # Two pillars: bid 0 wins when quality weight q satisfies q > 100 - q, i.e. q > 50.
    # With q uniform on [20, 80] that is (80 - 50) / 60 = 0.5; shift the bounds to 30..80 -> 0.6
    performance = [[1.0, 0.0], [0.0, 1.0]]
    found = first_place_probability(performance, [55, 45], [[30, 80], [20, 70]], samples=20_000)
    np.testing.assert_allclose(found, [0.6, 0.4], atol=0.015)


def test_a_thousand_bids_and_ten_thousand_samples_give_one_probability_per_bid() -> None:
    # How long this takes is measured by bench/bench_scoring.py, not asserted here: a loaded
    # machine must not fail the suite.
    performance = np.random.default_rng(11).random((1_000, 4))
    bounds = [[20, 60], [15, 50], [5, 30], [0, 25]]
    found = first_place_probability(performance, [40, 30, 20, 10], bounds, samples=10_000)
    assert found.shape == (1_000,)
    assert found.sum() == pytest.approx(1.0)
    assert np.all(found >= 0)


def test_first_place_probabilities_sum_to_one() -> None:
    performance = np.random.default_rng(5).random((200, 4))
    found = first_place_probability(performance, [25, 25, 25, 25], [[0, 100]] * 4, samples=3_000)
    assert found.sum() == pytest.approx(1.0)
    assert found.min() >= 0


def test_the_same_seed_gives_the_same_probabilities_and_another_seed_may_not() -> None:
    performance = np.random.default_rng(9).random((30, 3))
    first = first_place_probability(performance, [40, 30, 30], OPEN, samples=500, seed=4)
    again = first_place_probability(performance, [40, 30, 30], OPEN, samples=500, seed=4)
    other = first_place_probability(performance, [40, 30, 30], OPEN, samples=500, seed=5)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_weights_outside_their_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="within the bounds"):
        first_place_probability([[1, 0], [0, 1]], [90, 10], [[0, 80], [20, 100]])


def test_a_performance_matrix_with_the_wrong_number_of_pillars_is_refused() -> None:
    with pytest.raises(ValueError, match="performance has 3 pillars, weights 2"):
        first_place_probability([[1, 0, 0]], [50, 50], [[0, 100], [0, 100]])


# --- smallest winning change --------------------------------------------------------------------


def test_two_pillar_challenger_needs_ten_points_moved_a_change_of_twenty() -> None:
    # Winner scores 60 (all of quality 60), challenger 40 (all of price 40): level at 50 / 50.
    (change,) = smallest_winning_change([[1, 0], [0, 1]], [60, 40], [[0, 100], [0, 100]])
    assert change.challenger == 1
    assert change.change == pytest.approx(20)
    assert change.weights == pytest.approx((50, 50))


def test_when_the_best_pillar_is_capped_weight_flows_to_the_next_best() -> None:
    # d = challenger - winner = (-0.5, 0.5, 0.3); at (50, 30, 20) the challenger is 4 behind.
    # Pillar 1 may rise only to 32 (gain 2 x 1.0), then pillar 2 takes 2.5 (gain 2.5 x 0.8):
    # weights (45.5, 32, 22.5), 4.5 points moved, a change of 9.
    performance = [[1, 0.5, 0.5], [0.5, 1, 0.8]]
    (change,) = smallest_winning_change(performance, [50, 30, 20], [[0, 100], [0, 32], [0, 100]])
    assert change.change == pytest.approx(9)
    assert change.weights == pytest.approx((45.5, 32, 22.5))


def test_a_challenger_that_cannot_catch_up_within_the_bounds_has_no_change() -> None:
    # Quality may not fall below 55, so the price-only challenger tops out at 45 < 55.
    (change,) = smallest_winning_change([[1, 0], [0, 1]], [60, 40], [[55, 100], [0, 45]])
    assert change.challenger == 1
    assert not change.possible
    assert change.weights is None


def test_a_challenger_already_level_with_the_winner_needs_no_change() -> None:
    (change,) = smallest_winning_change([[0.5, 0.5], [0.6, 0.4]], [50, 50], [[0, 100], [0, 100]])
    assert change.change == 0
    assert change.weights == (50, 50)


def test_changes_come_smallest_first_with_impossible_ones_last() -> None:
    performance = [
        [0.9, 0.9, 0.9],  # the winner
        [0.1, 0.1, 0.1],  # dominated: can never catch up
        [0.5, 1.0, 0.9],  # far behind on quality
        [0.8, 1.0, 0.9],  # close
    ]
    changes = smallest_winning_change(performance, [50, 30, 20], OPEN)
    assert [c.challenger for c in changes] == [3, 2, 1]
    assert changes[0].change is not None
    assert changes[1].change is not None
    assert changes[0].change < changes[1].change
    assert changes[2].change is None


def test_the_winner_may_be_named_when_a_tie_break_chose_it() -> None:
    changes = smallest_winning_change([[0.5, 0.5], [0.5, 0.5]], [50, 50], OPEN[:2], winner=1)
    assert [(c.challenger, c.change) for c in changes] == [(0, 0.0)]


def test_a_round_with_one_ranked_bid_has_no_challengers() -> None:
    assert smallest_winning_change([[0.3, 0.2]], [50, 50], OPEN[:2]) == []


def _one_challenger_by_linprog(
    gap: np.ndarray, current: np.ndarray, low: np.ndarray, high: np.ndarray
) -> float | None:
    """The textbook programme for one challenger: w = w0 + u - v, minimise sum(u + v)."""
    k = len(gap)
    solution = linprog(
        np.ones(2 * k),
        A_ub=np.r_[-gap, gap][None, :],
        b_ub=[gap @ current],
        A_eq=np.r_[np.ones(k), -np.ones(k)][None, :],
        b_eq=[0],
        bounds=list(zip(np.zeros(2 * k), np.r_[high - current, current - low], strict=True)),
        method="highs",
    )
    return float(solution.fun) if solution.status == 0 else None


@pytest.mark.parametrize("seed", range(6))
def test_batched_changes_match_one_linear_programme_per_challenger(seed: int) -> None:
    rng = np.random.default_rng(seed)
    performance = rng.random((40, 4))
    bounds = np.array([[20, 60], [15, 50], [5, 30], [0, 25]], dtype=float)
    current = np.array([40.0, 30.0, 20.0, 10.0])
    winner = int(np.argmax(performance @ current))
    for change in smallest_winning_change(performance, current, bounds):
        gap = performance[change.challenger] - performance[winner]
        expected = _one_challenger_by_linprog(gap, current, bounds[:, 0], bounds[:, 1])
        if expected is None:
            assert change.change is None
            continue
        assert change.change == pytest.approx(expected, abs=1e-6)
        assert change.weights is not None
        new = np.array(change.weights)
        assert new.sum() == pytest.approx(100)
        assert np.all(new >= bounds[:, 0] - 1e-7)
        assert np.all(new <= bounds[:, 1] + 1e-7)
        assert gap @ new >= -1e-6


def test_no_weighting_on_a_fine_grid_beats_the_reported_change() -> None:
    performance = np.array([[0.9, 0.4, 0.7], [0.6, 0.9, 0.5], [0.65, 0.6, 0.95]])
    current = np.array([50.0, 30.0, 20.0])
    assert list(performance @ current) == pytest.approx([71, 67, 69.5])  # bid 0 wins
    changes = {c.challenger: c.change for c in smallest_winning_change(performance, current, OPEN)}
    for challenger in (1, 2):
        gap = performance[challenger] - performance[0]
        grid = [
            np.array([a, b, 100 - a - b])
            for a, b in itertools.product(np.arange(0, 100.5, 0.5), repeat=2)
            if a + b <= 100
        ]
        best = min(np.abs(w - current).sum() for w in grid if gap @ w >= 0)
        reported = changes[challenger]
        assert reported is not None
        assert reported <= best + 1e-9
        assert reported >= best - 2.0  # the grid is 0.5-point coarse: within 2 points of L1


# --- a scored round: rank reversals -------------------------------------------------------------


def quality_and_price(formula: dict[str, Any], quality: int = 60, low: int = 0) -> Framework:
    """Quality (one 0-100 linear question) and price, weighted `quality` / 100 - `quality`."""
    question = criterion(
        "quality", "decimal", {"rule": "linear", "from": 0, "to": 100, "max_points": 10}
    )
    return framework(
        section("service", question),
        price_section(),
        pillars=[pillar("quality", quality, low, 100), pillar("price", 100 - quality, 0, 100)],
        price=formula,
    )


LOWEST = {"name": "lowest_over_bid"}


def test_withdrawing_a_cheap_outlier_reverses_the_two_leaders() -> None:
    # With C's price of 10 the lowest, A = 60 + 40 x 10/30 = 73.33 beats B = 48 + 40 x 10/20 = 68.
    # Without C, B's 20 is the lowest: A = 60 + 40 x 20/30 = 86.67 loses to B = 48 + 40 = 88.
    bids = [
        bid("a", quality=100, price="30"),
        bid("b", quality=80, price="20"),
        bid("c", quality=0, price="10"),
    ]
    reversals = rank_reversals(quality_and_price(LOWEST), bids)
    assert reversals == [
        RankReversal(
            dropped="c",
            ahead="a",
            behind="b",
            totals_before=(Fraction(220, 3), Fraction(68)),
            totals_after=(Fraction(260, 3), Fraction(88)),
        )
    ]


def test_an_absolute_price_formula_has_no_reversals_and_scores_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reversals, "score_round", _refuse_to_score)
    bids = [bid("a", quality=100, price="30"), bid("b", quality=80, price="20")]
    fixed = {"name": "fixed_range", "best": 10, "worst": 40}
    assert rank_reversals(quality_and_price(fixed), bids) == []


def _refuse_to_score(*args: object, **kwargs: object) -> RoundResult:
    raise AssertionError("an absolute formula needs no scoring")


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> RoundResult:
        calls.append(len(args[1]))
        return score_round(*args, **kwargs)

    monkeypatch.setattr(reversals, "score_round", counted)
    return calls


def test_only_withdrawing_the_sole_lowest_price_is_re_scored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bids = [bid(f"b{n}", quality=10 * n, price=str(20 + n)) for n in range(6)]
    scored = score_round(quality_and_price(LOWEST), bids)
    calls = _counting(monkeypatch)
    rank_reversals(quality_and_price(LOWEST), bids, scored=scored)
    assert calls == [5]  # one round of the five bids left without b0, the lowest price


def test_two_bids_sharing_the_lowest_price_need_no_re_scoring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bids = [
        bid("a", quality=90, price="20"),
        bid("b", quality=50, price="20"),
        bid("c", quality=99, price="25"),
    ]
    calls = _counting(monkeypatch)
    assert rank_reversals(quality_and_price(LOWEST), bids) == []
    assert calls == [3]  # the full round only


RELATIVE = [
    {"name": "lowest_over_bid"},
    {"name": "linear_deduction", "percent_per_percent": 2},
    {"name": "price_per_quality_point"},
]


@pytest.mark.parametrize("formula", RELATIVE, ids=lambda f: f["name"])
def test_screened_reversals_match_dropping_every_bid(formula: dict[str, Any]) -> None:
    gate = {"at_least": 10}
    question = criterion(
        "quality",
        "decimal",
        {"rule": "linear", "from": 0, "to": 100, "max_points": 10, "gate": gate},
    )
    fw = framework(
        section("service", question),
        price_section(),
        pillars=[pillar("quality", 50), pillar("price", 50)],
        price=formula,
    )
    found_any = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        bids = [
            bid(f"b{n}", quality=int(rng.integers(0, 101)), price=f"{rng.uniform(10, 40):.2f}")
            for n in range(7)
        ]
        bids.append(bid("unpriced", quality=95, price="about twenty pounds"))
        screened = rank_reversals(fw, bids)
        assert screened == rank_reversals(fw, bids, screen=False)
        found_any += len(screened)
    assert found_any > 0  # the comparison was not vacuous


def test_a_withdrawn_bids_marks_leave_with_it() -> None:
    care = criterion("care", "narrative", {"rule": "evaluator_scale", "scale": "quality"})
    fw = framework(
        section("service", care),
        price_section(),
        pillars=[pillar("quality", 60), pillar("price", 40)],
        price=LOWEST,
    )
    bids = [
        bid("a", care="x", price="30"),
        bid("b", care="x", price="20"),
        bid("c", care="x", price="10"),
    ]
    given = {"a": {"care": marks(5)}, "b": {"care": marks(4)}, "c": {"care": marks(0)}}
    (reversal,) = rank_reversals(fw, bids, given)
    assert (reversal.dropped, reversal.ahead, reversal.behind) == ("c", "a", "b")


# --- a scored round: the whole analysis ---------------------------------------------------------

FIXED = {"name": "fixed_range", "best": 20, "worst": 30}


def two_bid_round() -> tuple[Framework, list[Bid], RoundResult]:
    # Quality may move within 50..80 (price 20..50). At 60 / 40: A = 60 + 0.5 x 40 = 80,
    # B = 0.7 x 60 + 40 = 82, so B wins. A wins once quality weight w gives 50 + 0.5 w >=
    # 100 - 0.3 w, i.e. w >= 62.5: 2.5 points moved, a change of 5, and a probability of
    # (80 - 62.5) / 30 = 0.5833 over the allowed weights.
    question = criterion(
        "quality", "decimal", {"rule": "linear", "from": 0, "to": 100, "max_points": 10}
    )
    fw = framework(
        section("service", question),
        price_section(),
        pillars=[pillar("quality", 60, 50, 80), pillar("price", 40, 20, 50)],
        price=FIXED,
    )
    bids = [bid("a", quality=100, price="25"), bid("b", quality=70, price="20")]
    return fw, bids, score_round(fw, bids)


def test_analysis_finds_the_probabilities_and_smallest_change_worked_out_by_hand() -> None:
    fw, bids, result = two_bid_round()
    found = analyse(fw, result, bids, samples=20_000, seed=1)
    assert found.winner == "b"
    assert found.first_place["a"] == pytest.approx(17.5 / 30, abs=0.015)
    assert found.first_place["a"] + found.first_place["b"] == pytest.approx(1)
    smallest = found.smallest_change
    assert smallest is not None
    assert smallest.bid_id == "a"
    assert smallest.change == pytest.approx(5)
    assert smallest.weights == pytest.approx({"quality": 62.5, "price": 37.5})
    assert found.reversals == ()
    assert any("absolute" in note for note in found.notes)


def test_analysis_is_json_ready_with_rounded_decimal_strings() -> None:
    fw, bids, result = two_bid_round()
    first = analyse(fw, result, bids, samples=2_000, seed=3).to_dict()
    again = analyse(fw, result, bids, samples=2_000, seed=3).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert first["smallest_change"] == {
        "bid_id": "a",
        "weights": {"quality": "62.50", "price": "37.50"},
        "change": "5.00",
    }
    assert first["pillar_weights"] == {"quality": "60.00", "price": "40.00"}
    assert first["bounds"] == {"quality": ["50.00", "80.00"], "price": ["20.00", "50.00"]}
    assert set(first["first_place"]) == {"a", "b"}
    assert all(len(p.split(".")[1]) == 4 for p in first["first_place"].values())
    assert (first["samples"], first["seed"], first["winner"]) == (2_000, 3, "b")
    assert "-0.00" not in json.dumps(first)


def test_excluded_bids_take_no_part_in_the_analysis() -> None:
    _, bids, _ = two_bid_round()
    gated = framework(
        section(
            "service",
            criterion(
                "quality",
                "decimal",
                {
                    "rule": "linear",
                    "from": 0,
                    "to": 100,
                    "max_points": 10,
                    "gate": {"at_least": 50},
                },
            ),
        ),
        price_section(),
        pillars=[pillar("quality", 60, 50, 80), pillar("price", 40, 20, 50)],
        price=FIXED,
    )
    bids = [*bids, bid("c", quality=10, price="20")]
    result = score_round(gated, bids)
    found = analyse(gated, result, bids, samples=500)
    assert set(found.first_place) == {"a", "b"}
    assert {c.bid_id for c in found.winning_changes} == {"a"}


def test_a_round_with_one_ranked_bid_says_there_is_nothing_to_compare() -> None:
    fw, bids, _ = two_bid_round()
    result = score_round(fw, bids[:1])
    found = analyse(fw, result, bids[:1], samples=100)
    assert found.first_place == {"a": 1.0}
    assert found.winning_changes == ()
    assert found.smallest_change is None
    assert found.notes[0].startswith("Fewer than two ranked bids")


def test_a_pillar_weighted_zero_this_round_is_rebuilt_from_its_criteria() -> None:
    service = criterion(
        "service", "decimal", {"rule": "linear", "from": 0, "to": 100, "max_points": 10}
    )
    local = criterion(
        "local_spend", "decimal", {"rule": "linear", "from": 0, "to": 50, "max_points": 5}
    )
    fw = framework(
        section("care", service),
        section("community", local, pillar="social_value"),
        pillars=[pillar("quality", 100, 80, 100), pillar("social_value", 0, 0, 20)],
    )
    bids = [bid("a", service=90, local_spend=0), bid("b", service=85, local_spend=40)]
    result = score_round(fw, bids)
    matrix = performance_matrix(fw, result.ranked)
    np.testing.assert_allclose(matrix, [[0.9, 0.0], [0.85, 0.8]])
    found = analyse(fw, result, bids, samples=20_000)
    # b wins once 0.85 (100 - s) + 0.8 s >= 0.9 (100 - s), i.e. 0.85 s >= 5: s >= 100/17 = 5.88
    assert found.first_place["b"] == pytest.approx((20 - 100 / 17) / 20, abs=0.015)
    assert found.smallest_change is not None
    assert found.smallest_change.change == pytest.approx(200 / 17)


def test_a_tie_for_first_needs_no_change_for_the_bid_the_tie_break_placed_second() -> None:
    fw, _, _ = two_bid_round()
    bids = [bid("a", quality=80, price="25"), bid("b", quality=80, price="25")]
    found = analyse(fw, score_round(fw, bids), bids, samples=1_000)
    assert found.first_place == {"a": 0.5, "b": 0.5}
    assert [(c.bid_id, c.change) for c in found.winning_changes] == [("b", 0.0)]
