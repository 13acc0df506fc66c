"""The public program pages: the committee's own texts (Committee → Program), written in the
restricted syntax of outbox.markup, around what the settings and the open cycle say."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from outbox.markup import to_html

from ..models import MembershipCategory
from ..program import program
from ._common import _open_cycle


def _program_page(request: HttpRequest, template: str, text: str) -> HttpResponse:
    settings = program()
    cycle, optins_message = _open_cycle()
    labels = dict(MembershipCategory.choices)
    return render(
        request,
        template,
        {
            "cycle": cycle,
            "optins_message": optins_message,
            "page_html": to_html(text),
            "orientation_html": to_html(settings.orientation_text),
            "mentee_categories": [labels[c] for c in settings.mentee_categories if c in labels],
            "mentor_categories": [labels[c] for c in settings.mentor_categories if c in labels],
            "mentor_min_years": cycle.mentor_min_years if cycle else settings.mentor_min_years,
        },
    )


def program_page(request: HttpRequest) -> HttpResponse:
    """Anyone: what the program is, and how to join."""
    return _program_page(request, "members/program.html", program().page_home)


def program_mentor(request: HttpRequest) -> HttpResponse:
    """Anyone: the mentor's role, qualifications, benefits and expectations."""
    return _program_page(request, "members/program_mentor.html", program().page_mentor)


def program_mentee(request: HttpRequest) -> HttpResponse:
    """Anyone: the mentee's role, qualifications, benefits and expectations."""
    return _program_page(request, "members/program_mentee.html", program().page_mentee)
