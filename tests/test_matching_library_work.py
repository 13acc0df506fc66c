"""Matching that knows library work, as the committee meets it: its own words and
abbreviations added in the admin, the suggestions page (titles read by the model of
library work, reasons naming the words, ties shown as ties), the agreement with the
suggestions on program health, and making a proposal's pairs.

The model and the scores themselves are proven without a database in test_scoring.py.
"""

import re
from html import unescape

import pytest
from django.urls import reverse

from matching.models import TitleTerm
from members.models import Role

from .factories import EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def opt_in(cycle, role, first, last, title, areas=(), **profile):
    member = UserFactory(
        seasoned=role == Role.MENTOR,
        first_name=first,
        last_name=last,
        job_title=title,
        responsibilities=list(areas),
        institution=f"{last} Library",
        **profile,
    )
    return EnrollmentFactory(cycle=cycle, member=member, role=role)


def admin_add(client, **fields):
    return client.post(reverse("admin:matching_titleterm_add"), fields, follow=True)


def errors(response) -> str:
    return " ".join(unescape(e) for e in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S))


# --- The committee's own words, in the admin ---------------------------------------------------


def test_the_committee_adds_an_abbreviation_in_the_admin_and_it_is_recorded_with_who_added_it(client_for, committee):
    client = client_for(committee)

    response = admin_add(client, kind="abbreviation", words="  YS ", expansion="youth  services")

    assert response.status_code == 200 and "was added successfully" in response.text
    term = TitleTerm.objects.get()
    assert (term.kind, term.words, term.expansion, term.family, term.added_by) == (
        "abbreviation",
        "YS",
        "youth services",
        "",
        committee,
    )
    assert TitleTerm.objects.as_terms() == (("abbreviation", "YS", "youth services"),)


def test_the_admin_offers_the_kinds_of_work_of_the_model_and_says_what_is_missing(client_for, committee):
    client = client_for(committee)
    form = client.get(reverse("admin:matching_titleterm_add"))
    assert '<option value="teen">teen / young adult services</option>' in form.text

    no_family = admin_add(client, kind="synonym", words="Bookmobile driver", family="")
    no_expansion = admin_add(client, kind="abbreviation", words="YS", expansion="")
    admin_add(client, kind="synonym", words="Book bike", family="outreach")
    twice = admin_add(client, kind="synonym", words="book BIKE", family="programming")

    assert "Choose the kind of work these words name." in errors(no_family)
    assert "Write what the abbreviation stands for." in errors(no_expansion)
    assert "These words are already in the list: change that row instead." in errors(twice)
    assert list(TitleTerm.objects.values_list("words", "family")) == [("Book bike", "outreach")]


def test_a_member_cannot_open_the_committees_words(client_for, member):
    response = client_for(member).get(reverse("admin:matching_titleterm_changelist"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
