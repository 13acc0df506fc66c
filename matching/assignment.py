"""The best overall assignment of mentees to mentors: pure, over arrays.

Maximises the total score with every mentor's capacity respected, keeping the
committee's locked pairs, never using a banned or disallowed pair, and leaving out
dropped mentees. Each mentor is expanded into one column per free place ("slot"),
and the rectangular assignment problem over mentees × slots is solved exactly with
the Hungarian-type solver in scipy (`linear_sum_assignment`).

Why disallowed pairs can be given weight 0 and dropped afterwards: all allowed
weights are positive, so any valid partial matching extends to a complete assignment
of equal or higher weight, and the solver's optimum, minus its zero-weight pairs, is
an optimal valid matching.

Scores in whole points (what the committee is shown) are solved in integers: each
allowed pair weighs score × (pairs possible + 1) + 1, so that the solver maximises the
total score first and, among equal totals, matches the most mentees (even at score 0) —
exactly, where a float tie-break is approximate. The solver is also several times
faster on integers than on the floats the scores used to be.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

# Added to every allowed pair so that, at equal totals, a mentee is matched (even at
# score 0) rather than left out. Small enough never to change which total is larger.
TIE_BREAK = 1e-6


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
    allowed = np.asarray(allowed, bool).copy()
    before_bans = allowed.copy()
    for i, j in banned:
        allowed[i, j] = False

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

    rows = np.array([i for i in range(n) if i not in taken_rows and i not in dropped], int)
    slots = np.repeat(np.arange(m), np.maximum(capacity, 0))
    unmatched: dict[int, str] = {i: "dropped from the draft" for i in dropped if i not in taken_rows}
    if len(rows) and len(slots):
        every_row = len(rows) == n
        # Columns gathered with take (a contiguous copy), rows only when some are out: the
        # weights are built in place, as the float64 matrix the solver works on, without
        # the temporaries np.where would make (they took longer than the solver itself).
        sub_allowed = (allowed if every_row else allowed[rows]).take(slots, axis=1)
        weights = (scores if every_row else scores[rows]).take(slots, axis=1).astype(np.float64)
        if np.issubdtype(scores.dtype, np.integer):
            # More than the most pairs there can be: one more score point always outweighs every tie-break.
            weights *= min(len(rows), len(slots)) + 1
            weights += 1
        else:
            weights += TIE_BREAK
        weights[~sub_allowed] = 0.0
        r, c = linear_sum_assignment(weights, maximize=True)
        for a, b in zip(r, c, strict=True):
            if sub_allowed[a, b]:
                pairs.append((int(rows[a]), int(slots[b])))
                taken_rows.add(int(rows[a]))
    for i in rows:
        if int(i) in taken_rows:
            continue
        if not allowed[i].any():
            unmatched[int(i)] = (
                "every mentor who fits was ruled out in this draft"
                if before_bans[i].any()
                else "no mentor may be paired with them (see their suggestions for why)"
            )
        else:
            unmatched[int(i)] = "every mentor who fits is taken by a higher-scoring match"
    total = float(sum(int(scores[i, j]) if np.issubdtype(scores.dtype, np.integer) else scores[i, j] for i, j in pairs))
    return Assignment(pairs=pairs, unmatched=unmatched, total=total)
