"""The best-overall proposal equals the brute-force optimum on small random instances."""

import itertools

import numpy as np
import pytest

from matching.assignment import AssignmentError, solve


def brute_force(scores, allowed, capacity, locked=(), banned=frozenset(), dropped=frozenset()):
    """The highest total over every valid assignment (each mentee to one mentor or none)."""
    n, m = scores.shape
    locked_rows = dict(locked)
    best = -1.0
    options = []
    for i in range(n):
        if i in locked_rows:
            options.append([locked_rows[i]])
        elif i in dropped:
            options.append([None])
        else:
            options.append([None] + [j for j in range(m) if allowed[i, j] and (i, j) not in banned])
    for choice in itertools.product(*options):
        used = np.bincount([j for j in choice if j is not None], minlength=m)
        if (used <= capacity).all():
            best = max(best, sum(scores[i, j] for i, j in enumerate(choice) if j is not None))
    return best


def check_valid(result, scores, allowed, capacity, locked, banned, dropped):
    rows = [i for i, _ in result.pairs]
    assert len(rows) == len(set(rows)), "a mentee twice"
    used = np.bincount([j for _, j in result.pairs], minlength=scores.shape[1])
    assert (used <= capacity).all(), "over capacity"
    for i, j in result.pairs:
        assert allowed[i, j] or (i, j) in locked
        assert (i, j) not in banned and i not in dropped
    assert set(locked) <= set(result.pairs)


@pytest.mark.parametrize("seed", range(60))
def test_proposal_is_optimal_on_small_random_instances(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 7)), int(rng.integers(1, 5))
    scores = rng.integers(0, 101, size=(n, m)).astype(float) if seed % 2 else rng.random((n, m)) * 100
    allowed = rng.random((n, m)) > 0.25
    capacity = rng.integers(0, 3, size=m)
    locked = []
    for i in range(n):
        j = int(rng.integers(0, m))
        if rng.random() < 0.15 and allowed[i, j] and capacity[j] - sum(1 for _, b in locked if b == j) > 0:
            locked.append((i, j))
    locked_rows = {i for i, _ in locked}
    banned = {(int(rng.integers(0, n)), int(rng.integers(0, m))) for _ in range(2)} - set(locked)
    dropped = {i for i in range(n) if rng.random() < 0.1 and i not in locked_rows}

    result = solve(scores, allowed, capacity, locked=locked, banned=banned, dropped=dropped)

    check_valid(result, scores, allowed, capacity, locked, banned, dropped)
    assert result.total == pytest.approx(brute_force(scores, allowed, capacity, locked, banned, dropped), abs=1e-3)
    matched = {i for i, _ in result.pairs}
    assert set(result.unmatched) == set(range(n)) - matched


@pytest.mark.parametrize("seed", range(40))
def test_whole_point_scores_are_solved_in_integers_optimally_and_match_everyone_they_can(seed):
    """The proposal's scores are whole points (int16): solved exactly, the total first, then
    as many mentees as possible, even at score 0."""
    rng = np.random.default_rng(1000 + seed)
    n, m = int(rng.integers(1, 7)), int(rng.integers(1, 5))
    scores = rng.choice([0, 0, 5, 37, 100], size=(n, m)).astype(np.int16)
    allowed = rng.random((n, m)) > 0.25
    capacity = rng.integers(0, 3, size=m)

    result = solve(scores, allowed, capacity)

    check_valid(result, scores, allowed, capacity, [], set(), set())
    assert result.total == brute_force(scores, allowed, capacity)
    as_floats = solve(scores.astype(float), allowed, capacity)
    assert len(result.pairs) == len(as_floats.pairs)  # no mentee left out that could be matched


def test_a_mentee_left_out_is_told_why():
    scores = np.array([[90.0], [80.0], [70.0]])
    allowed = np.array([[True], [True], [False]])

    result = solve(scores, allowed, np.array([1]), dropped={1})

    assert result.pairs == [(0, 0)]
    assert result.unmatched == {
        1: "dropped from the draft",
        2: "no mentor may be paired with them (see their suggestions for why)",
    }


def test_max_total_score_beats_max_number_of_pairs():
    # Pairing both would total 1; the better plan pairs only the first mentee.
    scores = np.array([[100.0, 0.0], [1.0, 0.0]])
    allowed = np.array([[True, False], [True, False]])

    result = solve(scores, allowed, np.array([1, 1]))

    assert result.pairs == [(0, 0)] and result.total == 100


