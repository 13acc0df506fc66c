"""Importing a roster of members (the committee's): upload and preview, confirm, the template.

The checked file waits in the session between the preview and the confirmation, with
its hash: the confirmation imports exactly the file that was previewed.
"""

from __future__ import annotations

import hashlib
import hmac

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from .. import roster
from ..decorators import committee_required
from ..models import Area, LibraryType, MembershipCategory
from ..program import program

ROSTER_SESSION_KEY = "members:roster-import"
# The last file confirmed (its hash and name): "Import" pressed again says it is in, not "no file".
ROSTER_IMPORTED_KEY = "members:roster-imported"


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster file (CSV)",
        help_text=(
            f"A CSV file in UTF-8, at most {roster.MAX_BYTES // (1024 * 1024)} MB and {roster.MAX_ROWS:,} members."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > roster.MAX_BYTES:
            raise forms.ValidationError(roster.too_large(upload.size))
        return upload


def _import_page(request: HttpRequest, form: RosterUploadForm, problems: list | None = None) -> HttpResponse:
    return render(
        request,
        "members/import_upload.html",
        {
            "form": form,
            "problems": problems or [],
            # A problem of the whole file (too large, not UTF-8) has no row to fix.
            "whole_file": bool(problems) and not any(p.row for p in problems),
            "columns": roster.COLUMNS,
            "required": roster.REQUIRED,
            "choices": [
                ("library_type", LibraryType.choices),
                ("region", program().region_choices),
                ("membership_category", MembershipCategory.choices),
                ("responsibilities", Area.choices),
            ],
        },
    )


@committee_required
@require_http_methods(["GET", "POST"])
def roster_upload(request: HttpRequest) -> HttpResponse:
    """The committee: upload a roster of members and see what importing it would do. Writes nothing."""
    if request.method == "GET":
        return _import_page(request, RosterUploadForm())
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form)
    upload = form.cleaned_data["file"]
    try:
        text = roster.decode(upload.read())
        outcome = roster.roster_preview(text=text)
    except roster.ImportRefused as e:
        request.session.pop(ROSTER_SESSION_KEY, None)
        return _import_page(request, RosterUploadForm(), e.problems)
    # The preview is the answer to the upload itself (as the admin's import does): no
    # redirect, so a large file is checked once, not twice, before the confirmation.
    sha256 = hashlib.sha256(text.encode()).hexdigest()
    request.session[ROSTER_SESSION_KEY] = {"text": text, "sha256": sha256, "name": upload.name}
    return render(request, "members/import_preview.html", {"outcome": outcome, "name": upload.name, "sha256": sha256})


@committee_required
@require_POST
def roster_confirm(request: HttpRequest) -> HttpResponse:
    """The committee: import the previewed roster, all rows in one transaction or none."""
    pending = request.session.get(ROSTER_SESSION_KEY)
    imported = request.session.get(ROSTER_IMPORTED_KEY)
    posted = request.POST.get("sha256", "")
    if not pending and imported and hmac.compare_digest(posted, imported["sha256"]):
        # The button pressed again after the import went through: say so, do nothing.
        messages.info(request, f"{imported['name']} is imported already: nothing was imported again.")
        return redirect("members:import")
    if not pending or not hmac.compare_digest(posted, pending["sha256"]):
        messages.error(
            request,
            "Nothing was imported: there is no previewed file to confirm (or it was replaced by another upload). "
            "Upload the file and check its preview first.",
        )
        return redirect("members:import")
    try:
        outcome = roster.roster_import(text=pending["text"], by=request.user)
    except roster.ImportRefused as e:
        request.session.pop(ROSTER_SESSION_KEY, None)
        messages.error(request, "Nothing was imported: the file no longer passes the checks.")
        return _import_page(request, RosterUploadForm(), e.problems)
    del request.session[ROSTER_SESSION_KEY]
    request.session[ROSTER_IMPORTED_KEY] = {"sha256": pending["sha256"], "name": pending["name"]}
    c = outcome.counts
    counts = f"{c['new']} new member{pluralize(c['new'])}, {c['updated']} updated, {c['unchanged']} unchanged"
    if c["new"] or c["updated"]:
        messages.success(
            request,
            f"Imported {pending['name']}: {counts}. New members log in with “Forgot your password?”.",
        )
    else:
        # Also what the second of two tabs confirming the same file at once sees: it worked.
        messages.success(
            request,
            f"Nothing changed: every member in {pending['name']} is already here as the file says "
            f"(it may have been imported meanwhile, from another tab): {counts}.",
        )
    return redirect("members:import")


@committee_required
def roster_template(request: HttpRequest) -> HttpResponse:
    """The committee: an empty roster to fill in, with the columns and one example row."""
    response = HttpResponse("\ufeff" + roster.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{program().file_prefix}-members-template.csv"
    )
    return response
