"""The Outbox page. Who may use it is a permission of the outbox's own model (the
Mentoring Committee's group has it, site admins have every permission), so that this
app asks nothing of the apps above it."""

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

from . import services
from .models import Email, EmailState


@login_required
@permission_required("outbox.view_email", raise_exception=True)
def email_list(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: the outbox — pending and failed emails, and resend."""
    state = request.GET.get("state", "attention")
    emails = Email.objects.select_related("pair__mentor__member", "pair__mentee__member").order_by("-created_at")
    if state == "attention":
        emails = emails.needing_attention()
    elif state in EmailState.values:
        emails = emails.filter(state=state)
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    counts = dict(Email.objects.values_list("state").annotate(n=Count("pk")).order_by())
    return render(
        request,
        "outbox/email_list.html",
        {"page": page, "state": state, "states": [(v, label, counts.get(v, 0)) for v, label in EmailState.choices]},
    )


@login_required
@permission_required("outbox.change_email", raise_exception=True)
@require_POST
def email_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: send a failed or stuck email again."""
    email = get_object_or_404(Email, pk=pk)
    try:
        services.email_resend(email=email)
    except services.OutboxError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"Sending “{email.subject}” to {email.to} again.")
    # Back to the page that sent the form: a path on this site, never another site
    # (an open redirect) nor a word that redirect() would take for a URL name.
    back = request.POST.get("next", "")
    local = back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(back if local else reverse("outbox:email-list"))
