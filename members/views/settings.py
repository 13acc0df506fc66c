"""The committee's page of the program's settings (Committee → Program)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..decorators import committee_required
from ..forms import ProgramSettingsForm
from ..models import ProgramSettings
from ..program import program
from ..services import program as program_services


@committee_required
@require_http_methods(["GET", "POST"])
def program_settings(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: the program's names, conference and orientation,
    pair lengths, who may take part, commitments, regions and the program pages' texts."""
    form = ProgramSettingsForm(request.POST if request.method == "POST" else None, settings=program())
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = program_services.program_settings_save(
                    by=request.user, changes=form.changes(), expected_version=form.cleaned_data["version"]
                )
            except program_services.ProgramSettingsError as e:
                if None in e.errors:
                    # Saved meanwhile by someone else: show theirs, and say that nothing of this page was saved.
                    messages.error(request, " ".join(e.errors[None]))
                    form = ProgramSettingsForm(settings=program())
                form.add_errors({k: v for k, v in e.errors.items() if k is not None})
            else:
                if saved.changed:
                    messages.success(request, "The program settings are saved: every page and email now uses them.")
                else:
                    messages.info(request, "Nothing changed: the settings already say this.")
                for note in saved.notes:
                    messages.warning(request, note)
                return redirect("members:program-settings")
        if form.errors:
            messages.error(request, "The settings are not saved: please correct what is marked below.")
    row = ProgramSettings.objects.select_related("updated_by").filter(pk=ProgramSettings.ONE).first()
    return render(request, "members/program_settings_form.html", {"form": form, "saved": row})
