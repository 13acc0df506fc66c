"""How well a mentor fits a mentee: pure functions over plain values, vectorised.

The seeds say mentors "will normally share job titles and/or responsibilities with
the mentee". So the score (0–100) is a weighted sum of five parts, each between 0
and 1, with the weights the committee sets for the cycle:

- job title: the titles are reduced to *concepts* ("Cataloger" and "Cataloging
  Librarian" both mean cataloging; "Children's Librarian" and "Youth Services
  Librarian" both mean youth services) and compared by cosine similarity, each
  concept weighted by how rare it is in the cycle (so "librarian" counts little);
- responsibilities: the share of the mentee's areas the mentor also works in;
- library type and region: the same or not;
- experience: how many more years the mentor has, full marks from ten years on.

A whole cycle is scored at once with matrix products: each distinct normalised
title is turned into a vector once, not once per pair.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

# Phrases first (longest first), then single words. Values are concepts; a concept
# may also be a key of CONCEPT_LABELS for display.
PHRASE_SYNONYMS = {
    "young adult": "youth",
    "youth services": "youth",
    "children services": "youth",
    "teen services": "youth",
    "media specialist": "school",
    "library media": "school",
    "technical services": "technical_services",
    "interlibrary loan": "interlibrary_loan",
    "information literacy": "instruction",
    "special collections": "archives",
    "access services": "circulation",
    "collection development": "collections",
    "collection management": "collections",
    "government documents": "government_documents",
    "gov docs": "government_documents",
    "user experience": "technology",
    "web services": "technology",
    "digital services": "digital",
    "adult services": "adult_services",
    "public services": "public_services",
}
WORD_SYNONYMS = {
    # cataloging
    "cataloger": "cataloging",
    "cataloguer": "cataloging",
    "catalog": "cataloging",
    "catalogue": "cataloging",
    "cataloguing": "cataloging",
    "metadata": "cataloging",
    # youth
    "children": "youth",
    "childrens": "youth",
    "child": "youth",
    "kids": "youth",
    "juvenile": "youth",
    "teen": "youth",
    "teens": "youth",
    "ya": "youth",
    "youth": "youth",
    # school
    "school": "school",
    "media": "school",
    # reference and instruction
    "reference": "reference",
    "research": "reference",
    "information": "reference",
    "instruction": "instruction",
    "instructional": "instruction",
    "teaching": "instruction",
    "literacy": "instruction",
    # archives
    "archivist": "archives",
    "archives": "archives",
    "archival": "archives",
    "archive": "archives",
    "curator": "archives",
    "preservation": "archives",
    # management
    "director": "management",
    "manager": "management",
    "supervisor": "management",
    "head": "management",
    "administrator": "management",
    "dean": "management",
    "chief": "management",
    "coordinator": "coordination",
    # support staff
    "assistant": "support",
    "clerk": "support",
    "associate": "support",
    "technician": "support",
    "aide": "support",
    "paraprofessional": "support",
    "page": "support",
    # technology
    "systems": "technology",
    "technology": "technology",
    "it": "technology",
    "digital": "digital",
    "web": "technology",
    "emerging": "technology",
    # others
    "circulation": "circulation",
    "acquisitions": "acquisitions",
    "acquisition": "acquisitions",
    "collections": "collections",
    "collection": "collections",
    "outreach": "outreach",
    "programming": "outreach",
    "programs": "outreach",
    "engagement": "outreach",
    "community": "outreach",
    "marketing": "outreach",
    "student": "student",
    "mlis": "student",
    "mls": "student",
    "graduate": "student",
    "intern": "student",
    "law": "law",
    "legal": "law",
    "medical": "health",
    "health": "health",
    "hospital": "health",
    "librarian": "librarian",
    "librarians": "librarian",
    "library": None,
    "libraries": None,
}
STOPWORDS = {
    "of",
    "and",
    "the",
    "for",
    "in",
    "at",
    "to",
    "a",
    "an",
    "services",
    "service",
    "senior",
    "junior",
    "sr",
    "jr",
    "i",
    "ii",
    "iii",
    "iv",
    "lead",
    "principal",
    "interim",
    "acting",
    "specialist",
    "officer",
    "department",
}
CONCEPT_LABELS = {
    "youth": "youth services",
    "school": "school library",
    "technical_services": "technical services",
    "interlibrary_loan": "interlibrary loan",
    "government_documents": "government documents",
    "adult_services": "adult services",
    "public_services": "public services",
    "support": "library support staff",
}

# Concepts that say little about fit whatever the pool: most mentors are librarians.
GENERIC_CONCEPTS = {"librarian": 0.3, "coordination": 0.5, "support": 0.7}

_PHRASES = sorted(PHRASE_SYNONYMS, key=len, reverse=True)
_PUNCT = re.compile(r"[^a-z0-9 ]+")


def title_concepts(title: str) -> tuple[str, ...]:
    """The concepts a job title names, sorted: 'Children's Librarian' -> ('librarian', 'youth')."""
    text = " " + title.lower().replace("&", " and ").replace("'s", "s").replace("’s", "s") + " "
    text = _PUNCT.sub(" ", text)
    text = " " + " ".join(text.split()) + " "
    concepts = set()
    for phrase in _PHRASES:
        needle = f" {phrase} "
        if needle in text:
            concepts.add(PHRASE_SYNONYMS[phrase])
            text = text.replace(needle, " ")
    for word in text.split():
        if word in STOPWORDS:
            continue
        concept = WORD_SYNONYMS.get(word, word)
        if concept:
            concepts.add(concept)
    return tuple(sorted(concepts))


