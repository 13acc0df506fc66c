"""The public program pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ._common import _open_cycle


def _program_page(request: HttpRequest, template: str) -> HttpResponse:
    cycle, optins_message = _open_cycle()
    return render(request, template, {"cycle": cycle, "optins_message": optins_message})


def program(request: HttpRequest) -> HttpResponse:
    """Anyone: what the program is, and how to join."""
    return _program_page(request, "members/program.html")


def program_mentor(request: HttpRequest) -> HttpResponse:
    """Anyone: the mentor's role, qualifications, benefits and expectations."""
    return _program_page(request, "members/program_mentor.html")


def program_mentee(request: HttpRequest) -> HttpResponse:
    """Anyone: the mentee's role, qualifications, benefits and expectations."""
    return _program_page(request, "members/program_mentee.html")
