"""How well a mentor fits a mentee: pure functions over plain values, vectorised.

The seeds say mentors "will normally share job titles and/or responsibilities with
the mentee". The score (0–100, whole points) is the sum of eight components, each
worth a whole number of points at most ("out of"), cut from the five weights the
committee sets for the cycle:

- job title (weight "job title"):
  - work (8/10): how close the kinds of work the two titles name are, by the model of
    library work (matching/library_work.toml): the same family counts fully
    ("Circ" and "Access Services"), a family and its group 0.7 ("Cataloging" and
    "Technical Services"), two families of one group less ("Teen" and "Children's"),
    unrelated work nothing;
  - seniority (1/10): the gap between the two ranks — a mentor one or two steps up is
    best, the same rank fair, a mentor below the mentee poor. Never "agreement";
  - other words (1/10): title words the model does not know, shared by both titles;
- responsibilities (weight "responsibilities"):
  - areas (2/3): the controlled areas both ticked (3/4 for covering the mentee's
    areas, 1/4 for the mentor's focus);
  - what they wrote (1/3): the work named in each one's other responsibilities and,
    at half weight, goals and topics, met anywhere in the other's profile;
- library type, region: the same or not;
- experience: how many more years the mentor has, full marks from ten years on;
- and one component a "match on this" question of the cycle (a one-choice question the
  committee marked, with its own weight): the same answer or not, as library type.

Each component is rounded to whole points before they are added, so the points shown
add up to the score exactly, and mentors with the same score are shown as a tie.
A whole cycle is scored at once with matrix products over the families; each
distinct title and text is read once.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .library_work import Found, Reading, Vocabulary, vocabulary


@dataclass(slots=True)  # not frozen: a frozen dataclass is five times slower to build, and we build thousands
class Person:
    """What scoring needs of one enrollment, as plain values."""

    id: int
    member_id: int
    title: str
    areas: frozenset[str]
    library_type: str = ""
    region: str = ""
    years: int = 0
    institution: str = ""
    capacity_left: int = 1
    other: str = ""  # other responsibilities, in their words
    goals: str = ""
    interests: str = ""
    answers: tuple[str, ...] = ()  # to the cycle's "match on this" questions, in order ("" for none)


@dataclass
class Group:
    """Many people as columns: what the vectorised code reads.

    Building thousands of Person objects (and reading them back one attribute at a
    time) was most of a suggestions page; a Group holds the same values as lists,
    and makes a Person only for the few that are shown.
    """

    ids: list[int]
    member_ids: list[int]
    titles: list[str]
    areas: list[Sequence[str]]
    library_types: list[str]
    regions: list[str]
    years: list[int]
    institutions: list[str]
    capacity_left: list[int]
    others: list[str]
    goals: list[str]
    interests: list[str]
    answers: list[tuple[str, ...]] = field(default_factory=list)  # one tuple a person; empty: no questions

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, j: int) -> Person:
        return Person(
            self.ids[j],
            self.member_ids[j],
            self.titles[j],
            frozenset(self.areas[j]),
            self.library_types[j],
            self.regions[j],
            self.years[j],
            self.institutions[j],
            self.capacity_left[j],
            self.others[j],
            self.goals[j],
            self.interests[j],
            self.answers[j] if self.answers else (),
        )

    @classmethod
    def of(cls, people: Sequence[Person] | Group) -> Group:
        if isinstance(people, Group):
            return people
        columns = [
            list(c)
            for c in zip(
                *(
                    (
                        p.id,
                        p.member_id,
                        p.title,
                        tuple(p.areas),
                        p.library_type,
                        p.region,
                        p.years,
                        p.institution,
                        p.capacity_left,
                        p.other,
                        p.goals,
                        p.interests,
                        tuple(p.answers),
                    )
                    for p in people
                ),
                strict=True,
            )
        ] or [[] for _ in range(13)]
        if not any(columns[12]):
            columns[12] = []
        return cls(*columns)


@dataclass(frozen=True)
class Weights:
    title: float = 40
    responsibilities: float = 30
    library_type: float = 10
    region: float = 10
    experience: float = 10
    # One weight a "match on this" question of the cycle, in the order of the people's answers.
    questions: tuple[float, ...] = ()

    def normalised(self) -> np.ndarray:
        raw = np.array(
            [self.title, self.responsibilities, self.library_type, self.region, self.experience, *self.questions],
            float,
        )
        total = raw.sum()
        return raw * (100 / total) if total > 0 else np.full(len(raw), 100 / len(raw))


PARTS = ("title", "responsibilities", "library_type", "region", "experience")
# (component, the part whose weight it shares, its share of that weight)
COMPONENTS = (
    ("work", "title", 0.8),
    ("seniority", "title", 0.1),
    ("words", "title", 0.1),
    ("areas", "responsibilities", 2 / 3),
    ("written", "responsibilities", 1 / 3),
    ("library_type", "library_type", 1.0),
    ("region", "region", 1.0),
    ("experience", "experience", 1.0),
)
FULL_EXPERIENCE_GAP = 10
# How much of the seniority component a gap of ranks earns (mentor's rank − mentee's).
SENIORITY_FIT = {-2: 0.0, -1: 0.25, 0: 0.5, 1: 1.0, 2: 1.0, 3: 0.75}
SENIORITY_UNKNOWN = 0.5
# What they wrote in the other responsibilities counts fully; goals and topics half.
WRITTEN_WEIGHTS = {"other": 1.0, "goals": 0.5, "interests": 0.5}
WRITTEN_SOURCES = {
    "title": "job title",
    "areas": "areas",
    "other": "other responsibilities",
    "goals": "goals",
    "interests": "topics",
}
AREAS_COVERAGE = 0.75  # of the areas component: the share of the mentee's areas the mentor has


def question_part(k: int) -> str:
    """The component of the k-th "match on this" question."""
    return f"question_{k}"


def components(questions: int) -> tuple[tuple[str, str, float], ...]:
    """COMPONENTS, and one more for each of `questions` "match on this" questions."""
    return COMPONENTS + tuple((question_part(k), question_part(k), 1.0) for k in range(questions))


def seniority_fit(gap: int) -> float:
    return SENIORITY_FIT[max(-2, min(3, gap))]


def out_of(weights: Weights | np.ndarray) -> dict[str, int]:
    """Whole points each component is worth at most, adding up to exactly 100 (largest remainders)."""
    w = weights.normalised() if isinstance(weights, Weights) else np.asarray(weights, float)
    every = components(len(w) - len(PARTS))
    by_part = dict(zip(PARTS + tuple(question_part(k) for k in range(len(w) - len(PARTS))), w, strict=True))
    exact = {name: by_part[part] * share for name, part, share in every}
    points = {name: math.floor(v) for name, v in exact.items()}
    rest = 100 - sum(points.values())
    names = [c[0] for c in every]
    for name in sorted(exact, key=lambda n: (-(exact[n] - points[n]), names.index(n)))[:rest]:
        points[name] += 1
    return points


@dataclass(frozen=True)
class Profile:
    """One person as the model of library work reads them."""

    title: Reading
    areas: tuple[str, ...]  # families of the ticked areas
    written: tuple[tuple[Found, str], ...]  # (family found, where: other, goals or interests)
    # What the written part compares, by family: the weight of what they wrote, and how close
    # the nearest family of their whole profile (title, areas, writing) is to each family.
    written_weights: np.ndarray = field(repr=False, compare=False, default=None)
    nearest: np.ndarray = field(repr=False, compare=False, default=None)


@dataclass
class Scores:
    """Scores of every mentee (rows) against every mentor (columns), in whole points."""

    mentees: Group
    mentors: Group
    out_of: dict[str, int]
    points: dict[str, np.ndarray]  # component -> (n, m) uint8
    total: np.ndarray  # (n, m) int16: the sum of the components
    vocabulary: Vocabulary
    profiles_mentee: list[Profile] = field(default_factory=list)
    profiles_mentor: list[Profile] = field(default_factory=list)
    questions: tuple[str, ...] = ()  # the "match on this" questions' words, for the reasons


def profile(person: Person, vocab: Vocabulary) -> Profile:
    return _profile(vocab, person.title, tuple(sorted(person.areas)), person.other, person.goals, person.interests)


@functools.lru_cache(maxsize=20_000)
def _profile(vocab: Vocabulary, title: str, areas: tuple[str, ...], other: str, goals: str, interests: str) -> Profile:
    """One profile read, with its vectors: kept for the next page (a cycle's mentors are read
    again for every mentee's suggestions), as long as the model of library work is the same."""
    title_reading = vocab.read(title)
    area_families = vocab.areas(areas)
    written = []
    for source, text in (("other", other), ("goals", goals), ("interests", interests)):
        for found in vocab.read(text, title=False).families:
            written.append((found, source))
    weights = np.zeros(len(vocab.keys), np.float32)
    for found, source in written:
        c = vocab.index[found.family]
        weights[c] = max(weights[c], vocab.families[found.family].weight * WRITTEN_WEIGHTS[source])
    nearest = np.zeros(len(vocab.keys), np.float32)
    for family in {*title_reading.keys, *area_families, *(found.family for found, _ in written)}:
        np.maximum(nearest, vocab.closeness[vocab.index[family]], out=nearest)
    return Profile(title_reading, area_families, tuple(written), weights, nearest)


def _area_keys(group: Group) -> list[tuple[str, ...]]:
    return [tuple(sorted(areas)) for areas in group.areas]


def _profiles(group: Group, vocab: Vocabulary, area_keys: list[tuple[str, ...]]) -> list[Profile]:
    """Each person's Profile; people with the same title, areas and words share one object."""
    return [
        _profile(vocab, title, areas, other, goals, interests)
        for title, areas, other, goals, interests in zip(
            group.titles, area_keys, group.others, group.goals, group.interests, strict=True
        )
    ]


# Rows computed at a time: a block's float temporaries stay small (256 × 2,000 mentors is
# 2 MB a matrix) whatever the size of the cycle; only whole points are kept.
BLOCK = 256


def _blockwise(n_rows: int, n_cols: int, worth: int, value) -> np.ndarray:
    """Whole points of value(rows) (a 0–1 float block of `n_cols` columns), a block of rows at a time."""
    out = np.empty((n_rows, n_cols), np.uint8)
    for start in range(0, n_rows, BLOCK):
        rows = slice(start, min(n_rows, start + BLOCK))
        out[rows] = _points(value(rows), worth)
    return out


def _distinct(keys: Sequence) -> tuple[list, np.ndarray]:
    """The distinct keys (first seen first), and each item's index among them."""
    index: dict = {}
    inverse = np.fromiter((index.setdefault(k, len(index)) for k in keys), np.intp, len(keys))
    return list(index), inverse


def _distinct_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a matrix, and each row's index among them."""
    if not len(matrix):
        return matrix, np.zeros(0, np.intp)
    unique, inverse = np.unique(matrix, axis=0, return_inverse=True)
    return unique, inverse.ravel()


def _family_rows(readings: list[tuple[tuple[str, float], ...]], vocab: Vocabulary) -> np.ndarray:
    """One row per item: each family's weight (its kind's weight times the item's)."""
    matrix = np.zeros((len(readings), len(vocab.keys)), np.float32)
    for r, families in enumerate(readings):
        for family, weight in families:
            c = vocab.index[family]
            matrix[r, c] = max(matrix[r, c], weight)
    return matrix


def _best(present: np.ndarray, closeness: np.ndarray) -> np.ndarray:
    """best[r, f]: how close the nearest family of row r is to family f (0 without families)."""
    best = np.zeros(present.shape, np.float32)
    for c in np.flatnonzero(present.any(axis=0)):
        rows = present[:, c] > 0
        best[rows] = np.maximum(best[rows], closeness[c][None, :])
    return best


def _coverage(weights: np.ndarray, best: np.ndarray, floor: float) -> np.ndarray:
    """rows × other rows: the weighted share of each row's families met by the other's nearest."""
    sums = weights.sum(axis=1)
    return (weights @ best.T) / np.maximum(sums, floor)[:, None]


def _weighted(reading: Reading, vocab: Vocabulary, factor: float = 1.0) -> tuple[tuple[str, float], ...]:
    return tuple((f.family, vocab.families[f.family].weight * factor) for f in reading.families)


def _title_work(ta: list[Reading], tb: list[Reading], vocab: Vocabulary, worth: int) -> np.ndarray:
    """Distinct mentee titles × distinct mentor titles: points for how close the work they name is.

    Each title is its families (weighted by kind) plus the words the model does not know
    (weighing less than any family, meeting only the same word). Coverage both ways, so
    that neither a broad title nor a long one wins by itself; a setting ("University")
    counts only when both titles name one; a title naming less than one kind of work is
    measured against one."""
    canon = _near_words({w for r in ta + tb for w, _ in r.other})
    unknown = {c: k for k, c in enumerate(sorted(set(canon.values())))}
    families = len(vocab.keys)
    setting = np.zeros(families + len(unknown), bool)
    setting[[vocab.index[k] for k, f in vocab.families.items() if f.kind == "setting"]] = True

    def rows(readings: list[Reading]) -> tuple[np.ndarray, np.ndarray]:
        known = _family_rows([_weighted(r, vocab) for r in readings], vocab)
        other = np.zeros((len(readings), len(unknown)), np.float32)
        for r, reading in enumerate(readings):
            for w, _ in reading.other:
                other[r, unknown[canon[w]]] = vocab.other_weight
        weights = np.hstack([known, other])
        best = np.hstack([_best(known, vocab.closeness), (other > 0).astype(np.float32)])
        return weights, best

    (wa, best_a), (wb, best_b) = rows(ta), rows(tb)
    set_a, set_b = wa[:, setting].any(axis=1), wb[:, setting].any(axis=1)
    named_a, named_b = wa.any(axis=1), wb.any(axis=1)

    def coverage(w: np.ndarray, best_other: np.ndarray, other_has_setting: np.ndarray) -> np.ndarray:
        plain = w[:, ~setting] @ best_other[:, ~setting].T
        places = w[:, setting] @ best_other[:, setting].T
        counted = w[:, ~setting].sum(axis=1)[:, None] + w[:, setting].sum(axis=1)[:, None] * other_has_setting[None, :]
        return (plain + places * other_has_setting[None, :]) / np.maximum(counted, 1.0)

    def block(r: slice) -> np.ndarray:
        both = (coverage(wa[r], best_b, set_b) + coverage(wb, best_a[r], set_a[r]).T) / 2
        both[~named_a[r]] = 0
        both[:, ~named_b] = 0
        return np.minimum(both, 1.0)

    return _blockwise(len(ta), len(tb), worth, block)


def _same_words(ta: list[Reading], tb: list[Reading], worth: int) -> np.ndarray:
    """Distinct titles × distinct titles: points for the words both use for the same family
    ("Circ" and "Circulation"), as a share of the longer title's."""
    keys: dict[tuple[str, str], int] = {}
    for r in ta + tb:
        for family, word_root, _ in r.words:
            keys.setdefault((family, word_root), len(keys))

    def rows(readings: list[Reading]) -> np.ndarray:
        matrix = np.zeros((len(readings), max(len(keys), 1)), np.float32)
        for r, reading in enumerate(readings):
            for family, word_root, _ in reading.words:
                matrix[r, keys[family, word_root]] = 1
        return matrix

    a, b = rows(ta), rows(tb)
    count_a, count_b = a.sum(axis=1), b.sum(axis=1)

    def block(r: slice) -> np.ndarray:
        shared = a[r] @ b.T
        longer = np.maximum(count_a[r][:, None], count_b[None, :])
        return np.divide(shared, longer, out=np.zeros_like(shared), where=longer > 0)

    return _blockwise(len(ta), len(tb), worth, block)


def _seniority(ta: list[Reading], tb: list[Reading], worth: int) -> np.ndarray:
    """Distinct titles × distinct titles: points for the gap between the ranks."""
    la = np.array([-1 if r.level is None else r.level for r in ta])
    lb = np.array([-1 if r.level is None else r.level for r in tb])
    table = np.array([SENIORITY_FIT[g] for g in range(-2, 4)], np.float32)

    def block(r: slice) -> np.ndarray:
        fit = table[np.clip(lb[None, :] - la[r, None], -2, 3) + 2]
        fit[(la[r, None] < 0) | (lb[None, :] < 0)] = SENIORITY_UNKNOWN
        return fit

    return _blockwise(len(ta), len(tb), worth, block)


def _near_words(words: set[str]) -> dict[str, str]:
    """Each unknown word -> a representative, joining words one typing slip apart (six letters or more)."""
    from .library_work import SHORTEST_CORRECTED, edit_distance

    canon: dict[str, str] = {}
    by_key: dict[tuple[int, str], list[str]] = {}
    for w in sorted(words):
        canon[w] = w
        if len(w) < SHORTEST_CORRECTED:
            continue
        # Words one slip apart share one of these keys (the word without one of its letters).
        keys = {(len(w), w)} | {(len(w) - 1, w[:k] + w[k + 1 :]) for k in range(len(w))}
        for key in keys:
            for other in by_key.get(key, ()):
                if canon[other] != canon[w] and edit_distance(w, other, 1) <= 1:
                    canon[w] = canon[other]
            by_key.setdefault(key, []).append(w)
    return canon


def _same(values_a: Sequence, values_b: Sequence, worth: int) -> np.ndarray:
    """Points when the two values are the same (and given): compared once per distinct pair."""
    da, ia = _distinct(values_a)
    db, ib = _distinct(values_b)
    table = np.array([[worth if x and x == y else 0 for y in db] for x in da], np.uint8).reshape(len(da), len(db))
    return table[np.ix_(ia, ib)]


def _areas(keys_a: list[tuple[str, ...]], keys_b: list[tuple[str, ...]], worth: int) -> np.ndarray:
    """Points for the areas both ticked, compared once per distinct set of areas."""
    sets_a, ia = _distinct(keys_a)
    sets_b, ib = _distinct(keys_b)
    areas = sorted({a for group in (sets_a, sets_b) for areas_of in group for a in areas_of})
    if not areas:
        return np.zeros((len(keys_a), len(keys_b)), np.uint8)
    col = {a: i for i, a in enumerate(areas)}

    def membership(sets: list[tuple[str, ...]]) -> np.ndarray:
        # One fancy-index assignment for every set, not one per set.
        rows = [i for i, areas_of in enumerate(sets) for _ in areas_of]
        cols = [col[a] for areas_of in sets for a in areas_of]
        matrix = np.zeros((len(sets), len(areas)), np.float32)
        matrix[rows, cols] = 1
        return matrix

    ma, mb = membership(sets_a), membership(sets_b)
    count_a, count_b = np.maximum(ma.sum(axis=1), 1), np.maximum(mb.sum(axis=1), 1)

    def block(r: slice) -> np.ndarray:
        both = ma[r] @ mb.T
        return AREAS_COVERAGE * both / count_a[r][:, None] + (1 - AREAS_COVERAGE) * both / count_b[None, :]

    return _blockwise(len(sets_a), len(sets_b), worth, block)[np.ix_(ia, ib)]


def _written(pa: list[Profile], pb: list[Profile], vocab: Vocabulary, worth: int) -> np.ndarray:
    """Points for what each wrote, met anywhere in the other's profile (the mean of the two ways
    that exist), compared once per distinct pair of what is written and what is met."""
    families = len(vocab.keys)

    def rows(profiles: list[Profile]) -> tuple[np.ndarray, np.ndarray]:
        distinct, inverse = _distinct([id(p) for p in profiles])
        first = {id(p): p for p in profiles}
        unique = [first[k] for k in distinct]
        vectors = np.hstack([np.stack([p.written_weights for p in unique]), np.stack([p.nearest for p in unique])])
        if len(unique) <= BLOCK:  # few enough: comparing them is cheaper than finding the repeats
            return vectors, inverse
        both, again = _distinct_rows(vectors)
        return both, again[inverse]

    (a, ia), (b, ib) = rows(pa), rows(pb)
    wa, best_a, wb, best_b = a[:, :families], a[:, families:], b[:, :families], b[:, families:]
    has_a, has_b = wa.any(axis=1), wb.any(axis=1)
    if not has_a.any() and not has_b.any():
        return np.zeros((len(pa), len(pb)), np.uint8)

    def block(r: slice) -> np.ndarray:
        a_to_b = _coverage(wa[r], best_b, 1e-9)  # the mentee's words met by the mentor
        a_to_b += _coverage(wb, best_a[r], 1e-9).T  # and the mentor's met by the mentee
        ways = has_a[r][:, None].astype(np.float32) + has_b[None, :]
        return np.divide(a_to_b, ways, out=np.zeros_like(a_to_b), where=ways > 0)

    return _blockwise(len(a), len(b), worth, block)[np.ix_(ia, ib)]


def _points(value: np.ndarray, worth: int) -> np.ndarray:
    return np.floor(value * worth + 0.5).astype(np.uint8)


def score(
    mentees: Sequence[Person] | Group,
    mentors: Sequence[Person] | Group,
    weights: Weights = Weights(),
    *,
    terms: tuple[tuple[str, str, str], ...] = (),
    questions: tuple[str, ...] = (),
) -> Scores:
    """Score every mentee against every mentor at once, in whole points.

    `terms` are the committee's own words and abbreviations (matching.TitleTerm rows as
    (kind, words, family or expansion)), added to the shipped model of library work.
    `questions` are the cycle's "match on this" questions (their words, for the reasons), one
    a weight of `weights.questions` and an answer of each person's `answers`: the same answer
    scores that question's points, as the same library type does.
    A pair's score depends on the two people only, never on who else is in the pool. Each
    component is computed once per distinct pair of what it compares (titles, sets of areas,
    what is written, years), a block of rows at a time, and kept as whole points (uint8).
    """
    mentees, mentors = Group.of(mentees), Group.of(mentors)
    vocab = vocabulary(tuple(terms))
    worth = out_of(weights)
    n, m = len(mentees), len(mentors)
    areas_a, areas_b = _area_keys(mentees), _area_keys(mentors)
    pa, pb = _profiles(mentees, vocab, areas_a), _profiles(mentors, vocab, areas_b)
    points: dict[str, np.ndarray] = {}
    total = np.zeros((n, m), np.int16)
    if n and m:
        titles_a, ta_of = _distinct(mentees.titles)
        titles_b, tb_of = _distinct(mentors.titles)
        ta, tb = [vocab.read(t) for t in titles_a], [vocab.read(t) for t in titles_b]
        by_title = np.ix_(ta_of, tb_of)
        points["work"] = _title_work(ta, tb, vocab, worth["work"])[by_title]
        points["seniority"] = _seniority(ta, tb, worth["seniority"])[by_title]
        points["words"] = _same_words(ta, tb, worth["words"])[by_title]
        points["areas"] = _areas(areas_a, areas_b, worth["areas"])
        points["written"] = _written(pa, pb, vocab, worth["written"])
        points["library_type"] = _same(mentees.library_types, mentors.library_types, worth["library_type"])
        points["region"] = _same(mentees.regions, mentors.regions, worth["region"])
        years_a, ya_of = _distinct(mentees.years)
        years_b, yb_of = _distinct(mentors.years)
        gap = np.array(years_b, np.float32)[None, :] - np.array(years_a, np.float32)[:, None]
        points["experience"] = _points(np.clip(gap / FULL_EXPERIENCE_GAP, 0, 1), worth["experience"])[
            np.ix_(ya_of, yb_of)
        ]
        for k in range(len(questions)):
            points[question_part(k)] = _same(
                [a[k] if a else "" for a in mentees.answers or [()] * n],
                [b[k] if b else "" for b in mentors.answers or [()] * m],
                worth[question_part(k)],
            )
        for value in points.values():
            total += value
    else:
        points = {name: np.zeros((n, m), np.uint8) for name, _, _ in components(len(questions))}
    return Scores(mentees, mentors, worth, points, total, vocab, pa, pb, tuple(questions))


# --- Reasons -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    part: str  # the component
    text: str  # a sentence naming the words that matched; no points
    points: int
    out_of: int = 0


def _q(words: str) -> str:
    return f"“{words}”"


def _pair_text(vocab: Vocabulary, fa: Found, fb: Found) -> str:
    """Why two families found in two texts agree, in words: same, part of, related."""
    a, b = fa.family, fb.family
    relation = vocab.relation(a, b)
    words = f"{_q(fa.words)} and {_q(fb.words)}"
    if relation.kind == "same":
        return f"{words}: both {vocab.label(a)}"
    if relation.kind == "part":
        child, parent = (a, b) if vocab.families[a].parent == b else (b, a)
        return f"{words}: {vocab.label(child)} is part of {vocab.label(parent)}"
    if relation.kind == "related":
        return f"{words}: {vocab.label(a)} and {vocab.label(b)} are related ({relation.why})"
    group = vocab.families[vocab.families[a].parent]
    return f"{words}: {vocab.label(a)} and {vocab.label(b)}, both {group.label}"


def _best_pairs(vocab: Vocabulary, side_a: list, side_b: list) -> list[tuple[float, object, object]]:
    """For each item of side a, the closest item of side b (when related at all), closest first.
    Items are Found, or (Found, where) pairs."""

    def family(item) -> str:
        return item.family if isinstance(item, Found) else item[0].family

    pairs = {}
    for x in side_a:
        best = max(side_b, key=lambda y: vocab.relation(family(x), family(y)).closeness, default=None)
        if best is None:
            continue
        closeness = vocab.relation(family(x), family(best)).closeness
        if closeness > 0 and (family(x), family(best)) not in pairs:
            pairs[family(x), family(best)] = (closeness, x, best)
    return sorted(pairs.values(), key=lambda p: -p[0])


def _families_text(vocab: Vocabulary, reading: Reading) -> str:
    return ", ".join(f"{_q(f.words)} ({vocab.label(f.family)})" for f in reading.families)


def _shared_unknown(a: Reading, b: Reading) -> list[str]:
    """The words the model does not know that both titles use (one typing slip apart at most)."""
    canon = _near_words({w for w, _ in a.other} | {w for w, _ in b.other})
    theirs = {canon[w]: typed for w, typed in b.other}
    return [
        _q(x) if x.lower() == theirs[canon[w]].lower() else f"{_q(x)} and {_q(theirs[canon[w]])}"
        for w, x in a.other
        if canon[w] in theirs
    ]


def _work_reason(vocab: Vocabulary, a: Reading, b: Reading, title_a: str, title_b: str) -> str:
    unknown = _shared_unknown(a, b)
    also = f"; both say {', '.join(unknown)} (a word the model does not know)" if unknown else ""
    if not a.families or not b.families:
        if unknown:
            return f"Job titles: both say {', '.join(unknown)} (a word the model does not know)"
        if not a.families and not b.families:
            return f"Neither job title names a kind of work the model knows ({_q(title_a)}, {_q(title_b)})"
        if not a.families:
            return f"The mentee's job title, {_q(title_a)}, names no kind of work the model knows"
        return f"The mentor's job title, {_q(title_b)}, names no kind of work the model knows"
    pairs = _best_pairs(vocab, list(a.families), list(b.families))
    if not pairs:
        return f"Job titles name different work: {_families_text(vocab, a)}; {_families_text(vocab, b)}{also}"
    return "Job titles: " + "; ".join(_pair_text(vocab, fa, fb) for _, fa, fb in pairs[:3]) + also


def _steps(n: int) -> str:
    return f"{n} step{'s' if n != 1 else ''}"


def _seniority_reason(vocab: Vocabulary, a: Reading, b: Reading) -> str:
    if a.level is None and b.level is None:
        return "Seniority: neither job title states a rank"
    if a.level is None:
        return f"Seniority: the mentee's job title states no rank (the mentor: {vocab.level_label(b.level)})"
    if b.level is None:
        return f"Seniority: the mentor's job title states no rank (the mentee: {vocab.level_label(a.level)})"
    gap = b.level - a.level
    words = f"{_q(a.level_words)} → {_q(b.level_words)}"
    if gap == 0:
        return f"Seniority: the same rank, {vocab.level_label(a.level)} ({words})"
    if gap > 0:
        return f"Seniority: the mentor is {_steps(gap)} up ({words})"
    return f"Seniority: the mentor is {_steps(-gap)} below the mentee ({words})"


def _words_reason(a: Reading, b: Reading) -> str | None:
    """The same words used for the same work, or None when either title names no work in words.
    Words one side wrote as one (an abbreviation) are quoted once: “ILL” and “Interlibrary Loan”."""
    if not a.words or not b.words:
        return None
    theirs = {(family, word_root): typed for family, word_root, typed in b.words}
    pairs: dict[str, list[str]] = {}
    for family, word_root, typed in a.words:
        if (family, word_root) in theirs and theirs[family, word_root] not in pairs.setdefault(typed, []):
            pairs[typed].append(theirs[family, word_root])
    same = [
        _q(mine) if " ".join(its).lower() == mine.lower() else f"{_q(mine)} and {_q(' '.join(its))}"
        for mine, its in pairs.items()
        if its
    ]
    if not same:
        return "No word in common for the same work"
    return "The same words for the same work: " + ", ".join(same)


def _areas_reason(a: Person, b: Person, labels: dict[str, str]) -> str:
    if not a.areas:
        return "The mentee ticked no responsibility area"
    if not b.areas:
        return "The mentor ticked no responsibility area"
    overlap = sorted(a.areas & b.areas)
    if not overlap:
        return "No responsibility area in common"
    mentor_also = f"; the mentor ticked {len(b.areas)}" if len(b.areas) != len(overlap) else ""
    return (
        f"Both work in {', '.join(labels.get(x, x) for x in overlap)} "
        f"({len(overlap)} of the mentee's {len(a.areas)} area{'s' if len(a.areas) != 1 else ''}{mentor_also})"
    )


def _everything(p: Profile, person: Person, labels: dict[str, str], vocab: Vocabulary) -> list[tuple[Found, str]]:
    """Every family a profile names, with where: the title, each area (by its label), what they wrote."""
    out = [(f, "title") for f in p.title.families]
    for area in sorted(person.areas):
        for family in vocab.areas([area]):
            out.append((Found(family, labels.get(area, area)), "areas"))
    return out + list(p.written)


def _written_reason(vocab: Vocabulary, pa: Profile, pb: Profile, a: Person, b: Person, labels: dict[str, str]) -> str:
    if not pa.written and not pb.written:
        return "Neither wrote more about their work"
    found: list[tuple[float, str]] = []
    for mine, theirs, mentee_first in (
        (pa.written, _everything(pb, b, labels, vocab), True),
        (pb.written, _everything(pa, a, labels, vocab), False),
    ):
        for closeness, x, y in _best_pairs(vocab, list(mine), theirs):
            (fa, sa), (fb, sb) = (x, y) if mentee_first else (y, x)
            text = _pair_text(vocab, fa, fb).replace(
                f"{_q(fa.words)} and {_q(fb.words)}",
                f"{_q(fa.words)} (mentee's {WRITTEN_SOURCES[sa]}) and {_q(fb.words)} (mentor's {WRITTEN_SOURCES[sb]})",
                1,
            )
            found.append((closeness, text))
    if not found:
        return "Nothing they wrote names the same or related work"
    seen, texts = set(), []
    for _, text in sorted(found, key=lambda x: -x[0]):
        if text not in seen:
            seen.add(text)
            texts.append(text)
    return "What they wrote: " + "; ".join(texts[:2])


def explain(scores: Scores, i: int, j: int, area_labels: dict[str, str] | None = None) -> list[Reason]:
    """Why mentor j got their score for mentee i: a sentence a component, naming the words that
    matched on both sides, with the whole points it gave (they add up to the score)."""
    a, b = scores.mentees[i], scores.mentors[j]
    pa, pb = scores.profiles_mentee[i], scores.profiles_mentor[j]
    vocab, labels = scores.vocabulary, area_labels or {}

    def reason(name: str, text: str) -> Reason:
        return Reason(name, text, int(scores.points[name][i, j]), scores.out_of[name])

    gap = b.years - a.years
    reasons = [
        reason("work", _work_reason(vocab, pa.title, pb.title, a.title, b.title)),
        reason("seniority", _seniority_reason(vocab, pa.title, pb.title)),
    ]
    words = _words_reason(pa.title, pb.title)
    if words is not None:
        reasons.append(reason("words", words))
    reasons += [
        reason("areas", _areas_reason(a, b, labels)),
        reason("written", _written_reason(vocab, pa, pb, a, b, labels)),
        reason(
            "library_type",
            f"Same library type ({a.library_type.replace('_', ' ')})"
            if scores.points["library_type"][i, j]
            else "Different library type",
        ),
        reason("region", "Same region" if scores.points["region"][i, j] else "Different region"),
        reason(
            "experience",
            f"{gap} more year{'s' if gap != 1 else ''} of experience"
            if gap > 0
            else "No more experience than the mentee",
        ),
    ]
    for k, question in enumerate(scores.questions):
        mine, theirs = (a.answers[k] if a.answers else ""), (b.answers[k] if b.answers else "")
        if scores.points[question_part(k)][i, j] or (mine and mine == theirs):
            text = f"Both answered {_q(mine)} to {_q(question)}"
        elif not mine or not theirs:
            text = f"{'The mentee' if not mine else 'The mentor'} did not answer {_q(question)}"
        else:
            text = f"Different answers to {_q(question)}"
        reasons.append(reason(question_part(k), text))
    return reasons


# --- Who may be suggested ------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """What keeps a mentor out of a mentee's candidates, as plain values."""

    exclude_same_institution: bool = True
    paired_before: frozenset[tuple[int, int]] = frozenset()  # (mentee member id, mentor member id)
    ineligible: dict[int, str] = field(default_factory=dict)  # mentor enrollment id -> reason


def exclusion(mentee: Person, mentor: Person, rules: Rules) -> str | None:
    """Why `mentor` cannot be suggested for `mentee`, or None."""
    if mentee.member_id == mentor.member_id:
        return "the same person"
    if mentor.id in rules.ineligible:
        return rules.ineligible[mentor.id]
    if mentor.capacity_left <= 0:
        return "at capacity"
    if (mentee.member_id, mentor.member_id) in rules.paired_before:
        return "paired with this mentee before"
    if rules.exclude_same_institution and mentee.institution and _norm(mentee.institution) == _norm(mentor.institution):
        return "same institution"
    return None


@functools.lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    # Cached: a cycle has a few hundred institutions and thousands of people.
    return " ".join(text.lower().split())


def allowed_matrix(mentees: Sequence[Person] | Group, mentors: Sequence[Person] | Group, rules: Rules) -> np.ndarray:
    """allowed[i, j] is True when mentor j may be suggested for mentee i (vectorised)."""
    mentees, mentors = Group.of(mentees), Group.of(mentors)
    n, m = len(mentees), len(mentors)
    allowed = np.ones((n, m), bool)
    if not n or not m:
        return allowed
    member_a = np.array(mentees.member_ids)
    member_b = np.array(mentors.member_ids)
    allowed &= member_a[:, None] != member_b[None, :]
    mentor_ok = np.array(mentors.capacity_left) > 0
    if rules.ineligible:
        mentor_ok &= ~np.isin(np.array(mentors.ids), list(rules.ineligible))
    allowed &= mentor_ok[None, :]
    if rules.exclude_same_institution:
        codes: dict[str, int] = {}

        def code(institution: str, missing: int) -> int:
            return codes.setdefault(_norm(institution), len(codes)) if institution else missing

        inst_a = np.array([code(x, -1) for x in mentees.institutions])
        inst_b = np.array([code(x, -2) for x in mentors.institutions])
        allowed &= inst_a[:, None] != inst_b[None, :]
    if rules.paired_before:
        rows: dict[int, list[int]] = {}
        for i, member in enumerate(mentees.member_ids):
            rows.setdefault(member, []).append(i)
        cols: dict[int, list[int]] = {}
        for j, member in enumerate(mentors.member_ids):
            cols.setdefault(member, []).append(j)
        for a, b in rules.paired_before:
            for i in rows.get(a, []):
                allowed[i, cols.get(b, [])] = False
    return allowed


def rank(scores: Scores, i: int, allowed_row: np.ndarray, limit: int | None = None) -> list[int]:
    """Mentor columns for mentee i, best first, allowed ones only (a tie keeps the pool's order)."""
    totals = scores.total[i]
    candidates = np.flatnonzero(allowed_row)
    order = candidates[np.argsort(-totals[candidates].astype(np.int32), kind="stable")]
    return order[:limit].tolist() if limit else order.tolist()


def shared_rank(totals: np.ndarray, allowed_row: np.ndarray, j: int) -> int:
    """Mentor j's rank among the allowed mentors: 1 + how many score more (a tie shares a rank)."""
    return 1 + int(np.count_nonzero(allowed_row & (totals > totals[j])))


def round_score(value: float) -> int:
    return int(math.floor(value + 0.5))
