"""Scoring without a database: the model of library work, the scores and the reasons shown."""

import numpy as np
import pytest

from matching.library_work import vocabulary
from matching.scoring import (
    Person,
    Rules,
    Weights,
    allowed_matrix,
    exclusion,
    explain,
    out_of,
    rank,
    score,
    shared_rank,
)


def person(id, title, areas=(), member_id=None, **kw):
    return Person(id=id, member_id=member_id or id, title=title, areas=frozenset(areas), **kw)


def families(title):
    return {f.family for f in vocabulary().read(title).families}


def reasons(mentee, mentor, **kw):
    s = score([mentee], [mentor], **kw)
    return {r.part: r for r in explain(s, 0, 0)}, int(s.total[0, 0])


def ranked_titles(mentee_title, mentor_titles):
    """The mentors' titles, best first, by title alone."""
    s = score([person(1, mentee_title)], [person(10 + k, t) for k, t in enumerate(mentor_titles)])
    return [mentor_titles[j] for j in rank(s, 0, np.ones(len(mentor_titles), bool))], s.total[0]


# --- Reading titles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Cataloger", "Cataloging Librarian"),
        ("Teen Services Coordinator", "Young Adult Librarian"),
        ("Library Media Specialist", "School Librarian"),
        ("Head of Interlibrary Loan", "ILL Manager"),
        ("ILL Asst", "Interlibrary Loan Coordinator"),
        ("Circ Supervisor", "Circulation Manager"),
        ("Customer Service Supervisor", "Access Services Coordinator"),
        ("E-Resources Librarian", "Electronic Resources Manager"),
        ("System Librarian", "Head, Library Systems"),
        ("Arkansas Room Librarian", "Genealogy & Local History Manager"),
        ("RIM Specialist", "Records Manager"),
        ("Tech Services Asst", "Technical Services Manager"),
    ],
)
def test_library_job_titles_written_differently_name_the_same_work(a, b):
    assert families(a) & families(b), f"{a}: {families(a)} / {b}: {families(b)}"


def test_case_punctuation_plurals_level_words_and_typos_do_not_change_the_work():
    assert families("  REFERENCE librarian ") == families("Sr. Refrence Libarian II") == {"reference"}
    assert families("Interlibary Loan Specialist") == families("Interlibrary Loans Specialist") == {"interlibrary_loan"}
    assert families("Childrens Services Librarian") == families("Children’s Librarian") == {"children"}


def test_the_longest_phrase_is_read_first():
    """Not "adult services" plus "young": young adult services is teen work."""
    assert families("Young Adult Services Librarian") == {"teen"}
    assert families("Adult Services Librarian") == {"adult_services"}


@pytest.mark.parametrize(
    ("title", "not_read_as"),
    [
        ("Community Library Manager", "outreach"),  # a branch, as library systems name them
        ("Social Media Manager", "school_library"),
        ("Records & Information Management Officer", "reference"),
        ("Research Analyst", "reference"),
        ("Museum Curator", "archives"),
        ("Assistant Director", "circulation"),
    ],
)
def test_over_broad_words_name_no_work_on_their_own(title, not_read_as):
    assert not_read_as not in families(title)


def test_seniority_is_read_apart_from_the_work_and_assistant_director_is_not_support_staff():
    v = vocabulary()
    assert v.read("Assistant Director").level > v.read("Branch Manager").level > v.read("Library Assistant").level
    assert v.read("Associate Librarian").level == v.read("Reference Librarian").level
    assert v.read("Student Assistant").level == 0
    assert "administration" in families("Library Director")
    assert "administration" not in families("Knowledge Manager")
    assert "administration" not in families("Director of Technical Services")


def test_words_the_model_does_not_know_are_kept_as_written_and_never_made_a_kind_of_work():
    reading = vocabulary().read("Genomics Liaison")

    assert reading.keys == ("liaison",)
    assert reading.other == (("genomic", "Genomics"),)


# --- Scores ------------------------------------------------------------------------------------


def test_a_teen_services_coordinator_gets_a_young_adult_librarian_above_a_childrens_librarian():
    order, totals = ranked_titles(
        "Teen Services Coordinator", ["Children's Librarian", "Young Adult Librarian", "Youth Services Librarian"]
    )

    assert order[0] == "Young Adult Librarian"
    assert totals[1] > totals[2] > totals[0]  # teen work, then youth services as a whole, then children's


def test_an_ill_assistant_gets_the_interlibrary_loan_coordinator_first():
    order, _ = ranked_titles(
        "ILL Asst", ["Illustrations Coordinator", "Interlibrary Loan Coordinator", "Library Assistant", "Circ Clerk"]
    )

    assert order[0] == "Interlibrary Loan Coordinator"
    assert order[1] == "Circ Clerk"  # access services too


