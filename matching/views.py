"""The matching dashboard, the program's health, the exports and the roster import.

Every page is for the Mentoring Committee and site admins (`committee_required`);
everyone else gets 403 (visitors are sent to log in).
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from arla_mentoring.paging import page_of
from members.decorators import committee_required
from members.models import (
    Area,
    Cycle,
    Enrollment,
    EnrollmentStatus,
    LibraryType,
    MembershipCategory,
    Region,
    Role,
)
from pairs.services import pairing

from . import charts, exports, imports, reports
from .models import MatchSettings, ProposalStatus
from .scoring import round_score
from .services import proposal as proposals
from .services import suggestions as suggestion_services

log = logging.getLogger(__name__)


class WeightsForm(forms.ModelForm):
    class Meta:
        model = MatchSettings
        fields = [
            "weight_title",
            "weight_responsibilities",
            "weight_library_type",
            "weight_region",
            "weight_experience",
            "exclude_same_institution",
        ]
        widgets = {
            **{
                name: forms.NumberInput(attrs={"min": 0, "max": 100, "class": "form-control form-control-sm"})
                for name in fields[:-1]
            },
            "exclude_same_institution": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in self.Meta.fields[:-1]):
            raise forms.ValidationError("At least one weight must be above zero.")
        return data


def _cycle(cycle_id: int) -> Cycle:
    return get_object_or_404(Cycle, pk=cycle_id)


def _waiting_mentee(cycle: Cycle, pk: int) -> Enrollment:
    return get_object_or_404(Enrollment.objects.with_member().mentees(), pk=pk, cycle=cycle)


def _to_default_cycle(request: HttpRequest, view_name: str) -> HttpResponse:
    """Open `view_name` for the cycle taking opt-ins, else the latest; with no cycle, create one."""
    _, cycle = Cycle.objects.chosen(prefer="open")
    if cycle is None:
        messages.info(request, "There is no cycle yet: create one first.")
        return redirect("members:cycle-create")
    return redirect(view_name, cycle_id=cycle.pk)


@committee_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """The committee: the dashboard of the cycle taking opt-ins (else the latest)."""
    return _to_default_cycle(request, "matching:dashboard")


def _offered(value: str, values: list[str]) -> str:
    return value if value in values else ""


@committee_required
def dashboard(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: a cycle's numbers, its waiting mentees (search, filter, sort, pages) and the weights."""
    cycle = _cycle(cycle_id)
    q = request.GET.get("q", "").strip()
    # A value the drop-downs do not offer (an edited address) filters nothing.
    filters = {
        "member__library_type": _offered(request.GET.get("library_type", ""), LibraryType.values),
        "member__region": _offered(request.GET.get("region", ""), Region.values),
        "member__membership_category": _offered(request.GET.get("category", ""), MembershipCategory.values),
    }
    sort = request.GET.get("sort", "date")
    mentees = Enrollment.objects.for_cycle(cycle).mentees().waiting().with_member().search(q)
    mentees = mentees.filter(**{k: v for k, v in filters.items() if v})
    mentees = mentees.sorted_by(sort, default="date")
    page = page_of(mentees, 25, request.GET.get("page"))
    return render(
        request,
        "matching/dashboard.html",
        {
            "cycle": cycle,
            "cycles": Cycle.objects.all(),
            "numbers": reports.cycle_numbers(cycle),
            "page": page,
            "q": q,
            "filters": {k.split("__")[-1]: v for k, v in filters.items()},
            "sort": sort,
            "library_types": LibraryType.choices,
            "regions": Region.choices,
            "categories": MembershipCategory.choices,
            "weights_form": WeightsForm(instance=MatchSettings.for_cycle(cycle)),
            "draft": proposals.draft_for(cycle),
        },
    )


