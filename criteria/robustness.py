"""How stable a round's ranking is: weight sampling, the smallest winning change, rank reversals.

Three questions a board asks of a ranking:

* How often would each bid come first under any other weighting the framework allows?
  `first_place_probability` draws pillar weightings uniformly from the allowed region (weights
  summing to 100, each within its `min_weight`..`max_weight`); ties in a draw split it equally.
* What is the smallest change of pillar weights that lets another bid catch the winner?
  `smallest_winning_change`, a small linear programme per challenger, solved in one batch.
* Could withdrawing a bid reorder the others? Relative price formulas score each price against
  the other bids, so they can; `rank_reversals` drops each bid that matters and re-scores.

The weight analyses work on a *performance* matrix `P` (bids x pillars, the share of each
pillar's points a bid earned, 0..1), so a bid's total at weights `w` (percentage points) is
`P @ w`. Every criterion's normalised score is held as scored, price included: exact for
`lowest_over_bid`, `linear_deduction`, `fixed_range` and `fixed_price`, whose price scores do
not depend on weights, and an approximation for `price_per_quality_point`. Exclusions are held.

Sampling method. Shifting the region {w : sum w = 100, lo <= w <= hi} by the lower bounds leaves
{x : sum x = R, 0 <= x <= c}, R = 100 - sum lo, c = hi - lo. Instead of drawing from the whole
simplex and rejecting (which wastes nearly every draw when the caps are tight), each coordinate
is drawn from its exact conditional distribution: its density is proportional to the volume of
the slice left for the other coordinates, which inclusion-exclusion gives in closed form (the
density of a sum of independent uniforms), and a vectorised bisection inverts its cumulative
distribution. Every draw is used and exactly uniform; the cost is O(samples x 2^pillars).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from criteria.engine import Decisions
from criteria.inputs import Bid, CriterionMarks, RoundSettings
from criteria.model import RELATIVE_PRICE_FORMULAS, Framework
from criteria.result import BidResult, RoundResult, fmt
from criteria.reversals import REFERENCE_HOLDERS, RankReversal, rank_reversals
from criteria.weights import criterion_weights

__all__ = [
    "REFERENCE_HOLDERS",
    "TOTAL_WEIGHT",
    "RankReversal",
    "Robustness",
    "WeightChange",
    "WinningChange",
    "analyse",
    "first_place_probability",
    "performance_matrix",
    "rank_reversals",
    "sample_weights",
    "smallest_winning_change",
]

TOTAL_WEIGHT = 100.0
TIE_TOLERANCE = 1e-9
"""Totals (points out of 100) closer than this are a tie: float sums of equal exact scores."""
_BISECTIONS = 40  # narrows a 100-point interval below 1e-10
_CELLS_PER_CHUNK = 4_000_000  # bids x samples evaluated at once: about 32 MB of float64

FloatArray = NDArray[np.float64]
Marks = Mapping[str, Mapping[str, CriterionMarks]]


# --- sampling the allowed weights -----------------------------------------------------------


def _region(bounds: ArrayLike) -> tuple[FloatArray, FloatArray]:
    limits = np.asarray(bounds, dtype=np.float64)
    if limits.ndim != 2 or limits.shape[1] != 2 or limits.shape[0] == 0:
        raise ValueError(f"bounds must be a (pillars, 2) array of [min, max], got {limits.shape}")
    low, high = limits[:, 0], limits[:, 1]
    if np.any(low > high) or np.any(low < 0):
        raise ValueError(f"each pillar needs 0 <= min_weight <= max_weight, got {limits.tolist()}")
    if low.sum() > TOTAL_WEIGHT + TIE_TOLERANCE or high.sum() < TOTAL_WEIGHT - TIE_TOLERANCE:
        raise ValueError(
            f"no weighting within these bounds sums to 100: the minimums add to {low.sum():g} "
            f"and the maximums to {high.sum():g}"
        )
    return low, high


def _draw_coordinate(
    remaining: FloatArray, cap: float, rest: FloatArray, uniform: FloatArray
) -> FloatArray:
    """Draw x_i in [0, cap] given that x_i plus the rest (each within its cap) equals `remaining`.

    The density of x_i is proportional to g(remaining - x_i), g being the density of a sum of
    independent uniforms on [0, rest_j]; its integral is a difference of the piecewise
    polynomials B below, which bisection inverts.
    """
    degree = len(rest)
    subsets = np.array(list(itertools.product((0, 1), repeat=degree)), dtype=np.float64)
    corner = subsets @ rest  # C_J: the sum of the caps in subset J
    sign = np.where(subsets.sum(axis=1) % 2 == 0, 1.0, -1.0)  # (-1)^|J|

    def tail(y: FloatArray) -> FloatArray:  # B(y) = sum_J (-1)^|J| (remaining - y - C_J)_+^m
        gap = np.maximum(remaining[:, None] - y[:, None] - corner[None, :], 0.0)
        return np.asarray((gap**degree) @ sign, dtype=np.float64)

    lower = np.maximum(0.0, remaining - rest.sum())
    upper = np.minimum(cap, remaining)
    at_lower = tail(lower)
    goal = at_lower - uniform * (at_lower - tail(upper))
    left, right = lower.copy(), upper.copy()
    for _ in range(_BISECTIONS):
        middle = (left + right) / 2
        short = tail(middle) > goal  # the cumulative probability at `middle` is below target
        left = np.where(short, middle, left)
        right = np.where(short, right, middle)
    return np.asarray((left + right) / 2, dtype=np.float64)


def sample_weights(bounds: ArrayLike, samples: int, rng: np.random.Generator) -> FloatArray:
    """`samples` pillar weightings drawn uniformly from {w : sum w = 100, min <= w <= max}.

    Returns a (samples, pillars) array. Pillars whose bounds pin them are constant.
    """
    low, high = _region(bounds)
    room = max(TOTAL_WEIGHT - low.sum(), 0.0)
    caps = np.minimum(high - low, room)
    free = np.flatnonzero(caps > 0)
    shifted = np.zeros((samples, len(low)))
    if room > 0 and len(free) > 0:
        remaining = np.full(samples, room)
        for position, pillar in enumerate(free[:-1]):
            drawn = _draw_coordinate(
                remaining, float(caps[pillar]), caps[free[position + 1 :]], rng.random(samples)
            )
            shifted[:, pillar] = drawn
            remaining = remaining - drawn
        shifted[:, free[-1]] = np.clip(remaining, 0.0, caps[free[-1]])
    return low + shifted


def _check_problem(
    performance: ArrayLike, weights: ArrayLike, bounds: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    matrix = np.atleast_2d(np.asarray(performance, dtype=np.float64))
    current = np.asarray(weights, dtype=np.float64)
    low, high = _region(bounds)
    if matrix.shape[1] != len(current) or len(current) != len(low):
        raise ValueError(
            f"performance has {matrix.shape[1]} pillars, weights {len(current)}, bounds {len(low)}"
        )
    outside = (current < low - TIE_TOLERANCE) | (current > high + TIE_TOLERANCE)
    if np.any(outside) or abs(current.sum() - TOTAL_WEIGHT) > 1e-6:
        raise ValueError(f"weights {current.tolist()} must sum to 100 and lie within the bounds")
    return matrix, current, low, high


def first_place_probability(
    performance: ArrayLike,
    weights: ArrayLike,
    bounds: ArrayLike,
    samples: int = 10_000,
    seed: int = 0,
) -> FloatArray:
    """Each bid's probability of coming first when the pillar weights are drawn at random.

    `performance` is the (bids x pillars) matrix of pillar shares (0..1) of the ranked bids;
    `weights` the round's pillar weights (checked to lie within `bounds`); `bounds` a (pillars, 2)
    array of [min_weight, max_weight]. Weightings are drawn uniformly from the allowed region
    (see the module docstring), seeded, so the same inputs give the same answer. A draw in which
    several bids share the top total splits its probability equally between them, so the
    probabilities sum to 1.
    """
    matrix, _, _, _ = _check_problem(performance, weights, bounds)
    if samples < 1:
        raise ValueError("samples must be at least 1")
    drawn = sample_weights(bounds, samples, np.random.default_rng(seed))
    wins = np.zeros(matrix.shape[0])
    chunk = max(1, _CELLS_PER_CHUNK // max(matrix.shape[0], 1))
    for start in range(0, samples, chunk):
        totals = drawn[start : start + chunk] @ matrix.T  # draws x bids
        leader = totals.argmax(axis=1)
        best = totals[np.arange(len(totals)), leader]
        top = totals >= (best - TIE_TOLERANCE)[:, None]
        sharing = np.count_nonzero(top, axis=1)
        alone = sharing == 1
        wins += np.bincount(leader[alone], minlength=matrix.shape[0])
        if not alone.all():  # ties are rare: split only those draws
            wins += (top[~alone] / sharing[~alone, None]).sum(axis=0)
    return wins / samples


# --- the smallest change that lets a challenger catch the winner ----------------------------


@dataclass(frozen=True, slots=True)
class WeightChange:
    """The smallest pillar-weight change that lifts one challenger level with the winner.

    `change` is the total absolute change in percentage points (L1: moving 5 points from one
    pillar to another is a change of 10); `weights` the new weights. Both are None when no
    weighting within the bounds lets the challenger catch up.
    """

    challenger: int  # row of the performance matrix
    weights: tuple[float, ...] | None
    change: float | None

    @property
    def possible(self) -> bool:
        return self.change is not None


def _best_reachable(gaps: FloatArray, low: FloatArray, high: FloatArray) -> FloatArray:
    """max of gap . w over the allowed weights, per row: fill the largest gaps first."""
    order = np.argsort(-gaps, axis=1)
    sorted_gaps = np.take_along_axis(gaps, order, axis=1)
    caps = (high - low)[order]
    room = TOTAL_WEIGHT - low.sum()
    filled = np.clip(room - (np.cumsum(caps, axis=1) - caps), 0.0, caps)
    return np.asarray(gaps @ low + (sorted_gaps * filled).sum(axis=1), dtype=np.float64)


def _solve_changes(
    gaps: FloatArray, current: FloatArray, low: FloatArray, high: FloatArray
) -> FloatArray:
    """New weights for each row of `gaps`, via one block-diagonal linear programme.

    For each challenger: minimise sum(u + v) with w = current + u - v, subject to
    gap . w >= 0, sum(u - v) = 0, 0 <= u <= high - current and 0 <= v <= current - low (so w
    stays within bounds). The blocks share no variable, so minimising their sum minimises
    each; one HiGHS call solves a thousand challengers in milliseconds.
    """
    # scipy.optimize takes several times longer to import than numpy: only rounds where some
    # challenger needs a weight change solved pay for it.
    from scipy import sparse
    from scipy.optimize import linprog

    rows, pillars = gaps.shape
    width = 2 * pillars
    row_index = np.repeat(np.arange(rows), width)
    columns = np.arange(rows * width)
    gain = sparse.csr_array(
        (np.hstack([-gaps, gaps]).ravel(), (row_index, columns)), shape=(rows, rows * width)
    )
    balance = sparse.csr_array(
        (np.tile(np.r_[np.ones(pillars), -np.ones(pillars)], rows), (row_index, columns)),
        shape=(rows, rows * width),
    )
    upper = np.tile(np.r_[high - current, current - low], rows)
    solution = linprog(
        np.ones(rows * width),
        A_ub=gain,
        b_ub=gaps @ current,
        A_eq=balance,
        b_eq=np.zeros(rows),
        bounds=np.column_stack([np.zeros(rows * width), upper]),
        method="highs",
    )
    if solution.status != 0:  # pragma: no cover - feasibility is checked before solving
        raise RuntimeError(f"weight-change programme failed: {solution.message}")
    moves = np.asarray(solution.x, dtype=np.float64).reshape(rows, width)
    return current + moves[:, :pillars] - moves[:, pillars:]


def smallest_winning_change(
    performance: ArrayLike, weights: ArrayLike, bounds: ArrayLike, winner: int | None = None
) -> list[WeightChange]:
    """For every challenger, the smallest weight change that makes its total >= the winner's.

    `winner` is the row of the current winner (default: the highest total at `weights`, the
    first row on a tie). Returns one `WeightChange` per challenger, smallest change first (ties
    by row), impossible ones last: the first item, when possible, is the overall smallest
    change that alters the outcome. Price scores are held fixed (see the module docstring).
    """
    matrix, current, low, high = _check_problem(performance, weights, bounds)
    leader = int(np.argmax(matrix @ current)) if winner is None else winner
    challengers = np.array([row for row in range(matrix.shape[0]) if row != leader], dtype=int)
    if len(challengers) == 0:
        return []
    gaps = matrix[challengers] - matrix[leader]
    level_now = gaps @ current >= -TIE_TOLERANCE
    reachable = _best_reachable(gaps, low, high) >= -TIE_TOLERANCE
    to_solve = reachable & ~level_now
    new_weights = np.tile(current, (len(challengers), 1))
    if to_solve.any():
        new_weights[to_solve] = _solve_changes(gaps[to_solve], current, low, high)
    changes = []
    for position, row in enumerate(challengers):
        if not reachable[position]:
            changes.append(WeightChange(int(row), None, None))
            continue
        moved = float(np.abs(new_weights[position] - current).sum())
        changes.append(WeightChange(int(row), tuple(map(float, new_weights[position])), moved))
    return sorted(changes, key=lambda c: (c.change is None, c.change or 0.0, c.challenger))


# --- a scored round, analysed ---------------------------------------------------------------


def performance_matrix(framework: Framework, bids: Sequence[BidResult]) -> FloatArray:
    """The (bids x pillars) matrix of pillar shares earned, pillars in framework order.

    A pillar weighted in the round gives score / weight. A pillar weighted 0 has no points to
    divide, so its share is rebuilt from the criteria's normalised scores and the shares the
    engine would give them (`criteria.weights`), ready for a weighting that gives it some.
    """
    pillars = framework.award.pillars
    share = criterion_weights(framework, {p.id: Fraction(1) for p in pillars})
    matrix = np.zeros((len(bids), len(pillars)))
    for row, bid in enumerate(bids):
        groups = {group.id: group for group in bid.pillars}
        for column, pillar in enumerate(pillars):
            group = groups.get(pillar.id)
            if group is not None and group.weight > 0:
                matrix[row, column] = float(group.score / group.weight)
                continue
            earned = (
                c.normalised * share[c.criterion_id]
                for c in bid.criteria
                if c.pillar_id == pillar.id
            )
            matrix[row, column] = float(sum(earned, Fraction(0)))
    return matrix


@dataclass(frozen=True, slots=True)
class WinningChange:
    """`WeightChange` for one bid by id: its new pillar weights by pillar id."""

    bid_id: str
    weights: dict[str, float] | None
    change: float | None


@dataclass(frozen=True)
class Robustness:
    """How stable one round's ranking is. Weights and changes are percentage points."""

    winner: str | None
    pillar_weights: dict[str, float]
    bounds: dict[str, tuple[float, float]]
    first_place: dict[str, float]  # probability of coming first, by ranked bid id
    winning_changes: tuple[WinningChange, ...]  # smallest change first, impossible last
    reversals: tuple[RankReversal, ...]
    samples: int
    seed: int
    notes: tuple[str, ...] = ()

    @property
    def smallest_change(self) -> WinningChange | None:
        """The smallest weight change that lets some other bid catch the winner, if any."""
        first = self.winning_changes[0] if self.winning_changes else None
        return first if first is not None and first.change is not None else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: probabilities to 4 places, weights to 2, totals as `fmt` does."""
        smallest = self.smallest_change
        return {
            "winner": self.winner,
            "pillar_weights": {k: _places(v, 2) for k, v in self.pillar_weights.items()},
            "bounds": {k: [_places(lo, 2), _places(hi, 2)] for k, (lo, hi) in self.bounds.items()},
            "first_place": {k: _places(v, 4) for k, v in sorted(self.first_place.items())},
            "smallest_change": _change_dict(smallest) if smallest else None,
            "winning_changes": [_change_dict(c) for c in self.winning_changes],
            "reversals": [
                {
                    "dropped": r.dropped,
                    "ahead": r.ahead,
                    "behind": r.behind,
                    "totals_before": [fmt(t) for t in r.totals_before],
                    "totals_after": [fmt(t) for t in r.totals_after],
                }
                for r in self.reversals
            ],
            "samples": self.samples,
            "seed": self.seed,
            "notes": list(self.notes),
        }


def _places(value: float, places: int) -> str:
    return f"{round(value, places) + 0.0:.{places}f}"  # + 0.0 turns -0.0 into 0.0


def _change_dict(change: WinningChange) -> dict[str, Any]:
    weights = change.weights
    return {
        "bid_id": change.bid_id,
        "weights": {k: _places(v, 2) for k, v in weights.items()} if weights else None,
        "change": None if change.change is None else _places(change.change, 2),
    }


def _notes(framework: Framework, result: RoundResult) -> tuple[str, ...]:
    ranked = result.ranked
    notes = []
    if len(ranked) < 2:
        notes.append("Fewer than two ranked bids: there is no ranking to test.")
    elif result.winner is None:
        notes.append(
            f"First place is shared; weight changes are measured against {ranked[0].bid_id}, "
            "listed first."
        )
    price = framework.award.price
    if price is None:
        notes.append("No price criterion: withdrawing a bid cannot change another's score.")
        return tuple(notes)
    name = price.formula.name
    notes.append("Under other weights, price scores and exclusions are held as scored.")
    if name == "price_per_quality_point":
        notes.append(
            "price_per_quality_point moves with quality points, so holding it is approximate."
        )
    if name not in RELATIVE_PRICE_FORMULAS:
        notes.append(
            f"The price formula {name} is absolute: withdrawing a bid cannot change another "
            "bid's score, so no rank reversal is possible."
        )
    return tuple(notes)


def analyse(
    framework: Framework,
    result: RoundResult,
    bids: Sequence[Bid],
    marks: Marks | None = None,
    settings: RoundSettings | None = None,
    samples: int = 10_000,
    seed: int = 0,
    decisions: Decisions | None = None,
) -> Robustness:
    """First-place probabilities, winning weight changes and rank reversals for a scored round.

    `result` must be `score_round(framework, bids, marks, settings, decisions)`. Only ranked
    bids take part; the winner is the bid ranked first (after the tie-break, when first place
    is tied).
    """
    pillars = framework.award.pillars
    ranked = result.ranked
    ids = [bid.bid_id for bid in ranked]
    weights = np.array([float(result.pillar_weights.get(p.id, 0)) for p in pillars])
    bounds = np.array([[float(p.min_weight), float(p.max_weight)] for p in pillars])
    probabilities: dict[str, float] = {}
    changes: tuple[WinningChange, ...] = ()
    if ranked:
        matrix = performance_matrix(framework, ranked)
        found = first_place_probability(matrix, weights, bounds, samples, seed)
        probabilities = dict(zip(ids, map(float, found), strict=True))
        changes = tuple(
            WinningChange(
                bid_id=ids[c.challenger],
                weights=None if c.weights is None else _by_pillar(framework, c.weights),
                change=c.change,
            )
            for c in smallest_winning_change(matrix, weights, bounds, winner=0)
        )
    return Robustness(
        winner=ids[0] if ranked else None,
        pillar_weights=_by_pillar(framework, tuple(map(float, weights))),
        bounds={p.id: (float(p.min_weight), float(p.max_weight)) for p in pillars},
        first_place=probabilities,
        winning_changes=changes,
        reversals=tuple(
            rank_reversals(framework, bids, marks, settings, decisions=decisions, scored=result)
        ),
        samples=samples,
        seed=seed,
        notes=_notes(framework, result),
    )


def _by_pillar(framework: Framework, values: Sequence[float]) -> dict[str, float]:
    return {p.id: v for p, v in zip(framework.award.pillars, values, strict=True)}
