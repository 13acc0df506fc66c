"""The committee's correction of a member's account: a bounced email address, the profile."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..decorators import committee_required
from ..forms import MemberCorrectionForm
from ..models import PROFILE_FIELDS, User
from ..services import corrections


@committee_required
@require_http_methods(["GET", "POST"])
def member_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: correct a member's email address and profile
    (not a committee member's or a site admin's: a site admin does that in the admin)."""
    member = get_object_or_404(User, pk=pk)
    refusal = corrections.correction_refusal(member)
    # The form works on a copy: an invalid form must not change the member shown.
    form = MemberCorrectionForm(
        request.POST if request.method == "POST" and not refusal else None, instance=User.objects.get(pk=pk)
    )
    if request.method == "POST" and refusal:
        messages.error(request, f"{refusal} Nothing was changed.")
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = corrections.member_correct(
                member=member,
                email=data["email"],
                profile={name: data[name] for name in PROFILE_FIELDS if name in data},
                by=request.user,
            )
        except corrections.CorrectionError as e:
            messages.error(request, f"{e} Nothing was changed.")
        else:
            if not done.changed:
                messages.info(request, f"{member}'s account already says this: nothing was changed.")
            elif "email" in done.changed:
                # The member confirms the new address from there (allauth's email, through the outbox).
                EmailAddress.objects.get(user=member, email=done.member.email).send_confirmation(request)
                messages.success(
                    request,
                    f"{member}'s address is now {done.member.email} (it was {done.old_email}): they confirm it "
                    "from the email it receives. The correction is in their history in the admin.",
                )
            else:
                messages.success(request, f"{member}'s profile is corrected. The correction is in their history.")
            return redirect(reverse("members:member-correct", args=[member.pk]))
    elif request.method == "POST":
        messages.error(request, "Nothing was changed. Please correct the errors below.")
    return render(request, "members/member_correct.html", {"member": member, "form": form, "refusal": refusal})
