"""The model of library work: what a job title or a few written words say about the work.

Pure: plain values in and out, no database. The families, seniority levels,
abbreviations and relations are data (`library_work.toml`, with where each comes from);
the committee's own words and abbreviations (matching.TitleTerm, in the admin) are
passed in as plain tuples and extend that data for the scores they are given to.

`Vocabulary.read(text)` turns text into a `Reading`: the families of work it names,
each with the words as written ("Circ" for circulation / access services), the
seniority level of a job title, and the other words it does not know. How:

1. words are lower-cased, accents and punctuation dropped ("Children's" = "childrens"),
   connecting words (of, and, the...) left out, plurals made singular;
2. known abbreviations are expanded ("ILL" = "interlibrary loan", "Asst." =
   "assistant"; "Tech" at the end of a title is a technician, elsewhere technology);
3. an unknown word one typing slip from a known one (two for long words) is read as
   that word ("Refrence", "Interlibary"); shorter words are never corrected;
4. the longest phrase is matched first, so "Young Adult Services" is teen services and
   never adult services plus "young";
5. seniority is read apart from the work ("Assistant Director" is one step below a
   director, not support staff), and a title that names only a rank of manager or
   above ("Library Director") is read as library administration.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA = Path(__file__).with_name("library_work.toml")

# Connecting words: never part of what a phrase means ("Director of Development" is read
# as "director development").
CONNECTORS = frozenset(
    {"of", "and", "the", "for", "in", "at", "to", "a", "an", "with", "on", "by", "or", "from", "as", "into"}
)
# Plurals that do not become singular: "Library System" is an organisation, "Systems" the
# technology; "Program" is usually the mentoring program itself, "Programs" the events.
KEEP_PLURAL = frozenset({"systems", "programs", "news", "series", "analysis", "business", "access", "campus"})
# What an abbreviation key in capitals means: written in capitals in free text, it is the
# abbreviation; in lower case it is a word ("ill", "it").
SHORTEST_CORRECTED = 6  # letters: shorter unknown words are never corrected
TWO_SLIPS_FROM = 10  # letters: from this length, two typing slips are tolerated

# A word, with its apostrophes ("Children's"), or a letter joined to a word by a hyphen
# ("e-resources", "k-12"), read as one.
_TOKEN = re.compile(r"(?:\b[^\W\d_]-(?=[^\W_]))?[^\W_]+(?:['’][^\W_]+)*")
# What ends a phrase: a comma, a slash, brackets... ("Librarian, Cataloging"; "Circ/ILL").
# Never a full stop: in titles it ends abbreviations ("Info. Services").
_BREAK = re.compile(r"[,;:()|/\n\[\]]|\s[-–]\s")


@dataclass(frozen=True, slots=True)
class Family:
    key: str
    label: str
    kind: str  # role, subject or setting
    weight: float
    parent: str | None
    siblings: float  # for a group: how close two of its families are


@dataclass(frozen=True, slots=True)
class Found:
    """A family of work a text names, with the words as they were written."""

    family: str
    words: str
    implied: bool = False  # read from the rank alone ("Library Director")


@dataclass(frozen=True, slots=True)
class Reading:
    """What one text says: families of work, a seniority level (job titles), other words."""

    families: tuple[Found, ...]
    level: int | None = None
    level_words: str = ""
    other: tuple[tuple[str, str], ...] = ()  # (the word read, as written)
    # The words that named each family, by their root: (family, root, as written). Two
    # titles naming a family with the same word ("Circ", "Circulation") agree more than
    # with a synonym ("Access Services").
    words: tuple[tuple[str, str, str], ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.family for f in self.families)


@dataclass(frozen=True, slots=True)
class Relation:
    closeness: float
    kind: str  # same, part, related, siblings, none
    why: str = ""


@dataclass(slots=True)
class _Token:
    word: str  # normalised
    start: int  # span in the original text, for naming the words as written
    end: int
    segment: int
    raw: str  # as written (for the capitals rule)
    family: str | None = None  # set by the place rule ("Arkansas Room")


@dataclass(frozen=True, slots=True)
class _Target:
    families: tuple[str, ...] = ()
    level: int | None = None
    generic: bool = False


def stem(word: str) -> str:
    """A word made singular, by the rules English plurals mostly follow (both sides alike)."""
    if word in KEEP_PLURAL or len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


_SUFFIXES = (
    "izations",
    "ization",
    "isation",
    "ational",
    "ations",
    "ation",
    "itions",
    "ition",
    "ments",
    "ment",
    "ings",
    "ing",
    "ists",
    "ist",
    "ional",
    "ions",
    "ion",
    "ers",
    "er",
    "ors",
    "or",
    "ive",
    "al",
    "ic",
    "y",
    "e",
)


def root(word: str) -> str:
    """A word's root, for telling the same word from a synonym: "Selector" and "Selection",
    "Archivist" and "Archives", "Cataloguing" and "Cataloger" share one."""
    if word.endswith("s") and not word.endswith("ss") and len(word) > 4:  # the plurals kept apart ("systems")
        word = word[:-1]
    word = re.sub(r"ogu(e|ing|er|ed)?$", lambda m: "og" + (m.group(1) or "").lstrip("e"), word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= (5 if suffix == "ive" else 4):
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word[-1] == word[-2]:
        word = word[:-1]
    return word


def _fold(text: str) -> str:
    """Lower case, without accents or apostrophes: "Children’s" -> "childrens"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().replace("'", "").replace("’", "")


