"""The best overall assignment of mentees to mentors: pure, over arrays.

Maximises the total score with every mentor's capacity respected, keeping the
committee's locked pairs, never using a banned or disallowed pair, and leaving out
dropped mentees. Each mentor is expanded into one column per free place ("slot"), and
each mentee has a place of their own, "unmatched", worth nothing; the assignment of
mentees to slots and those places is solved exactly.

Scores in whole points (what the committee is shown) are solved in integers: each
allowed pair weighs score × (pairs possible + 1) + 1, so that the solver maximises the
total score first and, among equal totals, matches the most mentees (even at score 0) —
exactly, where a float tie-break is approximate.

How, and why it is exact. scipy's dense solver (`linear_sum_assignment`) is slow on the
proposal's scores, which are full of exact ties (mentees and mentors repeat a few dozen
titles; a mentor's places are identical columns). Almost every mentee ends with one of
their best few dozen slots, so the problem is first solved on those candidates only, with
scipy's sparse solver (`min_weight_full_bipartite_matching`). Linear programming then
proves the answer for the whole matrix or says what to add: from the matching come prices
of the slots (shortest paths over the candidates' exchanges) and of the mentees, and a
matching that no pair of the whole matrix undercuts at those prices is optimal over the
whole matrix (duality). Otherwise the next round's candidates are the pairs near
undercutting those prices (the matching's own among them) and every pair undercut so far,
and the sparse problem is solved again — in practice once; each round adds a pair never
undercut before, so at worst the candidates become the whole matrix, solved exactly as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

# Added to every allowed pair so that, at equal totals, a mentee is matched (even at
# score 0) rather than left out. Small enough never to change which total is larger.
TIE_BREAK = 1e-6
# Each mentee's best mentors first tried, and each mentor's best half as many mentees (with
# whoever ties with the last one taken). On the bench's 2,000 × 2,000 (1,000 mentors of 2
# places, scores full of ties) that is ~60,000 pairs, and a second round proves the answer.
CANDIDATES = 24
# When a round's prices show pairs that undercut them, the next round's candidates are the
# pairs within this many score points of undercutting (and those undercutting): the next
# round's prices would otherwise often show a few more undercutting in turn, and cost a third
# whole solve. Only those, not every earlier candidate too: on the bench's 2,000 × 2,000 the
# second solve went from ~40 to ~30 ms and the whole from 142–150 to 123–127 ms of CPU, in
# two rounds still (`make bench BENCH_ARGS="--only-matching --skip-service"`, alternated).
NEAR_POINTS = 6


class AssignmentError(ValueError):
    pass


@dataclass
class Assignment:
    pairs: list[tuple[int, int]]  # (mentee row, mentor column), locked ones included
    unmatched: dict[int, str] = field(default_factory=dict)  # mentee row -> why
    total: float = 0.0


def solve(
    scores: np.ndarray,
    allowed: np.ndarray,
    capacity: np.ndarray,
    *,
    locked: list[tuple[int, int]] = (),
    banned: set[tuple[int, int]] = frozenset(),
    dropped: set[int] = frozenset(),
) -> Assignment:
    """Assign mentees (rows) to mentors (columns) maximising the total score."""
    n, m = scores.shape
    capacity = np.asarray(capacity, int).copy()
    before_bans = allowed = np.asarray(allowed, bool)
    if banned:
        allowed = allowed.copy()
        allowed[_index(banned)] = False

    pairs: list[tuple[int, int]] = []
    taken_rows: set[int] = set()
    for i, j in locked:
        if i in taken_rows:
            raise AssignmentError("A mentee is locked to two mentors.")
        capacity[j] -= 1
        if capacity[j] < 0:
            raise AssignmentError("More pairs are locked to a mentor than the mentor can take.")
        pairs.append((i, j))
        taken_rows.add(i)

    free = np.ones(n, bool)
    free[list(taken_rows | set(dropped))] = False
    rows = np.flatnonzero(free)
    mentors = np.flatnonzero(capacity > 0)
    unmatched: dict[int, str] = {i: "dropped from the draft" for i in dropped if i not in taken_rows}
    if len(rows) and len(mentors):
        every_row, every_mentor = len(rows) == n, len(mentors) == m
        sub_allowed = allowed if every_row else allowed[rows]
        weights = scores if every_row else scores[rows]
        if not every_mentor:
            sub_allowed, weights = sub_allowed.take(mentors, axis=1), weights.take(mentors, axis=1)
        exact = np.issubdtype(scores.dtype, np.integer)
        # A score point's weight. Exact: more than the most pairs there can be, so that one more
        # score point always outweighs every tie-break.
        point = min(len(rows), int(capacity[mentors].sum())) + 1 if exact else 1.0
        # Small whole scores (the proposal's int16) also give the order of the pairs, in their own
        # type: best_matching chooses its first candidates on it, faster than on the costs.
        order = _order_of(weights, sub_allowed) if exact and weights.dtype.itemsize <= 2 else None
        # Whole weights are whole numbers, in 32 bits when the largest the scores' type holds fits:
        # half the memory of 64 to go through, for a matrix of millions of pairs.
        if exact:
            fits = int(np.iinfo(scores.dtype).max) * point + 1 < 2**31
            weights = weights.astype(np.int32 if fits else np.int64)
        else:
            weights = weights.astype(np.float64)
        weights *= point
        weights += 1 if exact else TIE_BREAK
        matched = best_matching(
            weights, sub_allowed, capacity[mentors], exact=exact, near=NEAR_POINTS * point, order=order
        )
        row_at, mentor_at = _index(matched)
        pairs += zip(rows[row_at].tolist(), mentors[mentor_at].tolist(), strict=True)
        free[rows[row_at]] = False
    for i in np.flatnonzero(free).tolist():
        if not allowed[i].any():
            unmatched[i] = (
                "every mentor who fits was ruled out in this draft"
                if before_bans[i].any()
                else "no mentor may be paired with them (see their suggestions for why)"
            )
        else:
            unmatched[i] = "every mentor who fits is taken by a higher-scoring match"
    chosen = scores[_index(pairs)]
    total = float(chosen.sum() if np.issubdtype(scores.dtype, np.integer) else sum(chosen.tolist()))
    return Assignment(pairs=pairs, unmatched=unmatched, total=total)


def _index(pairs) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) pairs as the two arrays that index a matrix with them (empty: two empty)."""
    rows, columns = np.array(list(pairs), int).reshape(-1, 2).T
    return rows, columns


