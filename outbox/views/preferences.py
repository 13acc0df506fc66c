"""What a member receives: their switches (also on My membership), and the one-click
unsubscribe page every optional email links to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..forms import PreferencesForm
from ..services import preferences as services


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Any signed-in account: which of the optional emails I receive (my own choices only)."""
    choices = services.member_choices(request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        changed = services.preferences_save(member=request.user, receives=form.receives())
        if changed:
            said = "; ".join(f"{'you receive' if on else 'you no longer receive'} {k.plural}" for k, on in changed)
            messages.success(request, f"Saved: {said}.")
        else:
            messages.info(request, "Nothing changed: your emails were already set so.")
        back = request.POST.get("next", "")
        local = back.startswith("/") and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return HttpResponseRedirect(back if local else reverse("outbox:preferences"))
    return render(request, "outbox/preferences.html", {"form": form})


# A mail program's own "Unsubscribe" button POSTs here with no cookie and no CSRF token
# (RFC 8058): the signed link is the proof, and it can only turn one kind of email off for
# the one member it names. The only view of the site without CSRF protection.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone holding the link (no login): GET says what it will stop, with one button;
    POST (that button, or a mail program's one-click) stops it and says so."""
    context = {"token": token}
    status = 200
    try:
        if request.method == "POST":
            context["result"] = services.unsubscribe(token=token)
        else:
            context["kind"], context["address"] = services.unsubscribe_read(token=token)
    except services.PreferenceError as e:
        context["error"] = str(e)
        status = 400
    response = render(request, "outbox/unsubscribe.html", context, status=status)
    # The link is the member's proof: no search engine keeps it, no Referer carries it on.
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