@committee_required
@require_POST
def weights(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: change how the cycle's suggestions are scored."""
    cycle = _cycle(cycle_id)
    form = WeightsForm(request.POST, instance=MatchSettings.objects.get_or_create(cycle=cycle)[0])
    if form.is_valid():
        form.save()
        messages.success(request, "The weights are saved: suggestions and proposals now use them.")
    else:
        errors = "; ".join(
            f"{form.fields[field].label.capitalize()}: {e}" if field in form.fields else e
            for field, errs in form.errors.items()
            for e in errs
        )
        messages.error(request, f"The weights were not changed: {errors}")
    return redirect("matching:dashboard", cycle_id=cycle.pk)


@committee_required
def suggestions(request: HttpRequest, cycle_id: int, pk: int) -> HttpResponse:
    """The committee: the ranked mentors for one waiting mentee, with the reasons and the points."""
    cycle = _cycle(cycle_id)
    mentee = _waiting_mentee(cycle, pk)
    try:
        more = bool(request.GET.get("more"))
        ranked, left_out = suggestion_services.suggestions_for(mentee, limit=40 if more else 10)
    except suggestion_services.SuggestionError as e:
        messages.info(request, str(e))
        return redirect("matching:dashboard", cycle_id=cycle.pk)
    left_out_counts: dict[str, int] = {}
    for item in left_out:
        left_out_counts[item.reason] = left_out_counts.get(item.reason, 0) + 1
    return render(
        request,
        "matching/suggestion_list.html",
        {
            "cycle": cycle,
            "mentee": mentee,
            "areas": [label for value, label in Area.choices if value in mentee.responsibilities],
            "suggestions": [(s, round_score(s.score)) for s in ranked],
            # The first rows only unless asked: thousands of mentors at capacity make a slow page.
            "left_out": left_out if request.GET.get("left_out") else left_out[:20],
            "left_out_total": len(left_out),
            "left_out_counts": sorted(left_out_counts.items(), key=lambda kv: -kv[1]),
            "more": more,
        },
    )


def _compare_context(cycle: Cycle, mentee: Enrollment, mentor: Enrollment) -> dict:
    value, reasons, blocked = suggestion_services.compare(mentee, mentor)
    return {
        "cycle": cycle,
        "mentee": mentee,
        "mentor": mentor,
        "score": round_score(value),
        "reasons": reasons,
        "blocked": blocked,
        "mentee_areas": [label for v, label in Area.choices if v in mentee.responsibilities],
        "mentor_areas": [label for v, label in Area.choices if v in mentor.responsibilities],
    }


@committee_required
@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest, cycle_id: int, pk: int, mentor_pk: int) -> HttpResponse:
    """The committee: compare a mentee and a mentor side by side, and pair them after confirming."""
    cycle = _cycle(cycle_id)
    mentee = get_object_or_404(Enrollment.objects.with_member().mentees(), pk=pk, cycle=cycle)
    mentor = get_object_or_404(Enrollment.objects.with_member().mentors(), pk=mentor_pk, cycle=cycle)
    if request.method == "POST":
        try:
            pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=request.user)
        except pairing.PairingError as e:
            messages.error(request, str(e))
            return redirect("matching:dashboard", cycle_id=cycle.pk)
        messages.success(request, f"Paired {mentee.member} with {mentor.member}. Both introductions are on their way.")
        return redirect(reverse("matching:dashboard", kwargs={"cycle_id": cycle.pk}) + "#mentees")
    try:
        context = _compare_context(cycle, mentee, mentor)
    except suggestion_services.SuggestionError as e:
        messages.error(request, str(e))
        return redirect("matching:dashboard", cycle_id=cycle.pk)
    return render(request, "matching/pair_confirm.html", context)


# --- The best-overall proposal -------------------------------------------------------------


# Pairs of the draft on one page, and mentees left unmatched on one page of their list: a
# draft of a whole cycle is a thousand pairs or more, far too many to read (or send) at once.
PROPOSAL_PER_PAGE = 50


def _proposal_back(query) -> str:
    """The proposal's own search and pages from `query`, as a query string to come back to after an edit."""
    back = QueryDict(mutable=True)
    for key in ("q", "page", "left"):
        if query.get(key):
            back[key] = query[key]
    return back.urlencode()


