"""Filters for the site's log (settings.LOGGING): one line per event, as the README says."""

from __future__ import annotations

import logging


class RefusalsOnOneLine(logging.Filter):
    """A 4xx answer logged with the exception that made it (Django's `django.request` logs a
    refused page, PermissionDenied, and an unreadable request, BadRequest, with their
    traceback) becomes one line: the address and the exception's own words, in brackets.

    A refusal is an answer the site meant to give; the traceback of the check that gave it
    says nothing an operator needs, and was ten lines a member following a committee link.
    Server errors (5xx) keep their traceback. Never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and status is not None and 400 <= status < 500:
            reason = str(record.exc_info[1] or "")
            record.msg = f"{record.getMessage()} ({reason})" if reason else record.getMessage()
            record.args = None
            record.exc_info = record.exc_text = None
        return True
