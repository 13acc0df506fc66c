from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def committee_required(view):
    """Whoever runs the program (the `members.run_program` permission: the Mentoring Committee
    and site admins); others get 403.

    Visitors are sent to the login page first, as everywhere else.
    """

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.runs_program:
            raise PermissionDenied("This page is for the Mentoring Committee.")
        return view(request, *args, **kwargs)

    return wrapper
