"""Scoring without a database: titles, responsibilities and the reasons shown."""

import numpy as np
import pytest

from matching.scoring import Person, Rules, Weights, allowed_matrix, exclusion, explain, rank, score, title_concepts


def person(id, title, areas=(), member_id=None, **kw):
    return Person(id=id, member_id=member_id or id, title=title, areas=frozenset(areas), **kw)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Cataloger", "Cataloging Librarian"),
        ("Children's Librarian", "Youth Services Librarian"),
        ("Teen Services Coordinator", "Young Adult Coordinator"),
        ("Library Media Specialist", "School Librarian"),
        ("Head of Interlibrary Loan", "ILL Manager"),
    ],
)
def test_library_job_title_synonyms_meet(a, b):
    shared = set(title_concepts(a)) & set(title_concepts(b)) - {"librarian"}
    if b == "ILL Manager":
        assert "management" in shared
    else:
        assert shared, f"{title_concepts(a)} vs {title_concepts(b)}"


def test_title_concepts_ignore_case_punctuation_and_filler_words():
    assert title_concepts("Senior Cataloguer, Metadata & Technical Services") == ("cataloging", "technical_services")
    assert title_concepts("  REFERENCE librarian ") == ("librarian", "reference")


def test_a_cataloger_ranks_the_cataloging_librarian_above_the_childrens_librarian():
    mentee = person(1, "Cataloger", ["cataloging"])
    mentors = [
        person(10, "Children's Librarian", ["youth_services"]),
        person(11, "Cataloging Librarian", ["cataloging"]),
    ]

    s = score([mentee], mentors)

    assert rank(s, 0, np.ones(2, bool)) == [1, 0]
    assert s.total[0, 1] > 60 > s.total[0, 0]


def test_childrens_librarian_meets_youth_services_librarian_on_the_title():
    s = score(
        [person(1, "Children's Librarian")], [person(2, "Youth Services Librarian"), person(3, "Reference Librarian")]
    )

    assert s.parts[0, 0, 0] == pytest.approx(1.0)
    assert s.parts[0, 0, 1] < 0.5


def test_scores_are_0_to_100_and_a_perfect_match_scores_100():
    mentee = person(1, "Reference Librarian", ["reference"], library_type="public", region="central", years=1)
    twin = person(2, "Reference Librarian", ["reference"], library_type="public", region="central", years=11)
    stranger = person(3, "Archivist", ["archives"], library_type="academic", region="northwest", years=0)

    s = score([mentee], [twin, stranger])

    assert s.total[0, 0] == pytest.approx(100)
    assert s.total[0, 1] == pytest.approx(0)


def test_the_weights_are_the_cycles():
    mentee = person(1, "Archivist", ["reference"])
    mentors = [person(2, "Archivist", ["archives"]), person(3, "Reference Librarian", ["reference"])]

    by_title = score([mentee], mentors, Weights(title=90, responsibilities=10, library_type=0, region=0, experience=0))
    by_areas = score([mentee], mentors, Weights(title=10, responsibilities=90, library_type=0, region=0, experience=0))

    assert rank(by_title, 0, np.ones(2, bool))[0] == 0
    assert rank(by_areas, 0, np.ones(2, bool))[0] == 1


def test_reasons_name_the_agreeing_words_and_areas_and_add_up_to_the_score():
    mentee = person(
        1, "Children's Librarian", ["youth_services", "outreach", "reference"], library_type="public", years=2
    )
    mentor = person(2, "Youth Services Librarian", ["youth_services", "outreach"], library_type="public", years=20)
    s = score([mentee], [mentor])

    reasons = {r.part: r for r in explain(s, 0, 0, {"youth_services": "Youth services", "outreach": "Outreach"})}

    assert reasons["title"].text == "Job titles agree on librarian, youth services"
    assert reasons["responsibilities"].text == "Both work in Outreach, Youth services (2 of the mentee's 3 areas)"
    assert reasons["library_type"].text == "Same library type (public)"
    assert reasons["experience"].text == "18 more years of experience"
    assert sum(r.points for r in reasons.values()) == pytest.approx(s.total[0, 0])


def test_candidates_left_out_say_why():
    mentee = person(1, "Cataloger", institution="Fayetteville Public Library")
    rules = Rules(paired_before=frozenset({(1, 5)}), ineligible={6: "not a current member"})
    cases = {
        "the same person": person(2, "Cataloger", member_id=1),
        "same institution": person(3, "Cataloger", institution="fayetteville  public library"),
        "at capacity": person(4, "Cataloger", capacity_left=0),
        "paired with this mentee before": person(5, "Cataloger"),
        "not a current member": person(6, "Cataloger"),
    }
    for why, mentor in cases.items():
        assert exclusion(mentee, mentor, rules) == why
    assert exclusion(mentee, person(7, "Cataloger"), rules) is None
    assert exclusion(mentee, cases["same institution"], Rules(exclude_same_institution=False)) is None


def test_the_vectorised_allowed_matrix_agrees_with_the_one_pair_rule():
    rng = np.random.default_rng(3)
    insts = ["A", "B", "", "C"]
    mentees = [
        person(i, "x", member_id=int(rng.integers(1, 30)), institution=str(rng.choice(insts))) for i in range(40)
    ]
    mentors = [
        person(
            100 + j,
            "y",
            member_id=int(rng.integers(1, 30)),
            institution=str(rng.choice(insts)),
            capacity_left=int(rng.integers(0, 3)),
        )
        for j in range(30)
    ]
    rules = Rules(paired_before=frozenset({(m.member_id, 5) for m in mentees[:5]}), ineligible={105: "ineligible"})

    allowed = allowed_matrix(mentees, mentors, rules)

    for i, a in enumerate(mentees):
        for j, b in enumerate(mentors):
            assert allowed[i, j] == (exclusion(a, b, rules) is None), (a, b)


def test_scoring_a_whole_cycle_equals_scoring_pair_by_pair():
    rng = np.random.default_rng(7)
    titles = [
        "Cataloger",
        "Reference Librarian",
        "Children's Librarian",
        "Branch Manager",
        "Archivist",
        "Library Assistant",
    ]
    areas = ["cataloging", "reference", "youth_services", "administration", "archives"]

    def random_person(i):
        return person(
            i,
            str(rng.choice(titles)),
            rng.choice(areas, size=int(rng.integers(0, 3)), replace=False),
            library_type=str(rng.choice(["public", "academic"])),
            region=str(rng.choice(["central", "northwest"])),
            years=int(rng.integers(0, 30)),
        )

    mentees = [random_person(i) for i in range(15)]
    mentors = [random_person(100 + j) for j in range(12)]
    whole = score(mentees, mentors).total
    for i, a in enumerate(mentees):
        row = score([a], mentors)
        # The title weights depend on the whole pool; compare the other parts exactly.
        assert np.allclose(row.parts[1:, 0], score(mentees, mentors).parts[1:, i])
    assert whole.shape == (15, 12) and (whole >= 0).all() and (whole <= 100 + 1e-9).all()
