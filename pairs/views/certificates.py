"""Completion certificates: the holder's (and the committee's) print-ready page, the committee's
reissue, and the public verification page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from members.decorators import committee_required
from outbox.rendering import absolute

from ..models import Certificate, Pair
from ..services import certificates as certificate_services
from ._common import _visible_pair

ROLES = ("mentor", "mentee")


def _verify_url(certificate: Certificate) -> str:
    return absolute(f"{reverse('pairs:certificate-verify')}?code={certificate.printed_code}")


@login_required
def certificate(request: HttpRequest, pk: int, role: str) -> HttpResponse:
    """The certificate's holder (the pair's `role` side) and the Mentoring Committee: the
    certificate, ready to print or save as a PDF. Others get 403 (the other side, the liaison) or 404."""
    if role not in ROLES:
        raise Http404("A certificate is the mentor's or the mentee's.")
    pair = _visible_pair(request, pk)
    holder = pair.mentor.member if role == "mentor" else pair.mentee.member
    if request.user.pk != holder.pk and not request.user.runs_program:
        raise PermissionDenied("Only the certificate's holder and the committee can open it.")
    try:
        cert = certificate_services.certificate_of(pair=pair, role=role)
    except certificate_services.CertificateError as e:
        messages.info(request, str(e))
        return redirect(pair)
    return render(
        request,
        "pairs/certificate.html",
        {"pair": pair, "certificate": cert, "verify_url": _verify_url(cert), "can_manage": request.user.runs_program},
    )


@committee_required
@require_http_methods(["GET", "POST"])
def certificate_reissue(request: HttpRequest, pk: int, role: str) -> HttpResponse:
    """The Mentoring Committee and site admins: reissue a certificate (a new code), after confirming."""
    if role not in ROLES:
        raise Http404("A certificate is the mentor's or the mentee's.")
    pair = get_object_or_404(Pair.objects.with_people(), pk=pk)
    if request.method == "POST":
        posted = request.POST.get("certificate", "")
        try:
            if not posted.isdecimal() or not Certificate.objects.filter(pk=int(posted), pair=pair, role=role).exists():
                raise certificate_services.CertificateError("Choose the certificate to reissue from its page.")
            new = certificate_services.certificate_reissue(certificate_id=int(posted), by=request.user)
        except certificate_services.CertificateAlreadyDone as e:
            messages.info(request, str(e))
        except certificate_services.CertificateError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, f"Reissued with the code {new.printed_code}: the old code no longer verifies.")
        return redirect("pairs:certificate", pk=pair.pk, role=role)
    try:
        cert = certificate_services.certificate_of(pair=pair, role=role)
    except certificate_services.CertificateError as e:
        messages.info(request, str(e))
        return redirect(pair)
    return render(request, "pairs/certificate_reissue.html", {"pair": pair, "certificate": cert, "role": role})


def certificate_verify(request: HttpRequest) -> HttpResponse:
    """Anyone, signed in or not, with a certificate's code: whether it is genuine — the holder's
    name, role, program and dates, nothing else. Without a code, or with a wrong one, it says so."""
    typed = request.GET.get("code", "").strip()[:64]
    found = certificate_services.certificate_found(typed) if typed else None
    return render(request, "pairs/certificate_verify.html", {"typed": typed, "certificate": found})