@committee_required
def proposal(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: the draft of the best overall assignment, to review and adjust, a page at a time."""
    cycle = _cycle(cycle_id)
    draft = proposals.draft_for(cycle)
    context = {"cycle": cycle, "draft": draft}
    if draft:
        q = request.GET.get("q", "").strip()
        pages = proposals.draft_pages(
            draft, q=q, page=request.GET.get("page"), left=request.GET.get("left"), per_page=PROPOSAL_PER_PAGE
        )
        items = [(item, round_score(item.score)) for item in pages["page"]]
        context.update(pages, q=q, items=items, back=_proposal_back(request.GET))
    return render(request, "matching/proposal_detail.html", context)


@committee_required
@require_POST
def proposal_solve(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: compute (or compute again) the best overall assignment."""
    cycle = _cycle(cycle_id)
    started = timezone.now()
    try:
        draft = proposals.proposal_solve(cycle=cycle, by=request.user)
    except proposals.ProposalError as e:
        messages.error(request, str(e))
    else:
        seconds = (timezone.now() - started).total_seconds()
        messages.success(
            request,
            f"Solved in {seconds:.1f} s: {draft.pairs.count()} pairs, {len(draft.unmatched)} mentees left unmatched.",
        )
    return redirect("matching:proposal", cycle_id=cycle.pk)


@committee_required
@require_POST
def proposal_edit(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: lock, unlock or ban a pair of the draft; drop or restore a mentee; lift a ban."""
    cycle = _cycle(cycle_id)
    draft = proposals.draft_for(cycle)
    if draft is None:
        messages.error(request, "There is no draft any more: solve the proposal again.")
        return redirect("matching:proposal", cycle_id=cycle.pk)
    action = request.POST.get("action")
    try:
        target = int(request.POST.get("id", ""))
    except ValueError:
        target = None
    try:
        if target is None:
            raise proposals.ProposalError("Choose a pair or a mentee.")
        if action in ("lock", "unlock"):
            proposals.proposal_lock(proposal=draft, item_id=target, locked=action == "lock")
            messages.success(request, "Pair locked: solving again keeps it." if action == "lock" else "Pair unlocked.")
        elif action == "ban":
            proposals.proposal_ban(proposal=draft, item_id=target)
            messages.success(request, "Pair ruled out. Solve again to find the mentee another mentor.")
        elif action in ("drop", "restore"):
            proposals.proposal_drop(proposal=draft, mentee_id=target, dropped=action == "drop")
            messages.success(
                request, "Mentee left out of the draft." if action == "drop" else "Mentee back in the draft."
            )
        elif action == "unban":
            proposals.proposal_unban(proposal=draft, ban_id=target)
            messages.success(request, "The ban is lifted.")
        else:
            raise proposals.ProposalError("Unknown action.")
    except proposals.ProposalError as e:
        messages.error(request, str(e))
    # Back to the page (and search) the button was on; only our own keys, so never another site.
    back = _proposal_back(QueryDict(request.POST.get("back", "")))
    return redirect(reverse("matching:proposal", kwargs={"cycle_id": cycle.pk}) + (f"?{back}" if back else ""))


@committee_required
@require_http_methods(["GET", "POST"])
def proposal_confirm(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: make every pair of the draft in one step, after confirming."""
    cycle = _cycle(cycle_id)
    draft = proposals.draft_for(cycle)
    if draft is None:
        messages.error(request, "There is no draft to confirm.")
        return redirect("matching:proposal", cycle_id=cycle.pk)
    if request.method == "POST":
        try:
            made = proposals.proposal_confirm(proposal=draft, by=request.user)
        except proposals.ProposalError as e:
            messages.error(request, str(e))
            return redirect("matching:proposal", cycle_id=cycle.pk)
        messages.success(request, f"{len(made)} pairs made. Their {2 * len(made)} introductions are on their way.")
        return redirect("pairs:pair-list")
    return render(
        request, "matching/proposal_confirm.html", {"cycle": cycle, "draft": draft, "count": draft.pairs.count()}
    )


@committee_required
@require_POST
def proposal_discard(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: throw the draft away (locks, bans and drops with it)."""
    cycle = _cycle(cycle_id)
    draft = proposals.draft_for(cycle)
    if draft and draft.status == ProposalStatus.DRAFT:
        proposals.proposal_discard(proposal=draft)
        messages.success(request, "The draft is discarded.")
    return redirect("matching:dashboard", cycle_id=cycle.pk)


# --- Program health and exports ---------------------------------------------------------------


@committee_required
def health_home(request: HttpRequest) -> HttpResponse:
    """The committee: the health page of the cycle taking opt-ins (else the latest)."""
    return _to_default_cycle(request, "matching:health")


@committee_required
def health(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: a cycle's health in numbers and charts, the exports, and every cycle side by side."""
    cycle = _cycle(cycle_id)
    tallies = reports.Tallies.read()  # counted once for the cycle and for every cycle
    numbers = reports.cycle_health(cycle, tallies=tallies)
    years = reports.year_over_year(tallies)
    by_role = numbers["enrollments"]["by_role"]
    roles = [(Role.MENTEE, "Mentees"), (Role.MENTOR, "Mentors")]
    status_rows = [
        (s.label, charts.STATUS_COLOURS[s][0], [by_role[role][s] for role, _label in roles]) for s in EnrollmentStatus
    ]
    status_summary = " ".join(
        f"{label}: " + ", ".join(f"{s.label.lower()} {by_role[role][s]}" for s in EnrollmentStatus) + "."
        for role, label in roles
    )
    return render(
        request,
        "matching/health.html",
        {
            "cycle": cycle,
            "cycles": [row["cycle"] for row in years],
            "n": numbers,
            "role_labels": [label for _role, label in roles],
            "enrolled": [by_role[role]["enrolled"] for role, _label in roles],
            "status_rows": status_rows,
            "status_summary": status_summary,
            "evaluations": [
                ("Mentors", numbers["evaluations"][Role.MENTOR]),
                ("Mentees", numbers["evaluations"][Role.MENTEE]),
            ],
            "quiet_days": settings.CHECKIN_QUIET_DAYS,
            "checkin_chart": charts.checkin_chart(numbers["checkins"]),
            "checkin_totals": reports.monthly_totals(numbers["checkins"]),
            "status_chart": charts.status_chart(by_role),
            "years": years,
            "exports": exports.EXPORTS.items(),
        },
    )


@committee_required
def export(request: HttpRequest, cycle_id: int, what: str, fmt: str) -> HttpResponse:
    """The committee: one of a cycle's exports as a CSV or Excel file. Never a check-in's notes or topics."""
    if what not in exports.EXPORTS or fmt not in exports.FORMATS:
        raise Http404("No such export.")
    cycle = _cycle(cycle_id)
    response = HttpResponse(exports.export_file(cycle, what, fmt), content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=exports.export_filename(cycle, what, fmt)
    )
    # Personal data leaving the site: say who took it.
    log.info("export %s.%s of cycle %s by user %s", what, fmt, cycle.pk, request.user.pk)
    return response


# --- Importing a roster of members -------------------------------------------------------------

# The checked file waits in the session between the preview and the confirmation,
# with its hash: the confirmation imports exactly the file that was previewed.
ROSTER_SESSION_KEY = "matching:roster-import"


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster file (CSV)",
        help_text=f"A CSV file in UTF-8, at most {imports.MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB: the limit is "
                f"{imports.MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."
            )
        return upload


def _import_page(request: HttpRequest, form: RosterUploadForm, problems: list | None = None) -> HttpResponse:
    return render(
        request,
        "matching/import_upload.html",
        {
            "form": form,
            "problems": problems or [],
            "columns": imports.COLUMNS,
            "required": imports.REQUIRED,
            "choices": [
                ("library_type", LibraryType.choices),
                ("region", Region.choices),
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
        text = imports.decode(upload.read())
        outcome = imports.roster_preview(text=text)
    except imports.ImportRefused as e:
        request.session.pop(ROSTER_SESSION_KEY, None)
        return _import_page(request, RosterUploadForm(), e.problems)
    # The preview is the answer to the upload itself (as the admin's import does): no
    # redirect, so a large file is checked once, not twice, before the confirmation.
    sha256 = hashlib.sha256(text.encode()).hexdigest()
    request.session[ROSTER_SESSION_KEY] = {"text": text, "sha256": sha256, "name": upload.name}
    return render(request, "matching/import_preview.html", {"outcome": outcome, "name": upload.name, "sha256": sha256})


@committee_required
@require_POST
def roster_confirm(request: HttpRequest) -> HttpResponse:
    """The committee: import the previewed roster, all rows in one transaction or none."""
    pending = request.session.get(ROSTER_SESSION_KEY)
    if not pending or not hmac.compare_digest(request.POST.get("sha256", ""), pending["sha256"]):
        messages.error(
            request,
            "Nothing was imported: there is no previewed file to confirm (or it was replaced by another upload). "
            "Upload the file and check its preview first.",
        )
        return redirect("matching:import")
    try:
        outcome = imports.roster_import(text=pending["text"], by=request.user)
    except imports.ImportRefused as e:
        request.session.pop(ROSTER_SESSION_KEY, None)
        messages.error(request, "Nothing was imported: the file no longer passes the checks.")
        return _import_page(request, RosterUploadForm(), e.problems)
    del request.session[ROSTER_SESSION_KEY]
    c = outcome.counts
    messages.success(
        request,
        f"Imported {pending['name']}: {c['new']} new member{pluralize(c['new'])}, {c['updated']} updated, "
        f"{c['unchanged']} unchanged. New members log in with “Forgot your password?”.",
    )
    return redirect("matching:import")


@committee_required
def roster_template(request: HttpRequest) -> HttpResponse:
    """The committee: an empty roster to fill in, with the columns and one example row."""
    response = HttpResponse("\ufeff" + imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="arla-mentoring-members-template.csv"
    )
    return response
