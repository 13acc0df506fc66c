"""The Outbox page and one email's page. Who may use them is a permission of the outbox's
own model (the Mentoring Committee's group has it, site admins have every permission), so
that this app asks nothing of the apps above it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import services
from ..models import Email, EmailKind, EmailState

PER_PAGE = 50


@login_required
@permission_required("outbox.view_email", raise_exception=True)
def email_list(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: the outbox — every email, pending and failed
    ones first, with a search, a kind filter, and "Send again"."""
    state = request.GET.get("state", "attention")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").replace("\x00", " ")[:200]
    emails = Email.objects.select_related("pair__mentor__member", "pair__mentee__member").order_by("-created_at")
    if state == "attention":
        emails = emails.needing_attention()
    elif state in EmailState.values:
        emails = emails.filter(state=state)
    if kind in EmailKind.values:
        emails = emails.filter(kind=kind)
    if q.strip():
        emails = emails.search(q)
    page = Paginator(emails, PER_PAGE).get_page(request.GET.get("page"))
    counts = dict(Email.objects.values_list("state").annotate(n=Count("pk")).order_by())
    return render(
        request,
        "outbox/email_list.html",
        {
            "page": page,
            "state": state,
            "kind": kind,
            "q": q,
            "kinds": EmailKind.choices,
            "states": [(v, label, counts.get(v, 0)) for v, label in EmailState.choices],
        },
    )


@login_required
@permission_required("outbox.view_email", raise_exception=True)
def email_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: one email — its words (never an account
    email's, which hold a confirmation key or a reset link: site admins only), recipient,
    wording version, attempts and the mail server's answer in plain words (the raw answer
    for site admins)."""
    email = get_object_or_404(
        Email.objects.select_related(
            "pair__mentor__member", "pair__mentee__member", "cycle", "template__saved_by", "template__cycle"
        ),
        pk=pk,
    )
    return render(
        request,
        "outbox/email_detail.html",
        {"email": email, "may_read_body": not email.body_is_secret or request.user.is_superuser},
    )


def _said(email: Email) -> tuple[int, str]:
    """What "Send again" did, in a sentence for the committee, with its message level."""
    if email.state == EmailState.SENT:
        return messages.SUCCESS, f"Sent “{email.subject}” to {email.to}."
    if email.state == EmailState.SKIPPED:
        return messages.WARNING, f"Not sent to {email.to}: {email.skip_reason}"
    if email.state == EmailState.FAILED:
        return messages.ERROR, (
            f"Not sent to {email.to}: {email.answer_in_words} It stays failed: fix the cause, then send it again."
        )
    if email.last_error:
        return messages.WARNING, (
            f"Not sent yet to {email.to}: {email.answer_in_words} It will be tried again within minutes "
            "(this page shows when it goes)."
        )
    return messages.INFO, f"“{email.subject}” to {email.to} is being sent by a worker right now."


@login_required
@permission_required("outbox.change_email", raise_exception=True)
@require_POST
def email_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: send a failed, stuck or skipped email again,
    now, and say whether it went."""
    email = get_object_or_404(Email, pk=pk)
    try:
        email = services.email_resend(email_id=email.pk)
    except services.OutboxError as e:
        messages.error(request, str(e))
    else:
        messages.add_message(request, *_said(email))
    # Back to the page that sent the form: a path on this site, never another site
    # (an open redirect) nor a word that redirect() would take for a URL name.
    back = request.POST.get("next", "")
    local = back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(back if local else reverse("outbox:email-list"))
