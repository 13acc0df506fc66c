"""The best-overall proposal's pages: the draft, solving, adjusting, confirming, discarding."""

from __future__ import annotations

from django.contrib import messages
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from members.decorators import committee_required
from pairs.emails import introductions_news

from ..models import ProposalStatus
from ..scoring import round_score
from ..services import proposal as proposals
from ._common import _cycle

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
        pairs, left = draft.pairs.count(), len(draft.unmatched)
        messages.success(
            request,
            f"Solved in {seconds:.1f} s: {pairs} pair{pluralize(pairs)}, "
            f"{left} mentee{pluralize(left)} left unmatched.",
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


def _pairs_of(cycle) -> str:
    return f"{reverse('pairs:pair-list')}?cycle={cycle.pk}"


def _already_confirmed(request: HttpRequest, cycle, confirmed) -> HttpResponse:
    """The button pressed again once the proposal is made (or a stale page): say when, by whom, and where."""
    count = confirmed.pairs.count()
    at = timezone.localtime(confirmed.confirmed_at)
    by = f" by {confirmed.confirmed_by}" if confirmed.confirmed_by else ""
    messages.info(
        request,
        f"This proposal was confirmed on {at:%B %-d} at {at:%H:%M}{by}: its {count} pair{pluralize(count)} "
        f"{pluralize(count, 'is,are')} listed here. Nothing more was done.",
    )
    return redirect(_pairs_of(cycle))


def _database_busy(e: OperationalError) -> bool:
    """SQLite's answer when another request holds the write lock longer than its timeout."""
    return connection.vendor == "sqlite" and "locked" in str(e)


@committee_required
@require_http_methods(["GET", "POST"])
def proposal_confirm(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: make every pair of the draft in one step, after confirming."""
    cycle = _cycle(cycle_id)
    draft = proposals.draft_for(cycle)
    if draft is None:
        confirmed = proposals.last_confirmed(cycle)
        if confirmed:
            return _already_confirmed(request, cycle, confirmed)
        messages.error(request, "There is no draft to confirm.")
        return redirect("matching:proposal", cycle_id=cycle.pk)
    if request.method == "POST":
        try:
            made = proposals.proposal_confirm(proposal=draft, by=request.user)
        except proposals.ProposalAlreadyConfirmed as e:
            return _already_confirmed(request, cycle, e.proposal)
        except OperationalError as e:
            # The embedded default (SQLite) waits for the first press's transaction (settings:
            # IMMEDIATE transactions and a timeout); a draft that takes longer still is being made.
            if not _database_busy(e):
                raise
            count = draft.pairs.count()
            messages.info(
                request,
                f"The {count} pair{pluralize(count)} of this proposal {pluralize(count, 'is,are')} being made "
                "right now (the button was pressed already): nothing more was done. "
                "Reload this page in a minute to see them.",
            )
            return redirect(_pairs_of(cycle))
        except proposals.ProposalError as e:
            messages.error(request, str(e))
            return redirect("matching:proposal", cycle_id=cycle.pk)
        if cycle.mentor_accepts_first:
            messages.success(
                request,
                f"{len(made)} offer{pluralize(len(made))} sent to the mentors: each pair is made, with its "
                "introductions, when its mentor accepts. The dashboard shows the answers.",
            )
            return redirect(reverse("matching:dashboard", kwargs={"cycle_id": cycle.pk}) + "#offers")
        well, news = introductions_news(made)
        messages.add_message(
            request,
            messages.SUCCESS if well else messages.WARNING,
            f"{len(made)} pair{pluralize(len(made))} made. {news}",
        )
        # The pairs of the cycle just confirmed, not the year under way's (the list's default).
        return redirect(_pairs_of(cycle))
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