def concept_label(concept: str) -> str:
    return CONCEPT_LABELS.get(concept, concept.replace("_", " "))


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
                    )
                    for p in people
                ),
                strict=True,
            )
        ] or [[] for _ in range(9)]
        return cls(*columns)


@dataclass(frozen=True)
class Weights:
    title: float = 40
    responsibilities: float = 30
    library_type: float = 10
    region: float = 10
    experience: float = 10

    def normalised(self) -> np.ndarray:
        raw = np.array([self.title, self.responsibilities, self.library_type, self.region, self.experience], float)
        total = raw.sum()
        return raw * (100 / total) if total > 0 else np.full(5, 20.0)


PARTS = ("title", "responsibilities", "library_type", "region", "experience")
FULL_EXPERIENCE_GAP = 10


@dataclass
class Scores:
    """Scores of every mentee (rows) against every mentor (columns)."""

    mentees: Group
    mentors: Group
    weights: np.ndarray  # points per part, summing to 100
    parts: np.ndarray  # shape (5, n, m), each part in [0, 1]
    concepts_mentee: list[tuple[str, ...]] = field(default_factory=list)
    concepts_mentor: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def total(self) -> np.ndarray:
        return np.tensordot(self.weights, self.parts, axes=1)


def _title_matrix(
    mentee_titles: list[tuple[str, ...]],
    mentor_titles: list[tuple[str, ...]],
    pool: dict[tuple[str, ...], int] | None = None,
) -> np.ndarray:
    """Cosine similarity of distinct concept sets, weighted by inverse frequency in `pool`
    (concept sets with how many people hold them)."""
    distinct_a = sorted(set(mentee_titles))
    distinct_b = sorted(set(mentor_titles))
    vocabulary: dict[str, int] = {}
    for concepts in distinct_a + distinct_b:
        for c in concepts:
            vocabulary.setdefault(c, len(vocabulary))
    if not vocabulary:
        return np.zeros((len(mentee_titles), len(mentor_titles)))
    # Document frequency over everybody's titles in the cycle: a concept most titles
    # share ("librarian") says little about fit.
    if pool is None:
        pool = Counter(mentee_titles + mentor_titles)
    df = np.zeros(len(vocabulary))
    for concepts, count in pool.items():
        for c in concepts:
            if c in vocabulary:
                df[vocabulary[c]] += count
    n_docs = sum(pool.values())
    idf = np.log((n_docs + 1) / (df + 1)) + 1
    for concept, factor in GENERIC_CONCEPTS.items():
        if concept in vocabulary:
            idf[vocabulary[concept]] *= factor

    def matrix(distinct):
        rows, cols, vals = [], [], []
        for r, concepts in enumerate(distinct):
            for c in concepts:
                rows.append(r)
                cols.append(vocabulary[c])
                vals.append(idf[vocabulary[c]])
        m = sparse.csr_matrix((vals, (rows, cols)), shape=(len(distinct), len(vocabulary)))
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        return sparse.diags(1 / norms) @ m

    similarity = (matrix(distinct_a) @ matrix(distinct_b).T).toarray()
    index_a = {t: i for i, t in enumerate(distinct_a)}
    index_b = {t: i for i, t in enumerate(distinct_b)}
    rows = np.fromiter((index_a[t] for t in mentee_titles), int, len(mentee_titles))
    cols = np.fromiter((index_b[t] for t in mentor_titles), int, len(mentor_titles))
    return similarity[np.ix_(rows, cols)]


def _same(values_a: Sequence[str], values_b: Sequence[str]) -> np.ndarray:
    codes: dict[str, int] = {"": -1}
    a = np.array([codes.setdefault(v, len(codes)) for v in values_a])
    b = np.array([codes.setdefault(v, len(codes)) for v in values_b])
    return ((a[:, None] == b[None, :]) & (a[:, None] >= 0)).astype(float)