def _words_of(term: str) -> tuple[str, ...]:
    """A term of the data file as the key phrases are matched on."""
    return tuple(stem(w) for w in _fold(term).replace("-", " ").replace("&", " ").split() if w not in CONNECTORS)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a transposition is one slip), or limit + 1 when over it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Vocabulary:
    """The model of library work, compiled for reading text and comparing families."""

    def __init__(self, data: dict, extra: Sequence[tuple[str, str, str]] = ()) -> None:
        kinds = data["kinds"]
        self.umbrella = float(data["umbrella"])
        self.families: dict[str, Family] = {}
        for key, spec in data["families"].items():
            parent = spec.get("parent")
            group = data["families"][parent] if parent else spec
            kind = spec.get("kind", group.get("kind", "role"))
            self.families[key] = Family(
                key, spec["label"], kind, float(kinds[kind]), parent, float(spec.get("siblings", 0.0))
            )
        self.keys = list(self.families)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.level_labels = {spec["rank"]: spec["label"] for spec in data["levels"].values()}
        self.modifiers = frozenset(_words_of(" ".join(data["level_modifiers"]["terms"])))

        phrases: dict[tuple[str, ...], dict] = {}

        def add(term: str, **what) -> None:
            key = _words_of(term)
            if not key:
                return
            entry = phrases.setdefault(key, {"families": [], "level": None, "generic": False})
            if "family" in what and what["family"] not in entry["families"]:
                entry["families"].append(what["family"])
            if "level" in what:
                entry["level"] = what["level"] if entry["level"] is None else max(entry["level"], what["level"])
            if what.get("generic"):
                entry["generic"] = True

        for key, spec in data["families"].items():
            for term in spec.get("terms", []):
                add(term, family=key)
        for spec in data["levels"].values():
            for term in spec["terms"]:
                add(term, level=int(spec["rank"]))
        for term in data["generic"]["terms"]:
            add(term, generic=True)
        self.abbreviations: dict[tuple[str, ...], tuple[dict[str, str], bool]] = {}
        for key, expansion in data["abbreviations"].items():
            self._add_abbreviation(key, expansion)
        for kind, words, target in extra:  # the committee's rows, after the shipped ones
            if kind == "abbreviation":
                self._add_abbreviation(words, target)
            elif target in self.families:
                add(words, family=target)
        # A family phrase ending on a rank word carries the rank: "Development Officer".
        single_levels = {k[0]: v["level"] for k, v in phrases.items() if len(k) == 1 and v["level"] is not None}
        for key, entry in phrases.items():
            if entry["families"] and entry["level"] is None and key[-1] in single_levels and len(key) > 1:
                entry["level"] = single_levels[key[-1]]
        self.phrases = {
            k: _Target(tuple(v["families"]), v["level"], v["generic"] and not v["families"] and v["level"] is None)
            for k, v in phrases.items()
        }
        self.longest = max(len(k) for k in self.phrases)
        implied = data["implied"]
        self.implied_from = int(implied["from_rank"])
        self.implied_family = implied["family"]
        self.implied_liaison = implied["liaison"]
        self.liaison_subjects = frozenset(implied["liaison_subjects"])
        self.liaison_words = tuple(" ".join(_words_of(w)) for w in implied["liaison_words"])
        self.other_weight = float(kinds["other"])
        # Rank words that name no work ("Manager"): never "the same words for the same work".
        self.single_level_words = frozenset(
            k[0] for k, v in phrases.items() if len(k) == 1 and v["level"] is not None and not v["families"]
        )
        self.generic_words = frozenset(k[0] for k, t in self.phrases.items() if len(k) == 1 and t.generic)
        self.area_families = {area: tuple(fams) for area, fams in data["areas"].items()}
        places = data["places"]
        self.states = {tuple(_fold(s).split()) for s in places["states"]}
        self.room_words = frozenset(stem(w) for w in places["room_words"])
        self.place_family = places["family"]
        known = {w for k in self.phrases for w in k} | CONNECTORS | self.room_words
        known |= {w for s in self.states for w in s}
        known |= {w for k in self.abbreviations for w in k}
        self.known = frozenset(known)
        self._by_first: dict[str, list[str]] = {}
        for w in sorted(self.known):
            if len(w) >= SHORTEST_CORRECTED - 1:
                self._by_first.setdefault(w[0], []).append(w)
        self._related = {}
        for r in data.get("related", []):
            self._related[frozenset((r["a"], r["b"]))] = (float(r["closeness"]), r["why"])
        self.closeness = self._closeness_matrix()
        # Where a phrase, an abbreviation or a state's name can start, and how long it can be:
        # most words start none, and are looked at once.
        self._phrase_starts = _starts(self.phrases)
        self._abbreviation_starts = _starts(self.abbreviations)
        self._state_starts = _starts(self.states)
        self._folded: dict[str, str] = {}  # a word as written -> lower case, no accents
        self._read_words: dict[str, str] = {}  # a folded word -> singular, typing slip corrected
        self._read = functools.lru_cache(maxsize=50_000)(self._read_uncached)

    # --- Data --------------------------------------------------------------------------------

    def _add_abbreviation(self, key: str, expansion) -> None:
        capitals = key == key.upper() and any(c.isalpha() for c in key)
        words = tuple(w for w in _fold(key).replace("-", " ").split())
        if isinstance(expansion, str):
            expansion = {"end": expansion, "elsewhere": expansion}
        self.abbreviations[words] = ({k: v.lower() for k, v in expansion.items()}, capitals)

    def relation(self, a: str, b: str) -> Relation:
        """How close two families are, and why (see library_work.toml)."""
        if a == b:
            return Relation(1.0, "same")
        explicit = self._related.get(frozenset((a, b)))
        if explicit:
            return Relation(explicit[0], "related", explicit[1])
        fa, fb = self.families[a], self.families[b]
        if fa.parent == b or fb.parent == a:
            return Relation(self.umbrella, "part")
        if fa.parent and fa.parent == fb.parent and self.families[fa.parent].siblings > 0:
            return Relation(self.families[fa.parent].siblings, "siblings")
        return Relation(0.0, "none")

    def _closeness_matrix(self) -> np.ndarray:
        n = len(self.keys)
        matrix = np.zeros((n, n), np.float32)
        for i, a in enumerate(self.keys):
            for j, b in enumerate(self.keys):
                matrix[i, j] = self.relation(a, b).closeness
        return matrix

    def label(self, family: str) -> str:
        return self.families[family].label

    def level_label(self, level: int | None) -> str:
        return self.level_labels.get(level, "not stated") if level is not None else "not stated"

    # --- Reading -----------------------------------------------------------------------------

    def read(self, text: str, *, title: bool = True) -> Reading:
        """What `text` says about the work. Titles are read for seniority too; free text
        (responsibilities, goals) only for the work it names, never for a setting."""
        return self._read(text or "", title)

    def areas(self, areas: Iterable[str]) -> tuple[str, ...]:
        """The families of the controlled responsibility areas."""
        out: list[str] = []
        for area in areas:
            for family in self.area_families.get(area, ()):
                if family not in out:
                    out.append(family)
        return tuple(out)

    def _tokens(self, text: str) -> list[_Token]:
        """The words of `text` with their spans; a comma, a slash or brackets start a new segment,
        which no phrase crosses."""
        tokens: list[_Token] = []
        segment, last_end = 0, 0
        folded = self._folded
        for m in _TOKEN.finditer(text):
            start, end = m.span()
            if tokens and _BREAK.search(text, last_end, start):
                segment += 1
            raw = m.group()
            word = folded.get(raw)
            if word is None:
                word = folded[raw] = _fold(raw).replace("-", "")
            tokens.append(_Token(word, start, end, segment, raw))
            last_end = end
        return tokens

    def _expand(self, tokens: list[_Token], title: bool) -> list[_Token]:
        """Abbreviations expanded, longest first, each new word keeping the abbreviation's span."""
        out: list[_Token] = []
        i, count = 0, len(tokens)
        starts = self._abbreviation_starts
        while i < count:
            longest = starts.get(tokens[i].word)
            if longest:
                for n in range(min(longest, count - i), 0, -1):
                    window = tokens[i : i + n]
                    if window[-1].segment != window[0].segment:
                        continue
                    found = self.abbreviations.get(tuple(t.word for t in window))
                    if not found:
                        continue
                    expansion, capitals = found
                    if capitals and not title and not all(t.raw.isupper() for t in window):
                        continue
                    last = i + n == count or tokens[i + n].segment != window[-1].segment
                    for w in expansion["end" if last else "elsewhere"].split():
                        out.append(_Token(w, window[0].start, window[-1].end, window[0].segment, window[0].raw))
                    i += n
                    break
                else:
                    out.append(tokens[i])
                    i += 1
                continue
            out.append(tokens[i])
            i += 1
        return out

    def _word(self, word: str) -> str:
        """A folded word made singular, or the known word a typing slip away from it; once a word."""
        read = self._read_words.get(word)
        if read is None:
            singular = stem(word)
            read = singular
            if singular not in self.known and len(singular) >= SHORTEST_CORRECTED and singular.isalpha():
                read = _correct_cached(self, singular)
            self._read_words[word] = read
        return read

    def _places(self, tokens: list[_Token]) -> list[_Token]:
        """A state's "Room" (or collection, history) is its local history collection; other
        place names say nothing about the work and are dropped."""
        if not any(t.word in self._state_starts for t in tokens):
            return tokens
        out: list[_Token] = []
        i = 0
        while i < len(tokens):
            if tokens[i].word in self._state_starts:
                for n in (2, 1):
                    key = tuple(t.word for t in tokens[i : i + n])
                    if len(key) == n and key in self.states:
                        after = tokens[i + n] if i + n < len(tokens) else None
                        if after is not None and stem(after.word) in self.room_words:
                            first = tokens[i]
                            out.append(_Token("", first.start, after.end, first.segment, "", family=self.place_family))
                            i += n + 1
                        else:
                            i += n
                        break
                else:
                    out.append(tokens[i])
                    i += 1
                continue
            out.append(tokens[i])
            i += 1
        return out

    def _read_uncached(self, text: str, title: bool) -> Reading:
        tokens = self._places(self._expand(self._tokens(text), title))
        kept = []
        for t in tokens:
            if t.family is None:
                t.word = self._word(t.word)
                if not t.word or t.word in CONNECTORS:
                    continue
            kept.append(t)
        tokens = kept
        # Longest phrase first, leftmost first, within a segment, never overlapping.
        candidates = []
        starts = self._phrase_starts
        for i, token in enumerate(tokens):
            if token.family is not None:
                candidates.append((1, i, _Target((token.family,))))
                continue
            longest = starts.get(token.word)
            if not longest:
                continue
            for n in range(1, min(longest, len(tokens) - i) + 1):
                window = tokens[i : i + n]
                if window[-1].family is not None or window[-1].segment != token.segment:
                    break
                target = self.phrases.get(tuple(t.word for t in window))
                if target is not None:
                    candidates.append((n, i, target))
        candidates.sort(key=lambda c: (-c[0], c[1]))
        taken = [False] * len(tokens)
        chosen = []
        for n, i, target in candidates:
            if any(taken[i : i + n]):
                continue
            for k in range(i, i + n):
                taken[k] = True
            chosen.append((i, n, target))
        chosen.sort(key=lambda c: c[0])

        def words(i: int, n: int) -> str:
            return text[tokens[i].start : tokens[i + n - 1].end]

        spans: dict[str, list[tuple[int, int]]] = {}
        for i, n, target in chosen:
            for family in target.families:
                if not title and self.families[family].kind == "setting":
                    continue
                spans.setdefault(family, []).append((tokens[i].start, tokens[i + n - 1].end))
        found = {family: Found(family, _quoted(text, where)) for family, where in spans.items()}
        if not title:
            # What members wrote is read for the work it names only: ranks, words the model does
            # not know and the same words are for job titles.
            return Reading(tuple(found.values()))
        level, level_words = self._level(tokens, chosen, words)
        kinds = {self.families[f].kind for f in found}
        if "role" not in kinds and level is not None:
            if "subject" not in kinds and level >= self.implied_from:
                found[self.implied_family] = Found(self.implied_family, level_words, implied=True)
            elif self.liaison_subjects & set(found) and " ".join(_words_of(level_words)).endswith(self.liaison_words):
                found[self.implied_liaison] = Found(self.implied_liaison, level_words, implied=True)
        other = tuple(
            (t.word, text[t.start : t.end])
            for k, t in enumerate(tokens)
            if not taken[k] and t.family is None and len(t.word) > 1 and not t.word.isdigit()
        )
        same_words = []
        for i, n, target in chosen:
            for t in tokens[i : i + n]:
                if t.family is not None or t.word in self.generic_words or t.word in self.single_level_words:
                    continue
                for family in target.families:
                    if family in found:
                        same_words.append((family, root(t.word), text[t.start : t.end]))
        return Reading(tuple(found.values()), level, level_words, other, tuple(dict.fromkeys(same_words)))

    def _level(self, tokens: list[_Token], chosen: list, words) -> tuple[int | None, str]:
        """The title's seniority: a student word wins; otherwise the highest rank named, where
        "assistant" or "associate" just before a higher rank makes it one step lower."""
        ranked = [(i, n, t) for i, n, t in chosen if t.level is not None]
        if not ranked:
            return None, ""
        for i, n, t in ranked:
            if t.level == 0:
                return 0, words(i, n)
        best: tuple[int, str] | None = None
        used: set[int] = set()
        for k, (i, n, target) in enumerate(ranked):
            if k in used:
                continue
            level, phrase = target.level, words(i, n)
            if n == 1 and not target.families and tokens[i].word in self.modifiers:
                # A rank word right after it, or after one more word ("Assistant Branch Manager").
                for k2 in range(k + 1, len(ranked)):
                    i2, n2, target2 = ranked[k2]
                    if i2 - (i + n) <= 1 and target2.level >= 3:
                        level = target2.level - 1 if target2.level >= 4 else target2.level
                        # "Assistant Director" -> deputy; "Assistant Manager" -> coordinator
                        phrase = words(i, i2 + n2 - i)
                        used.add(k2)
                        break
            if best is None or level > best[0]:
                best = (level, phrase)
        return best