def best_matching(
    weights: np.ndarray,
    allowed: np.ndarray,
    capacity: np.ndarray,
    *,
    exact: bool = True,
    candidates: int = CANDIDATES,
    near: float = 0.0,
    order: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    """The (row, column) pairs of largest total weight, each row at most once and column j at
    most capacity[j] (≥ 1) times, only where `allowed`; weights positive. `exact`: the weights
    are whole numbers (below 2⁵³). `near`: when a round's prices are undercut, the pairs
    within this much weight of undercutting them join the candidates too (fewer rounds).
    `order`: the pairs ranked as by their costs (smaller first, disallowed last) in a smaller
    type than the costs' (`_order_of`): the first candidates are chosen on it, faster.

    Solved as rows × (each column's places + one "unmatched" place of each row's own, weight
    0), every row assigned, at costs `top − weight` (all ≥ 1), on candidate pairs that grow
    until the prices prove the matching optimal for the whole matrix (the module's docstring).
    The places of one column are alike: they have one price, and a candidate pair is a row
    with all the places of its column."""
    n, m = weights.shape
    if not n:
        return []
    capacity = np.asarray(capacity, np.int64)
    top = float(weights.max(initial=0.0)) + 1.0
    # Whole costs below 2²⁴ are exact in 32 bits: half the memory to partition and scan.
    precision = np.float32 if exact and top < 2**24 else np.float64
    # A disallowed pair costs inf (written over its cost: a masked subtract is several times slower).
    cost = np.subtract(top, weights, dtype=precision, casting="same_kind")
    np.copyto(cost, np.inf, where=~allowed)
    tolerance = 0.5 if exact else 1e-9 * top
    # The first round's candidates: the best of each row and of each column.
    candidate = _first_candidates(cost if order is None else order, candidates)
    candidate &= allowed
    places = int(capacity.sum())
    first_place = np.concatenate([[0], np.cumsum(capacity)[:-1]])
    column_of_place = np.repeat(np.arange(m), capacity)
    own = np.arange(n)
    undercut_once = np.zeros((n, m), bool)
    while True:
        # The candidates in row order, and their costs: through the flat index, several times
        # faster than nonzero() and cost[r, c] on a 2-D array.
        flat = np.flatnonzero(candidate)
        r, c = np.divmod(flat, m)
        candidate_cost = cost.ravel()[flat]
        # Each candidate (row, column) as an edge to each of the column's places.
        times = capacity[c]
        edge_rows = np.repeat(r, times)
        offsets = np.arange(len(edge_rows)) - np.repeat(np.cumsum(times) - times, times)
        edge_places = np.repeat(first_place[c], times) + offsets
        edge_costs = np.repeat(candidate_cost, times)
        # Built row by row as the solver reads it: each row's places (nonzero gives them in
        # row order), then its own unmatched place.
        per_row = np.bincount(edge_rows, minlength=n)
        end = np.cumsum(per_row + 1)
        at = np.arange(len(edge_rows)) + edge_rows  # each earlier row adds its unmatched place
        indices, data = np.empty(end[-1], np.int64), np.empty(end[-1])
        indices[at], data[at] = edge_places, edge_costs
        indices[end - 1], data[end - 1] = places + own, top
        graph = csr_matrix((data, indices, np.concatenate([[0], end])), shape=(n, places + n))
        place = min_weight_full_bipartite_matching(graph)[1]
        real = place < places
        # Each row's node: its column's, or m + row for its own "unmatched" place.
        node = m + own
        node[real] = column_of_place[place[real]]
        paid = np.full(n, top)
        paid[real] = cost[own[real], node[real]]
        # Prices: a row may move from its node to another candidate column j for cost[i, j] − paid[i],
        # or (a matched row) to its own unmatched place for top − paid[i].
        moves = c != node[r]
        price = _shortest_from_everywhere(
            m + n,
            np.concatenate([node[r[moves]], node[real]]),
            np.concatenate([c[moves], m + own[real]]),
            np.concatenate([candidate_cost[moves] - paid[r[moves]], top - paid[real]]),
        )
        row_price = paid - price[node]
        # Whole costs and prices, all below 2²⁴ with their sums: exact in 32 bits as well.
        small = precision is np.float32 and np.abs(row_price).max() + np.abs(price).max() + top < 2**24
        reduced = np.subtract(cost, row_price[:, None], dtype=np.float32 if small else np.float64, casting="same_kind")
        reduced -= price[None, :m]
        undercut = reduced < -tolerance
        undercut &= ~candidate
        if not undercut.any():
            matched = np.flatnonzero(real)
            return list(zip(matched.tolist(), node[matched].tolist(), strict=True))
        undercut_once |= undercut
        if near > 0:
            # The next round's candidates: the pairs within `near` of undercutting these prices
            # (the matching's own pairs among them, at 0), not every earlier candidate: most of
            # those are far from it, and they made the next solve as slow as the first. With
            # every pair undercut so far, so that the candidates never come back to an earlier
            # round's (each round adds a pair never undercut before) and the rounds end.
            candidate = reduced < near  # a disallowed pair costs inf: never near
            candidate |= undercut_once
        else:
            candidate |= undercut


def _order_of(scores: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """The pairs' ranks for `best_matching(order=…)` from whole scores of at most 16 bits: the
    best score's shortfall as uint16 (every difference of two int16 fits, modulo 2¹⁶), the
    disallowed pairs last. Partitioned, 16 bits take about two thirds of the time of the 32-bit
    costs (on the bench's 2,000 × 1,000, by line_profiler: 20 ms against 29 of the ~105 ms the
    solve takes)."""
    order = np.subtract(scores.max(initial=0), scores, dtype=np.uint16, casting="unsafe")
    np.copyto(order, np.iinfo(np.uint16).max, where=~allowed)
    return order


def _first_candidates(key: np.ndarray, candidates: int) -> np.ndarray:
    """Each row's best `candidates` columns and each column's best half as many rows (smaller
    `key` first), with every column or row tied with the last one taken (ties are many, and
    one left out is a pair the prices would make the next round add)."""
    n, m = key.shape
    if m <= candidates:
        candidate = np.ones((n, m), bool)
    else:
        candidate = key <= np.partition(key, candidates - 1, axis=1)[:, candidates - 1, None]
    half = max(candidates // 2, 1)
    if n > half:
        # Partitioned along its rows, a copy of the transpose is faster than the columns in place.
        candidate |= key <= np.partition(key.T.copy(), half - 1, axis=1)[:, half - 1]
    else:
        candidate[:] = True
    return candidate


def _shortest_from_everywhere(nodes: int, source: np.ndarray, target: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Bellman–Ford from a start joined to every node at length 0: each node's shortest
    distance (≤ 0). The arcs have no negative cycle (the matching is optimal on them)."""
    distance = np.zeros(nodes)
    if not len(target):
        return distance
    # Stable on 16-bit integers is a radix sort: a few times faster than a comparison sort here.
    order = np.argsort(target.astype(np.int16) if nodes < 2**15 else target, kind="stable")
    source, target, length = source[order], target[order], length[order]
    first = np.flatnonzero(np.concatenate([[True], target[1:] != target[:-1]]))
    reached = target[first]
    for _ in range(nodes):
        shortest = np.minimum.reduceat(distance[source] + length, first)
        better = shortest < distance[reached]
        if not better.any():
            return distance
        distance[reached[better]] = shortest[better]
    raise AssertionError("a negative cycle: the matching was not optimal on its candidates")
