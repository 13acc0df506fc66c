"""The suggestions measured on the evaluation set (tests/data/matching_eval.json), written by
a librarian who never saw the scorer: the targets of issue 16 as thresholds. `make bench`
prints the figures themselves, next to a plain word-overlap baseline's."""

import json
from pathlib import Path

import pytest

from matching import evaluation

DATA = Path(__file__).parent / "data" / "matching_eval.json"


@pytest.fixture(scope="module")
def results():
    return evaluation.evaluate(evaluation.load(DATA))


def test_the_evaluation_set_is_the_librarians_with_a_mentor_pool_of_every_intended_mentor_and_distractor():
    cases = json.loads(DATA.read_text())["cases"]

    assert len(cases) >= 60
    assert len({c["mentee"]["name"] for c in cases}) == len(cases)
    mentees, mentors, intended = evaluation.pool(evaluation.load(DATA), titles_only=False)
    assert len(mentors) == 2 * len(mentees) and len(intended) == len(mentees)


@pytest.mark.parametrize(("mode", "target"), [("full profiles", 0.95), ("titles only", 0.60)])
def test_the_intended_mentor_comes_first_alone_often_enough(results, mode, target):
    figures = results["scorer", mode]

    assert figures.share(figures.hits) >= target


@pytest.mark.parametrize("mode", evaluation.MODES)
def test_the_scorer_is_ahead_of_plain_word_overlap_by_a_wide_margin(results, mode):
    ours, baseline = results["scorer", mode], results["word-overlap baseline", mode]

    assert ours.share(ours.hits) - baseline.share(baseline.hits) >= 0.20
    assert ours.top3 > baseline.top3


def test_a_tie_at_the_top_is_not_counted_as_a_hit():
    import numpy as np

    tied = evaluation.figures(np.array([[5, 5, 1], [3, 9, 1]]), [0, 1])

    assert (tied.hits, tied.shared_top, tied.top3) == (1, 2, 2)