def _starts(keys) -> dict[str, int]:
    """For each word a key (a tuple of words) starts with, the longest such key."""
    starts: dict[str, int] = {}
    for key in keys:
        if key:
            starts[key[0]] = max(starts.get(key[0], 0), len(key))
    return starts


def _quoted(text: str, spans: list[tuple[int, int]]) -> str:
    """The words of `spans` as written: one run when they follow each other ("Training &
    Professional Development"), else each apart ("Reference … Research Help")."""
    runs: list[list[int]] = []
    for start, end in sorted(spans):
        joined = runs and (
            start < runs[-1][1] or re.fullmatch(r"[\s&,+/-]*(?:and|of|&)?[\s&,+/-]*", text[runs[-1][1] : start], re.I)
        )
        if joined:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    return " … ".join(text[a:b] for a, b in runs)


@functools.lru_cache(maxsize=20_000)
def _correct_cached(vocabulary: Vocabulary, word: str) -> str:
    limit = 2 if len(word) >= TWO_SLIPS_FROM else 1
    best, best_distance, ambiguous = word, limit + 1, False
    for candidate in vocabulary._by_first.get(word[0], ()):
        if abs(len(candidate) - len(word)) > limit:
            continue
        d = edit_distance(word, candidate, limit)
        if d < best_distance:
            best, best_distance, ambiguous = candidate, d, False
        elif d == best_distance and d <= limit:
            ambiguous = True
    return word if ambiguous or best_distance > limit else best


@functools.cache
def _data() -> dict:
    with DATA.open("rb") as f:
        return tomllib.load(f)


@functools.lru_cache(maxsize=8)
def vocabulary(extra: tuple[tuple[str, str, str], ...] = ()) -> Vocabulary:
    """The shipped model extended with the committee's terms: (kind, words, family or
    expansion) tuples, kind "synonym" or "abbreviation". Compiled once per set of terms."""
    return Vocabulary(_data(), extra)


def family_choices() -> list[tuple[str, str]]:
    """The families a committee member may add words to, for the admin's drop-down."""
    data = _data()["families"]
    return sorted(((key, spec["label"]) for key, spec in data.items()), key=lambda kv: kv[1])