def score(
    mentees: Sequence[Person] | Group,
    mentors: Sequence[Person] | Group,
    weights: Weights = Weights(),
    *,
    pool_titles: Mapping[str, int] | None = None,
) -> Scores:
    """Score every mentee against every mentor at once.

    `pool_titles` (title -> how many people hold it) are the frequencies that weight
    the title concepts (by default the mentees' and mentors' own): pass the whole
    cycle's to score one mentee exactly as the whole-cycle proposal does.
    """
    mentees, mentors = Group.of(mentees), Group.of(mentors)
    n, m = len(mentees), len(mentors)
    cache: dict[str, tuple[str, ...]] = {}

    def concepts(title: str) -> tuple[str, ...]:
        # Each distinct title is normalised once: a cycle has far fewer titles than people.
        if title not in cache:
            cache[title] = title_concepts(title)
        return cache[title]

    concepts_a = [concepts(t) for t in mentees.titles]
    concepts_b = [concepts(t) for t in mentors.titles]
    pool: dict[tuple[str, ...], int] | None = None
    if pool_titles is not None:
        pool = Counter()
        for title, count in pool_titles.items():
            pool[concepts(title)] += count
    parts = np.zeros((5, n, m))
    if n and m:
        parts[0] = _title_matrix(concepts_a, concepts_b, pool)
        areas = sorted({a for group in (mentees, mentors) for person_areas in group.areas for a in person_areas})
        if areas:
            col = {a: i for i, a in enumerate(areas)}

            def membership(group: Group) -> np.ndarray:
                # One fancy-index assignment for everyone, not one per person.
                rows = [i for i, person_areas in enumerate(group.areas) for _ in person_areas]
                cols = [col[a] for person_areas in group.areas for a in person_areas]
                matrix = np.zeros((len(group), len(areas)))
                matrix[rows, cols] = 1
                return matrix

            ma, mb = membership(mentees), membership(mentors)
            wanted = np.maximum(ma.sum(axis=1), 1)
            parts[1] = (ma @ mb.T) / wanted[:, None]
        parts[2] = _same(mentees.library_types, mentors.library_types)
        parts[3] = _same(mentees.regions, mentors.regions)
        gap = np.array(mentors.years, float)[None, :] - np.array(mentees.years, float)[:, None]
        parts[4] = np.clip(gap / FULL_EXPERIENCE_GAP, 0, 1)
    return Scores(mentees, mentors, weights.normalised(), parts, concepts_a, concepts_b)


@dataclass(frozen=True)
class Reason:
    part: str
    text: str
    points: float


def explain(scores: Scores, i: int, j: int, area_labels: dict[str, str] | None = None) -> list[Reason]:
    """Why mentor j got their score for mentee i: one line per part, with the points it gave."""
    a, b = scores.mentees[i], scores.mentors[j]
    w = scores.weights
    shared = sorted(set(scores.concepts_mentee[i]) & set(scores.concepts_mentor[j]))
    labels = area_labels or {}
    overlap = sorted(a.areas & b.areas)
    gap = b.years - a.years
    reasons = [
        Reason(
            "title",
            f"Job titles agree on {', '.join(concept_label(c) for c in shared)}"
            if shared
            else "Job titles share no concept",
            w[0] * scores.parts[0, i, j],
        ),
        Reason(
            "responsibilities",
            (
                f"Both work in {', '.join(labels.get(x, x) for x in overlap)} "
                f"({len(overlap)} of the mentee's {len(a.areas)} area{'s' if len(a.areas) != 1 else ''})"
                if overlap
                else "No responsibility area in common"
            ),
            w[1] * scores.parts[1, i, j],
        ),
        Reason(
            "library_type",
            f"Same library type ({a.library_type.replace('_', ' ')})"
            if scores.parts[2, i, j]
            else "Different library type",
            w[2] * scores.parts[2, i, j],
        ),
        Reason("region", "Same region" if scores.parts[3, i, j] else "Different region", w[3] * scores.parts[3, i, j]),
        Reason(
            "experience",
            f"{gap} more year{'s' if gap != 1 else ''} of experience"
            if gap > 0
            else "No more experience than the mentee",
            w[4] * scores.parts[4, i, j],
        ),
    ]
    return reasons


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
    """Mentor columns for mentee i, best first, allowed ones only."""
    totals = scores.total[i]
    candidates = np.flatnonzero(allowed_row)
    order = candidates[np.argsort(-totals[candidates], kind="stable")]
    return order[:limit].tolist() if limit else order.tolist()


def round_score(value: float) -> int:
    return int(math.floor(value + 0.5))