def test_a_library_director_and_a_knowledge_manager_do_not_agree():
    why, _ = reasons(person(1, "Library Director"), person(2, "Knowledge Manager"))

    assert why["work"].points == 0
    assert why["work"].text.startswith("Job titles name different work")
    assert "“Library Director” (library administration)" in why["work"].text
    assert "“Knowledge Manager” (knowledge management)" in why["work"].text
    assert (
        why["seniority"].text
        == "Seniority: the mentor is 2 steps below the mentee (“Library Director” → “Knowledge Manager”)"
    )


def test_over_broad_words_do_not_rank_a_stranger_first():
    assert ranked_titles("Outreach Librarian", ["Community Library Manager", "Outreach Services Manager"])[0][0] == (
        "Outreach Services Manager"
    )
    assert ranked_titles("Library Media Specialist", ["Social Media Manager", "School Library Coordinator"])[0][0] == (
        "School Library Coordinator"
    )
    assert (
        ranked_titles(
            "Training & Professional Development Coordinator",
            ["Foundation Development Director", "Staff Training Manager"],
        )[0][0]
        == "Staff Training Manager"
    )


def test_a_title_the_model_does_not_know_weighs_less_than_one_it_knows():
    _, totals = ranked_titles("Bookmobile Genomics Librarian", ["Genomics Curator", "Bookmobile Manager"])

    assert totals[1] > totals[0] > 0


def test_unrelated_families_score_nothing_for_the_work():
    why, _ = reasons(person(1, "Cataloger"), person(2, "Children's Librarian"))

    assert why["work"].points == 0


def test_scores_are_whole_points_0_to_100_and_a_perfect_match_scores_100():
    mentee = person(
        1,
        "Reference Librarian",
        ["reference"],
        library_type="public",
        region="central",
        years=1,
        other="chat reference",
    )
    twin = person(
        2, "Head of Reference", ["reference"], library_type="public", region="central", years=11, goals="reference"
    )
    stranger = person(3, "Archives Assistant", ["archives"], library_type="academic", region="northwest", years=0)

    s = score([mentee], [twin, stranger])

    assert s.total.dtype == np.int16
    assert s.total[0].tolist() == [100, 0]


def test_the_components_are_worth_whole_points_adding_up_to_100_for_any_weights():
    for weights in (Weights(), Weights(40, 30, 10, 10, 10), Weights(33, 33, 11, 12, 0), Weights(1, 0, 0, 0, 0)):
        assert sum(out_of(weights).values()) == 100


def test_the_weights_are_the_cycles():
    mentee = person(1, "Archivist", ["reference"])
    mentors = [person(2, "Archivist", ["archives"]), person(3, "Reference Librarian", ["reference"])]

    by_title = score([mentee], mentors, Weights(title=90, responsibilities=10, library_type=0, region=0, experience=0))
    by_areas = score([mentee], mentors, Weights(title=10, responsibilities=90, library_type=0, region=0, experience=0))

    assert rank(by_title, 0, np.ones(2, bool))[0] == 0
    assert rank(by_areas, 0, np.ones(2, bool))[0] == 1


def test_the_committees_own_words_and_abbreviations_count_from_the_next_score():
    mentee, mentor = person(1, "YS Asst"), person(2, "Youth Services Manager")
    plain = score([mentee], [mentor]).points["work"][0, 0]

    added = score([mentee], [mentor], terms=(("abbreviation", "YS", "youth services"),)).points["work"][0, 0]
    driver = score(
        [person(1, "Book Bike Driver")], [person(2, "Outreach Manager")], terms=(("synonym", "book bike", "outreach"),)
    )

    assert plain == 0 and added > 0
    assert driver.points["work"][0, 0] > 0


# --- What they wrote ---------------------------------------------------------------------------


def test_what_members_wrote_counts_and_the_reason_names_the_words_and_where_they_wrote_them():
    mentee = person(1, "Library Assistant", other="serials check-in and binding", goals="learn RDA")
    cataloger = person(2, "Cataloging Librarian", goals="Happy to share twenty years of original cataloging.")
    stranger = person(3, "Children's Librarian", goals="Happy to share storytime ideas.")

    s = score([mentee], [cataloger, stranger])
    why = {r.part: r for r in explain(s, 0, 0)}

    assert s.points["written"][0, 0] > s.points["written"][0, 1]
    assert "“RDA” (mentee's goals)" in why["written"].text
    assert "(mentor's job title)" in why["written"].text or "(mentor's goals)" in why["written"].text


def test_goals_count_half_as_much_as_other_responsibilities():
    mentor = person(2, "Serials Librarian")
    in_duties = score([person(1, "Library Assistant", other="serials")], [mentor]).points["written"][0, 0]
    in_goals = score([person(1, "Library Assistant", goals="serials", other="storytime")], [mentor])

    assert in_duties == out_of(Weights())["written"]
    assert 0 < in_goals.points["written"][0, 0] < in_duties


