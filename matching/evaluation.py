"""How good the suggestions are, measured on an evaluation set: pure, no database.

The set (tests/data/matching_eval.json) was written by a librarian who never saw the
scorer: each case is a mentee, the mentor a thoughtful committee member would choose
("intended") and a distractor whose title or responsibilities share surface words with
the mentee's. The pool of mentors is every intended mentor and every distractor.

For each mentee the whole pool is ranked, and the figures are:

- hits: the intended mentor is alone at the top (a tie at the top is not a hit: the
  committee would see several mentors with the same score);
- top 3: fewer than three other mentors score as much as the intended one, or more
  (ties counted against the scorer);
- shared top (information): the intended mentor is at the top, alone or tied.

Each is measured with full profiles and with job titles only (every other field blank),
for the scorer and for a plain word-overlap baseline: the Jaccard index of the
lower-cased words of the two job titles, plus, with full profiles, the Jaccard index of
their responsibilities (the areas ticked and the words of the free text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .scoring import Person, Weights, score

EVALUATION_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "matching_eval.json"
MODES = ("full profiles", "titles only")


@dataclass(frozen=True)
class Case:
    id: str
    mentee: dict
    intended: dict
    distractor: dict


@dataclass(frozen=True)
class Figures:
    cases: int
    hits: int
    top3: int
    shared_top: int

    def share(self, count: int) -> float:
        return count / self.cases if self.cases else 0.0


def load(path: Path = EVALUATION_SET) -> list[Case]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Case(c["id"], c["mentee"], c["intended"], c["distractor"]) for c in data["cases"]]


def person(pk: int, profile: dict, *, titles_only: bool) -> Person:
    """One profile of the set as scoring reads an opt-in; with titles only, everything but
    the job title is blank (no areas, no free text, no library type, region or years)."""
    if titles_only:
        return Person(id=pk, member_id=pk, title=profile["job_title"], areas=frozenset())
    return Person(
        id=pk,
        member_id=pk,
        title=profile["job_title"],
        areas=frozenset(profile["responsibilities"]),
        library_type=profile["library_type"],
        region=profile["region"],
        years=profile["years_experience"],
        institution=profile["institution"],
        other=profile["responsibilities_other"],
        goals=profile["goals"],
        interests=profile["interests"],
    )


def pool(cases: list[Case], *, titles_only: bool) -> tuple[list[Person], list[Person], list[int]]:
    """The mentees, the pool of mentors (every intended mentor, then every distractor) and,
    for each mentee, the column of their intended mentor."""
    n = len(cases)
    mentees = [person(1 + i, c.mentee, titles_only=titles_only) for i, c in enumerate(cases)]
    mentors = [person(10_001 + i, c.intended, titles_only=titles_only) for i, c in enumerate(cases)]
    mentors += [person(20_001 + i, c.distractor, titles_only=titles_only) for i, c in enumerate(cases)]
    return mentees, mentors, list(range(n))


def figures(totals: np.ndarray, intended: list[int]) -> Figures:
    """Hits, top 3 and shared tops of a mentees × mentors score matrix (ties against the scorer)."""
    hits = top3 = shared = 0
    for i, j in enumerate(intended):
        row = totals[i]
        others = np.delete(row, j)
        as_good = int(np.count_nonzero(others >= row[j]))
        hits += as_good == 0
        top3 += as_good <= 2
        shared += not (others > row[j]).any()
    return Figures(len(intended), hits, top3, shared)


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def _jaccard(a: list[frozenset[str]], b: list[frozenset[str]]) -> np.ndarray:
    out = np.zeros((len(a), len(b)))
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            union = len(x | y)
            out[i, j] = len(x & y) / union if union else 0.0
    return out


def baseline(mentees: list[Person], mentors: list[Person], *, titles_only: bool) -> np.ndarray:
    """Plain word overlap: Jaccard of the titles' words (+ of the responsibilities' with full profiles)."""
    totals = _jaccard([_words(p.title) for p in mentees], [_words(p.title) for p in mentors])
    if not titles_only:

        def duties(p: Person) -> frozenset[str]:
            return frozenset(p.areas) | _words(p.other)

        totals = totals + _jaccard([duties(p) for p in mentees], [duties(p) for p in mentors])
    return totals


def scorer(mentees: list[Person], mentors: list[Person], *, titles_only: bool) -> np.ndarray:
    """The product's scores with the default weights, as the suggestions page ranks them."""
    return np.asarray(score(mentees, mentors, Weights()).total)


SCORERS: dict[str, Callable[..., np.ndarray]] = {"scorer": scorer, "word-overlap baseline": baseline}


def evaluate(cases: list[Case] | None = None) -> dict[tuple[str, str], Figures]:
    """{(scorer name, mode): Figures} for the scorer and the baseline, both modes, one run."""
    cases = load() if cases is None else cases
    results = {}
    for mode in MODES:
        titles_only = mode == "titles only"
        mentees, mentors, intended = pool(cases, titles_only=titles_only)
        for name, fn in SCORERS.items():
            results[name, mode] = figures(fn(mentees, mentors, titles_only=titles_only), intended)
    return results