def test_locking_more_pairs_than_a_mentor_takes_is_refused():
    with pytest.raises(AssignmentError):
        solve(np.ones((2, 1)), np.ones((2, 1), bool), np.array([1]), locked=[(0, 0), (1, 0)])


# --- The solver against the dense one it replaced ---------------------------------------------
# `solve` used to give the whole mentees × places matrix to scipy's dense solver; it now solves
# each mentee's best candidates with scipy's sparse one and proves the answer for the whole
# matrix with prices (matching/assignment.py). The dense solver, as it was, is the reference.


def dense_reference(weights, allowed, capacity):
    """The largest total weight and its number of pairs, from scipy's dense solver over every place."""
    from scipy.optimize import linear_sum_assignment

    places = np.repeat(np.arange(len(capacity)), capacity)
    w = np.where(allowed, weights, 0.0).take(places, axis=1)
    if not w.size:
        return 0.0, 0
    r, c = linear_sum_assignment(w, maximize=True)
    kept = w[r, c] > 0
    return float(w[r, c][kept].sum()), int(kept.sum())


@pytest.mark.parametrize("seed", range(40))
def test_the_candidates_grow_until_the_matching_is_the_best_of_the_whole_matrix(seed):
    """Few candidates a row (1–4) force several rounds; the result is always the dense optimum,
    on scores full of ties as the demo's are, or all different, whether the pairs near
    undercutting join the candidates with those that do or not."""
    from matching.assignment import best_matching

    rng = np.random.default_rng(5000 + seed)
    n, m = int(rng.integers(5, 60)), int(rng.integers(2, 40))
    if seed % 2:
        weights = rng.choice([1, 2, 3, 50, 51, 100], size=(n, m)).astype(float)
    else:
        weights = rng.integers(1, 10_000, size=(n, m)).astype(float)
    allowed = rng.random((n, m)) > rng.choice([0.0, 0.3, 0.8])
    capacity = rng.integers(1, 4, size=m)

    near = float(rng.choice([0, 1, 60]))
    pairs = best_matching(weights, allowed, capacity, candidates=int(rng.integers(1, 5)), near=near)

    rows = [i for i, _ in pairs]
    assert len(rows) == len(set(rows))
    assert (np.bincount([j for _, j in pairs], minlength=m) <= capacity).all()
    assert all(allowed[i, j] for i, j in pairs)
    assert (sum(weights[i, j] for i, j in pairs), len(pairs)) == dense_reference(weights, allowed, capacity)


@pytest.mark.parametrize("seed", range(60))
def test_after_the_first_round_only_the_pairs_near_the_prices_are_solved_and_the_result_is_still_the_best(seed):
    """From the second round on, the candidates are the pairs near undercutting the last prices
    and every pair undercut so far, not every earlier candidate: the rounds still end, on the
    dense optimum's total, with up to the 5 places a mentor may offer and near margins from
    half a point (candidates shrink the most) to more than any weight."""
    from matching.assignment import best_matching

    rng = np.random.default_rng(9000 + seed)
    n, m = int(rng.integers(5, 80)), int(rng.integers(2, 50))
    kind = seed % 3
    if kind == 0:
        weights = rng.choice([1, 2, 3, 50, 51, 100], size=(n, m)).astype(float)
    elif kind == 1:
        weights = rng.integers(1, 10_000, size=(n, m)).astype(float)
    else:
        weights = rng.integers(1, 4, size=(n, m)).astype(float)
    allowed = rng.random((n, m)) > rng.choice([0.0, 0.3, 0.8])
    capacity = rng.integers(1, 6, size=m)

    near = float(rng.choice([0.5, 1, 2, 60, 20_000]))
    pairs = best_matching(weights, allowed, capacity, candidates=int(rng.integers(1, 8)), near=near)

    rows = [i for i, _ in pairs]
    assert len(rows) == len(set(rows))
    assert (np.bincount([j for _, j in pairs], minlength=m) <= capacity).all()
    assert all(allowed[i, j] for i, j in pairs)
    # The total only: best_matching does not prefer more pairs at an equal total (solve's
    # tie-break weights do), nor does the dense reference.
    assert sum(weights[i, j] for i, j in pairs) == dense_reference(weights, allowed, capacity)[0]


def test_no_rows_to_match_is_no_pairs_whatever_the_columns():
    """best_matching on no rows at all (solve never asks it, a caller may): no pairs, not an error."""
    from matching.assignment import best_matching

    for m in (0, 3, 40):
        assert best_matching(np.zeros((0, m)), np.zeros((0, m), bool), np.ones(m, int)) == []