# --- Reasons -----------------------------------------------------------------------------------


def test_each_reason_names_the_words_that_matched_and_why_it_is_worth_what_it_is_worth():
    why, total = reasons(person(1, "Circ Supervisor"), person(2, "Access Services Coordinator"))

    assert why["work"].text == "Job titles: “Circ” and “Access Services”: both circulation / access services"
    assert why["work"].points == why["work"].out_of

    why, _ = reasons(person(1, "Cataloging Librarian"), person(2, "Technical Services Assistant"))
    assert (
        why["work"].text
        == "Job titles: “Cataloging” and “Technical Services”: cataloging is part of technical services"
    )
    assert 0 < why["work"].points < why["work"].out_of

    why, _ = reasons(person(1, "Teen Services Coordinator"), person(2, "Children's Librarian"))
    assert why["work"].text == (
        "Job titles: “Teen Services” and “Children's”: teen / young adult services and children's services, "
        "both youth services"
    )


def test_the_same_words_count_a_little_more_than_a_synonym():
    why, _ = reasons(person(1, "Circ Supervisor"), person(2, "Circulation Manager"))

    assert why["words"].text == "The same words for the same work: “Circ” and “Circulation”"
    assert why["words"].points == why["words"].out_of


def test_reasons_say_when_the_mentee_ticked_no_area():
    why, _ = reasons(person(1, "Cataloger"), person(2, "Cataloging Librarian", ["cataloging"]))

    assert why["areas"].text == "The mentee ticked no responsibility area"
    assert why["areas"].points == 0


def test_reasons_add_up_to_the_score_in_whole_points():
    mentee = person(
        1,
        "Children's Librarian",
        ["youth_services", "outreach", "reference"],
        library_type="public",
        years=2,
        other="storytimes",
    )
    mentor = person(
        2, "Youth Services Manager", ["youth_services", "outreach"], library_type="public", years=20, goals="teens"
    )
    labels = {"youth_services": "Youth services", "outreach": "Outreach"}

    s = score([mentee], [mentor])
    why = {r.part: r for r in explain(s, 0, 0, labels)}

    assert why["areas"].text == "Both work in Outreach, Youth services (2 of the mentee's 3 areas)"
    assert why["library_type"].text == "Same library type (public)"
    assert why["experience"].text == "18 more years of experience"
    assert all(isinstance(r.points, int) for r in why.values())
    assert sum(r.points for r in why.values()) == s.total[0, 0]


def test_mentors_with_the_same_score_share_a_rank():
    s = score(
        [person(1, "Reference Librarian")],
        [person(2, "Head of Reference"), person(3, "Reference Manager"), person(4, "Archivist")],
    )
    totals, allowed = s.total[0], np.ones(3, bool)

    assert totals[0] == totals[1] > totals[2]
    assert [shared_rank(totals, allowed, j) for j in range(3)] == [1, 1, 3]


# --- Who may be suggested ----------------------------------------------------------------------


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
    """A pair's score depends on the two people only: one mentee's suggestions score exactly
    as the whole-cycle proposal does."""
    rng = np.random.default_rng(7)
    titles = [
        "Cataloger",
        "Reference Librarian",
        "Children's Librarian",
        "Branch Manager",
        "Archivist",
        "Genomics Aide",
    ]
    areas = ["cataloging", "reference", "youth_services", "administration", "archives"]
    texts = ["", "serials and RDA", "storytime", "grant writing", "Genomic data"]

    def random_person(i):
        return person(
            i,
            str(rng.choice(titles)),
            rng.choice(areas, size=int(rng.integers(0, 3)), replace=False),
            library_type=str(rng.choice(["public", "academic"])),
            region=str(rng.choice(["central", "northwest"])),
            years=int(rng.integers(0, 30)),
            other=str(rng.choice(texts)),
            goals=str(rng.choice(texts)),
        )

    mentees = [random_person(i) for i in range(15)]
    mentors = [random_person(100 + j) for j in range(12)]
    whole = score(mentees, mentors).total
    for i, a in enumerate(mentees):
        for j, b in enumerate(mentors):
            assert score([a], [b]).total[0, 0] == whole[i, j]
    assert (whole >= 0).all() and (whole <= 100).all()


def test_scoring_keeps_whole_points_in_small_integers():
    """What keeps a 2,000 × 2,000 cycle's scoring small (the bench measures the memory)."""
    s = score([person(1, "Cataloger")], [person(2, "Cataloging Librarian")])

    assert all(p.dtype == np.uint8 for p in s.points.values())
    assert s.total.dtype == np.int16