@pytest.mark.parametrize("seed", range(10))
def test_a_cycle_of_hundreds_gets_the_same_total_and_pairs_as_the_dense_solver(seed):
    """Whole-point scores with the demo's ties, a few hundred mentees and mentors with one to
    three places, locks, bans and drops: the same total score and number of pairs as the dense
    solver on the same problem (the tie-break weights of solve included)."""
    rng = np.random.default_rng(9000 + seed)
    n, m = int(rng.integers(100, 400)), int(rng.integers(50, 250))
    scores = (rng.choice(12, size=(n, 1)) * 3 + rng.choice(12, size=(1, m)) * 4 + rng.integers(0, 5, (n, m))).astype(
        np.int16
    )
    allowed = rng.random((n, m)) > 0.05
    capacity = rng.integers(0, 4, size=m)
    locked, used = [], np.zeros(m, int)
    for i in rng.choice(n, 5, replace=False):
        j = int(rng.integers(0, m))
        if allowed[i, j] and used[j] < capacity[j]:
            locked.append((int(i), j))
            used[j] += 1
    locked_rows = {i for i, _ in locked}
    banned = {(int(rng.integers(0, n)), int(rng.integers(0, m))) for _ in range(20)} - set(locked)
    dropped = {int(i) for i in rng.choice(n, 5, replace=False)} - locked_rows

    result = solve(scores, allowed, capacity, locked=locked, banned=banned, dropped=dropped)

    check_valid(result, scores, allowed, capacity, locked, banned, dropped)
    free = [i for i in range(n) if i not in locked_rows and i not in dropped]
    left = capacity - used
    ruled = allowed.copy()
    for i, j in banned:
        ruled[i, j] = False
    k = min(len(free), int(left.sum())) + 1
    best, count = dense_reference(scores[free].astype(float) * k + 1, ruled[free], left)
    assert result.total == sum(int(scores[i, j]) for i, j in locked) + (best - count) // k
    assert len(result.pairs) == len(locked) + count


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.int64])
def test_whole_scores_of_any_integer_type_get_the_dense_solvers_total(dtype):
    """Whole weights are 32-bit integers when the largest score of the scores' type fits, 64-bit
    otherwise (int32 and int64 scores): every type gets the dense solver's total and pairs."""
    rng = np.random.default_rng(77)
    n, m = 150, 70
    scores = (rng.choice(12, size=(n, 1)) * 3 + rng.choice(12, size=(1, m)) * 4 + rng.integers(0, 5, (n, m))).astype(
        dtype
    )
    allowed = rng.random((n, m)) > 0.05
    capacity = rng.integers(0, 4, size=m)

    result = solve(scores, allowed, capacity)

    check_valid(result, scores, allowed, capacity, [], set(), set())
    k = min(n, int(capacity.sum())) + 1
    best, count = dense_reference(scores.astype(float) * k + 1, allowed, capacity)
    assert result.total == (best - count) // k
    assert len(result.pairs) == count


@pytest.mark.parametrize("seed", range(12))
def test_the_first_candidates_chosen_on_small_scores_are_those_their_costs_choose(seed):
    """solve ranks whole scores of 16 bits or fewer in 16 bits to choose best_matching's first
    candidates (faster than on the costs): the same pairs the costs choose, with ties,
    disallowed pairs, and scores from one end of int16 to the other."""
    from matching.assignment import _first_candidates, _order_of

    rng = np.random.default_rng(600 + seed)
    n, m = int(rng.integers(2, 90)), int(rng.integers(2, 70))
    if seed % 3 == 0:
        scores = rng.integers(-32768, 32768, size=(n, m)).astype(np.int16)
    elif seed % 3 == 1:
        scores = rng.choice([0, 1, 2, 50, 100], size=(n, m)).astype(np.int16)
    else:
        scores = rng.integers(0, 256, size=(n, m)).astype(np.uint8)
    allowed = rng.random((n, m)) > rng.choice([0.0, 0.3, 0.9])
    cost = float(scores.max()) + 1 - scores.astype(float)
    cost[~allowed] = np.inf
    candidates = int(rng.integers(1, 30))

    by_cost = _first_candidates(cost, candidates) & allowed
    by_order = _first_candidates(_order_of(scores, allowed), candidates) & allowed

    assert (by_order == by_cost).all()
